// @ts-check
// One conversation: header with presence (and Block, in a direct room), a
// line naming people invited who have not joined yet, the timeline (older
// history loads as you scroll up), typing and "seen by" lines, and the
// composer (Enter sends, Shift+Enter starts a new line). Own messages show at
// once and are swapped for the stored copy when the server answers.

import { h, avatar, formatSize, formatTime, formatFull, lastSeen, replaceChildren } from '../dom.js';
import { AttachmentCache, UploadPanel, attachmentList, isInlineImage } from './attachments.js';
import { formatMessage } from '../format.js';

/// The emoji offered by the reaction picker (the API takes any single emoji).
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢', '👀', '✅'];

export class RoomView {
  constructor(container, store, actions) {
    this.container = container;
    this.store = store;
    this.actions = actions;
    this.roomId = null;
    this.lastTypingSent = 0;
    this.attachments = new AttachmentCache(store.api);
    this.uploads = new UploadPanel();
    this.build();
  }

  build() {
    this.title = h('h2', { id: 'room-title' });
    this.subtitle = h('p', { id: 'room-subtitle', className: 'subtitle' });
    this.manageButton = h('button', { type: 'button', id: 'members-button', className: 'secondary', onClick: () => this.actions.manage(this.roomId) }, 'Members');
    this.muteButton = h('button', { type: 'button', id: 'mute-button', className: 'secondary', 'aria-pressed': 'false',
      onClick: () => this.toggleMute() }, 'Mute');
    this.blockButton = h('button', { type: 'button', id: 'block-button', className: 'secondary', hidden: true,
      onClick: () => this.toggleBlock() }, 'Block');
    this.inviteNotice = h('p', { id: 'invite-notice', className: 'invite-notice', role: 'status', hidden: true });
    this.notice = h('p', { id: 'room-notice', className: 'room-notice', role: 'status', hidden: true });
    this.replyBar = h('div', { id: 'reply-bar', className: 'reply-bar', hidden: true });
    this.replyingTo = null;
    this.pickerFor = null;
    this.backButton = h('button', { type: 'button', id: 'back-button', className: 'icon back', 'aria-label': 'Back to conversations', onClick: () => this.actions.back() }, '←');
    this.olderStatus = h('p', { id: 'older-status', className: 'older-status', 'aria-live': 'polite' });
    this.timeline = h('ol', { id: 'timeline', className: 'timeline', 'aria-label': 'Messages', 'aria-live': 'polite', tabindex: '0' });
    this.scroller = h('div', { className: 'timeline-scroller', id: 'timeline-scroller' }, this.olderStatus, this.timeline);
    this.scroller.addEventListener('scroll', () => this.onScroll());
    // Scrolled up when new messages come: a button says how many and brings you down to them.
    this.jumpButton = h('button', { type: 'button', id: 'jump-to-bottom', className: 'primary jump', hidden: true,
      onClick: () => this.scrollToBottom() });
    this.unseen = 0;
    this.newestShown = 0;
    this.seenBy = h('p', { id: 'seen-by', className: 'seen-by', 'aria-live': 'polite' });
    this.typingLine = h('p', { id: 'typing-indicator', className: 'typing', 'aria-live': 'polite' });
    this.input = h('textarea', { id: 'message-input', rows: '1', placeholder: 'Write a message', 'aria-label': 'Message', maxlength: '4000' });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) { event.preventDefault(); this.submit(); }
      if (event.key === 'Escape' && this.replyingTo) { event.preventDefault(); this.setReply(null); }
      // Up in an empty box edits one's last message, as in most chat apps.
      if (event.key === 'ArrowUp' && !this.input.value && !event.isComposing) {
        const last = [...this.store.timeline(this.roomId).messages].reverse()
          .find((m) => m.senderId === this.store.me.id && !m.deletedAt && !m.attachments?.length && m.messageType !== 'system');
        if (last) { event.preventDefault(); this.actions.edit(this.roomId, last); }
      }
    });
    this.input.addEventListener('input', () => this.onInput());
    this.input.addEventListener('paste', (event) => {
      const files = [...(event.clipboardData?.files || [])];
      if (files.length) { event.preventDefault(); this.sendFiles(files); }
    });
    this.composerError = h('p', { id: 'composer-error', className: 'form-error', role: 'alert' });
    this.fileInput = h('input', { type: 'file', id: 'file-input', multiple: true, hidden: true, 'aria-label': 'Files to send' });
    this.fileInput.addEventListener('change', () => { const files = [...this.fileInput.files]; this.fileInput.value = ''; this.sendFiles(files); });
    this.form = h('form', { id: 'composer', className: 'composer', 'aria-label': 'Send a message' },
      h('button', { type: 'button', id: 'attach-button', className: 'icon attach', 'aria-label': 'Attach files', title: 'Attach files',
        onClick: () => this.fileInput.click() }, '+'),
      this.fileInput, this.input, h('button', { type: 'submit', id: 'send-button', className: 'primary' }, 'Send'));
    this.form.addEventListener('submit', (event) => { event.preventDefault(); this.submit(); });
    this.element = h('section', { id: 'room-view', className: 'room-view', 'aria-labelledby': 'room-title' },
      h('header', { className: 'room-header' }, this.backButton,
        h('div', { className: 'room-heading' }, this.title, this.subtitle), this.muteButton, this.blockButton, this.manageButton),
      this.inviteNotice,
      h('div', { className: 'timeline-area' }, this.scroller, this.jumpButton),
      this.typingLine, this.seenBy, this.uploads.element, this.composerError, this.replyBar, this.form);
    // Files dropped anywhere on the conversation are sent to it.
    this.element.addEventListener('dragover', (event) => {
      if ([...(event.dataTransfer?.types || [])].includes('Files')) { event.preventDefault(); this.element.classList.add('dropping'); }
    });
    this.element.addEventListener('dragleave', (event) => { if (event.target === this.element) this.element.classList.remove('dropping'); });
    this.element.addEventListener('drop', (event) => {
      this.element.classList.remove('dropping');
      const files = [...(event.dataTransfer?.files || [])];
      if (files.length) { event.preventDefault(); this.sendFiles(files); }
    });
    this.empty = h('section', { id: 'no-room', className: 'no-room' }, this.notice,
      h('p', {}, 'Pick a conversation, or start a new one.'));
    replaceChildren(this.container, this.empty);
  }

  show(roomId) {
    const changed = roomId !== this.roomId;
    this.roomId = roomId;
    if (!roomId) { replaceChildren(this.container, this.empty); return; }
    if (changed) {
      this.notice.hidden = true;
      this.setReply(null);
      this.pickerFor = null;
      replaceChildren(this.container, this.element);
      this.element.dataset.roomId = roomId;
      this.composerError.textContent = '';
      this.input.value = '';
      this.stickToBottom = true;
      this.unseen = 0;
      this.newestShown = 0;
    }
    this.renderHeader();
    this.renderTimeline();
    if (changed) this.input.focus();
  }

  /// Says why the open room went away (removed, or the room was deleted).
  showNotice(text) {
    this.notice.textContent = text;
    this.notice.hidden = false;
  }

  async toggleMute() {
    const room = this.store.rooms.get(this.roomId);
    if (!room) return;
    try { await this.store.setMuted(room.id, !room.muted); } catch (error) { this.composerError.textContent = error.message; }
  }

  /// Blocks the other person of a direct room (after the confirmation), or unblocks them.
  async toggleBlock() {
    const room = this.store.rooms.get(this.roomId);
    const other = room && this.store.otherParticipant(room);
    if (!other) return;
    this.composerError.textContent = '';
    if (!this.store.isBlocked(other)) { this.actions.block(other); return; }
    try { await this.store.unblock(other); } catch (error) { this.composerError.textContent = error.message; }
  }

  /// Starts (or with null, stops) answering `message`.
  setReply(message) {
    this.replyingTo = message;
    this.replyBar.hidden = !message;
    if (!message) { this.replyBar.replaceChildren(); return; }
    replaceChildren(this.replyBar,
      h('span', { className: 'reply-bar-text' }, `Replying to ${this.store.displayName(message.senderId)}: `,
        h('span', { className: 'reply-excerpt' }, excerpt(message))),
      h('button', { type: 'button', id: 'cancel-reply', className: 'icon', 'aria-label': 'Cancel reply', onClick: () => this.setReply(null) }, '×'));
    this.input.focus();
  }

  renderHeader() {
    const room = this.store.rooms.get(this.roomId);
    if (!room) return;
    this.title.textContent = this.store.roomTitle(room);
    this.muteButton.textContent = room.muted ? 'Unmute' : 'Mute';
    this.muteButton.setAttribute('aria-pressed', room.muted ? 'true' : 'false');
    this.muteButton.title = room.muted ? 'Notifications are off for this conversation' : 'Turn off notifications for this conversation';
    const invited = this.store.invitedTo(room);
    this.inviteNotice.hidden = !invited.length;
    this.inviteNotice.textContent = invited.length
      ? `Invitation sent to ${listNames(invited.map((id) => this.store.displayName(id)))}: they join the conversation once they accept.`
      : '';
    if (room.roomType === 'direct') {
      const other = this.store.otherParticipant(room);
      const blocked = Boolean(other) && this.store.isBlocked(other);
      const online = other && this.store.isOnline(other);
      this.subtitle.textContent = blocked ? 'blocked' : invited.includes(other) ? 'invited, not joined yet'
        : online ? 'online' : lastSeen(this.store.user(other)?.lastSeenAt);
      this.subtitle.className = `subtitle${online ? ' online' : ''}${blocked ? ' blocked' : ''}`;
      this.manageButton.hidden = true;
      this.blockButton.hidden = !other;
      const name = other ? this.store.displayName(other) : '';
      this.blockButton.textContent = blocked ? 'Unblock' : 'Block';
      this.blockButton.setAttribute('aria-label', `${blocked ? 'Unblock' : 'Block'} ${name}`);
      this.blockButton.className = blocked ? 'secondary' : 'danger';
    } else {
      this.blockButton.hidden = true;
      const people = room.participants || [];
      const online = people.filter((p) => p.userId !== this.store.me.id && this.store.isOnline(p.userId)).length;
      this.subtitle.textContent = `${people.length} ${people.length === 1 ? 'member' : 'members'}${online ? `, ${online} online` : ''}`;
      this.subtitle.className = 'subtitle';
      this.manageButton.hidden = false;
    }
  }

  renderTimeline({ keepOlderAnchor = false } = {}) {
    const room = this.store.rooms.get(this.roomId);
    if (!room) return;
    const timeline = this.store.timeline(this.roomId);
    const fromBottom = this.scroller.scrollHeight - this.scroller.scrollTop;
    const atBottom = fromBottom - this.scroller.clientHeight < 40;
    const items = [];
    let previousSender = null;
    let previousDay = null;
    for (const message of timeline.messages) {
      // A line with the date wherever the day changes.
      const day = new Date(message.createdAt).toDateString();
      if (day !== previousDay) {
        items.push(h('li', { className: 'date-separator' }, h('span', {}, dayLabel(message.createdAt))));
        previousDay = day;
        previousSender = null;
      }
      if (message.messageType === 'system') {
        items.push(h('li', { className: 'system-line', dataset: { id: message.id, seq: String(message.seq) } }, this.store.systemText(message)));
        previousSender = null;
        continue;
      }
      items.push(this.messageItem(message, room, message.senderId !== previousSender));
      previousSender = message.senderId;
    }
    for (const pending of this.store.pendingMessages(this.roomId)) {
      items.push(this.pendingItem(pending));
    }
    replaceChildren(this.timeline, items);
    this.olderStatus.textContent = !timeline.loaded ? 'Loading…' : timeline.hasMore ? '' : 'This is the beginning of the conversation.';
    this.renderSeenBy(room, timeline);
    this.renderTyping();
    const newest = timeline.messages.length ? timeline.messages[timeline.messages.length - 1].seq : 0;
    const arrived = timeline.messages.filter((m) => m.seq > this.newestShown && m.senderId !== this.store.me.id && m.messageType !== 'system').length;
    if (keepOlderAnchor) this.scroller.scrollTop = this.scroller.scrollHeight - fromBottom;
    else if (atBottom || this.stickToBottom) { this.scroller.scrollTop = this.scroller.scrollHeight; this.unseen = 0; }
    else if (this.newestShown && arrived) this.unseen += arrived;
    this.newestShown = Math.max(this.newestShown, newest);
    this.stickToBottom = false;
    this.renderJump();
    if (timeline.loaded && timeline.hasMore && this.scroller.scrollHeight <= this.scroller.clientHeight) this.loadOlder();
    if (this.focusId) this.reveal(this.focusId);
  }

  /// Scrolls to a message and marks it for a few seconds (a search hit, a quoted original).
  reveal(messageId) {
    const item = [...this.timeline.querySelectorAll('li.message')].find((li) => li.dataset.id === messageId);
    this.focusId = null;
    if (!item) return;
    this.highlight = { id: messageId, until: Date.now() + 3000 };
    // The mark fades after three seconds; the last message revealed stays on record.
    this.timeline.dataset.revealed = messageId;
    item.classList.add('found');
    item.scrollIntoView({ block: 'center' });
    setTimeout(() => {
      if (this.highlight?.id !== messageId) return;
      this.highlight = null;
      this.renderTimeline();
    }, 3000);
  }

  messageItem(message, room, showSender) {
    const me = this.store.me.id;
    const mine = message.senderId === me;
    const deleted = Boolean(message.deletedAt);
    const canDelete = mine || (room.roomType === 'group' && ['owner', 'admin'].includes(this.store.myRole(room)));
    const edited = !deleted && message.updatedAt && message.updatedAt !== message.createdAt;
    const mentionsMe = !mine && !deleted && (message.mentions || []).includes(me);
    return h('li', {
      className: `message${mine ? ' mine' : ''}${deleted ? ' deleted' : ''}${mentionsMe ? ' mentions-me' : ''}`
        + `${this.highlight?.id === message.id && Date.now() < this.highlight.until ? ' found' : ''}`,
      dataset: { id: message.id, seq: String(message.seq), clientId: message.clientMessageId || '', state: 'stored' },
    },
    showSender && !mine ? avatar(this.store.displayName(message.senderId), this.store.user(message.senderId)?.avatarUrl, 'avatar small') : null,
    h('div', { className: 'bubble' },
      showSender || mine ? h('span', { className: 'message-sender' }, this.store.displayName(message.senderId)) : null,
      message.replyTo && !deleted ? this.quoteOf(message.replyTo) : null,
      deleted ? h('p', { className: 'message-content deleted-note' }, 'This message was deleted')
        : message.content ? h('div', { className: 'message-content' }, formatMessage(message.content, (name) => this.mentionClass(message, name))) : null,
      !deleted && message.attachments?.length ? attachmentList(this.roomId, message.attachments, this.attachments) : null,
      !deleted && message.reactions?.length ? this.reactionBar(message) : null,
      h('span', { className: 'message-meta' },
        h('time', { datetime: message.createdAt, title: formatFull(message.createdAt) }, formatTime(message.createdAt)),
        edited ? h('span', { className: 'edited' }, ' · edited') : null),
      deleted ? null : h('span', { className: 'message-actions' },
        h('button', { type: 'button', className: 'link reply-message', 'aria-label': 'Reply to message', onClick: () => this.setReply(message) }, 'Reply'),
        h('button', { type: 'button', className: 'link react-message', 'aria-label': 'Add reaction', 'aria-expanded': this.pickerFor === message.id ? 'true' : 'false',
          onClick: () => { this.pickerFor = this.pickerFor === message.id ? null : message.id; this.renderTimeline(); } }, 'React'),
        mine && !message.attachments?.length ? h('button', { type: 'button', className: 'link edit-message', 'aria-label': 'Edit message', onClick: () => this.actions.edit(this.roomId, message) }, 'Edit') : null,
        canDelete ? h('button', { type: 'button', className: 'link delete-message', 'aria-label': 'Delete message', onClick: () => this.actions.remove(this.roomId, message) }, 'Delete') : null),
      !deleted && this.pickerFor === message.id ? this.picker(message) : null));
  }

  /// How an @name in `message` is marked: 'me' when it names me, 'other' for another mentioned member, '' for none.
  mentionClass(message, name) {
    const lower = name.toLowerCase();
    if (this.store.me.username?.toLowerCase() === lower) return (message.mentions || []).includes(this.store.me.id) ? 'me' : '';
    const id = (message.mentions || []).find((candidate) => this.store.user(candidate)?.username?.toLowerCase() === lower);
    return id ? 'other' : '';
  }

  quoteOf(quote) {
    const who = this.store.displayName(quote.senderId);
    const text = quote.deleted ? 'Original message was deleted' : quote.excerpt || (quote.messageType === 'image' ? 'Photo' : quote.messageType === 'file' ? 'File' : '');
    return h('button', { type: 'button', className: `reply-quote${quote.deleted ? ' deleted' : ''}`, 'aria-label': `Reply to ${who}: ${text}. Show it`,
      onClick: () => this.actions.jumpTo(this.roomId, quote.id) },
    h('span', { className: 'reply-quote-sender' }, who), h('span', { className: 'reply-quote-text' }, text));
  }

  reactionBar(message) {
    const me = this.store.me.id;
    return h('div', { className: 'reactions', role: 'group', 'aria-label': 'Reactions' }, message.reactions.map((reaction) => {
      const mine = reaction.userIds.includes(me);
      const names = reaction.userIds.map((id) => this.store.displayName(id)).join(', ');
      return h('button', { type: 'button', className: `reaction${mine ? ' mine' : ''}`, 'aria-pressed': mine ? 'true' : 'false',
        title: names, 'aria-label': `${reaction.emoji} ${reaction.count}: ${names}`, dataset: { emoji: reaction.emoji },
        onClick: () => this.react(message, reaction.emoji) },
      h('span', { className: 'reaction-emoji' }, reaction.emoji), h('span', { className: 'reaction-count' }, String(reaction.count)));
    }));
  }

  picker(message) {
    return h('div', { className: 'reaction-picker', role: 'group', 'aria-label': 'Pick a reaction' },
      QUICK_REACTIONS.map((emoji) => h('button', { type: 'button', className: 'pick-reaction', 'aria-label': `React with ${emoji}`, dataset: { emoji },
        onClick: () => { this.pickerFor = null; this.react(message, emoji); } }, emoji)));
  }

  async react(message, emoji) {
    try { await this.store.toggleReaction(this.roomId, message.id, emoji); } catch (error) { this.composerError.textContent = error.message; this.renderTimeline(); }
  }

  pendingItem(pending) {
    const failed = pending.state === 'failed';
    return h('li', { className: `message mine pending${failed ? ' failed' : ''}`, dataset: { clientId: pending.clientMessageId, state: pending.state } },
      h('div', { className: 'bubble' },
        h('p', { className: 'message-content' }, pending.content),
        h('span', { className: 'message-meta' }, failed ? 'Not sent. ' : 'Sending…',
          failed ? h('button', { type: 'button', className: 'link retry-message', onClick: () => this.store.retry(pending.roomId, pending.clientMessageId) }, 'Retry') : null)));
  }

  renderSeenBy(room, timeline) {
    const lastMine = [...timeline.messages].reverse().find((m) => m.senderId === this.store.me.id && !m.deletedAt && m.messageType !== 'system');
    const readers = lastMine ? this.store.readers(room.id, lastMine.seq) : [];
    if (!readers.length) { this.seenBy.textContent = ''; return; }
    const names = readers.map((id) => this.store.displayName(id));
    this.seenBy.textContent = room.roomType === 'direct' ? 'Seen' : `Seen by ${names.join(', ')}`;
  }

  renderTyping() {
    const names = this.store.typingIn(this.roomId).map((id) => this.store.displayName(id));
    this.typingLine.textContent = !names.length ? '' : names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
  }

  async onScroll() {
    if (this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < 40 && this.unseen) {
      this.unseen = 0;
      this.renderJump();
    }
    if (this.scroller.scrollTop < 80) await this.loadOlder();
  }

  renderJump() {
    const behind = Boolean(this.store.timeline(this.roomId)?.newerMissing);
    this.jumpButton.hidden = this.unseen === 0 && !behind;
    this.jumpButton.textContent = behind ? '↓ Jump to the latest messages' : `↓ ${this.unseen} new message${this.unseen === 1 ? '' : 's'}`;
  }

  async scrollToBottom() {
    if (this.store.timeline(this.roomId)?.newerMissing) {
      this.stickToBottom = true;
      await this.store.resetToNewest(this.roomId);
    }
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.unseen = 0;
    this.renderJump();
  }

  async loadOlder() {
    const timeline = this.store.timeline(this.roomId);
    if (timeline.loading || !timeline.hasMore || !timeline.loaded) return;
    this.olderStatus.textContent = 'Loading older messages…';
    try {
      await this.store.loadOlder(this.roomId);
    } catch (error) {
      this.olderStatus.textContent = `Could not load older messages: ${error.message}`;
    }
  }

  onInput() {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 160)}px`;
    // A scrollbar only once the text is taller than the box can grow.
    this.input.style.overflowY = this.input.scrollHeight > 160 ? 'auto' : 'hidden';
    const now = Date.now();
    if (this.input.value && now - this.lastTypingSent > 3000) {
      this.lastTypingSent = now;
      this.actions.typing(this.roomId);
    }
  }

  async submit() {
    const content = this.input.value.trim();
    if (!content) {
      this.composerError.textContent = this.input.value ? 'Write something other than spaces to send a message.' : '';
      return;
    }
    this.input.value = '';
    this.input.style.height = 'auto';
    this.composerError.textContent = '';
    this.stickToBottom = true;
    const replyTo = this.replyingTo?.id || null;
    this.setReply(null);
    try {
      await this.store.send(this.roomId, content, undefined, replyTo);
    } catch (error) {
      this.composerError.textContent = error.message;
      this.input.value = content;
    }
  }

  /// Uploads the files (each with a progress bar and Cancel), then sends what
  /// arrived as one message: an image message when every one is a picture the
  /// page shows inline, a file message otherwise; the typed text is its caption.
  async sendFiles(files) {
    const roomId = this.roomId;
    if (!roomId || !files.length) return;
    this.composerError.textContent = '';
    // Too big to be accepted: said at once, without uploading anything of it.
    const limit = this.store.limits?.maxUploadBytes;
    const tooBig = limit ? files.filter((file) => file.size > limit) : [];
    files = files.filter((file) => !tooBig.includes(file));
    const refusals = tooBig.map((file) => `${file.name} is too large (${formatSize(file.size)}): files can be at most ${formatSize(limit)}.`);
    if (!files.length) { this.composerError.textContent = refusals.join(' '); return; }
    const tasks = files.map((file, index) => {
      const id = `${Date.now()}-${index}-${Math.random().toString(36).slice(2)}`;
      const name = file.name || `pasted-image-${index + 1}.png`;
      const task = this.store.api.upload(`/api/rooms/${roomId}/attachments?filename=${encodeURIComponent(name)}`, file,
        { onProgress: (fraction) => this.uploads.progress(id, fraction) });
      this.uploads.add(id, { name, size: file.size }, () => task.abort());
      return task.done.then((attachment) => ({ attachment }), (error) => ({ error, name })).finally(() => this.uploads.remove(id));
    });
    const results = await Promise.all(tasks);
    const failures = results.filter((r) => r.error && r.error.code !== 'cancelled')
      .map((r) => (r.error.status === 413 ? `${r.name} is too large. ${r.error.message}` : `${r.name} was not sent: ${r.error.message}`));
    this.composerError.textContent = [...refusals, ...failures].join(' ');
    const uploaded = results.filter((r) => r.attachment).map((r) => r.attachment);
    if (!uploaded.length || roomId !== this.roomId) return;
    const caption = this.input.value.trim();
    this.input.value = '';
    this.stickToBottom = true;
    try {
      await this.store.sendAttachments(roomId, uploaded, uploaded.every(isInlineImage) ? 'image' : 'file', caption);
    } catch (error) {
      this.composerError.textContent = error.message;
      this.input.value = caption;
    }
  }
}

/// "Ann", "Ann and Bob", "Ann, Bob and Cy".
function listNames(names) {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/// A message's first line, for the reply bar.
function excerpt(message) {
  const line = (message.content || '').trim().split('\n')[0];
  if (line) return line.length > 140 ? `${line.slice(0, 140)}…` : line;
  return message.messageType === 'image' ? 'Photo' : 'File';
}

/// "Today", "Yesterday", or the date, for the line between days.
function dayLabel(iso) {
  const date = new Date(iso);
  const today = new Date();
  const yesterday = new Date(today);
  yesterday.setDate(today.getDate() - 1);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return date.toLocaleDateString(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
}
