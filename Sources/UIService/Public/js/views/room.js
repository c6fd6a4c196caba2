// @ts-check
// One conversation: header with presence (and Block, in a direct room), a
// line naming people invited who have not joined yet, the timeline (older
// history loads as you scroll up), typing and "seen by" lines, and the
// composer (Enter sends, Shift+Enter starts a new line). Own messages show at
// once and are swapped for the stored copy when the server answers.

import { h, avatar, formatSize, formatTime, formatFull, lastSeen, replaceChildren } from '../dom.js';
import { AttachmentCache, UploadPanel, attachmentList, isInlineImage } from './attachments.js';
import { LinkPreviews } from './link-preview.js';
import { formatMessage } from '../format.js';
import { firstUnread } from '../store/rooms.js';
import { MAX_MESSAGES } from '../store/timeline.js';
import { NEWEST, drawnRange, grownDown, grownUp, indexAtOrAbove } from './drawn-window.js';
import { keyboardTimeline } from './message-keys.js';
import { Completion, emojiSource, mentionSource } from './completion.js';
import { chosenTone, emojiGroupsNow, openEmojiPicker } from './emoji-picker.js';
import { canDelete, canEdit, excerpt, gapItem, messageItem, pendingItem } from './message-item.js';
import { openPinsDialog } from './pins.js';
import { ThreadPanel } from './thread-panel.js';

/** @typedef {import('../protocol.js').Message} Message */
/** @typedef {import('../protocol.js').Room} Room */
/** @typedef {import('../store.js').ChatStore} ChatStore */

/** How close to its limit a message gets before the composer counts its characters. */
const COUNTER_FROM = 200;

/**
 * Characters as the server counts them (Swift's String.count: grapheme clusters).
 * @param {string} text
 */
export function characterCount(text) {
  if (typeof Intl !== 'undefined' && 'Segmenter' in Intl) {
    let count = 0;
    for (const _ of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) count += 1;
    return count;
  }
  return [...text].length;
}

/**
 * Puts `nodes` in `parent` in this order, moving only what is out of place, so a
 * node that stays (and the focus inside it) is not taken out of the document.
 * @param {Element} parent
 * @param {Node[]} nodes
 */
export function reconcile(parent, nodes) {
  let current = parent.firstChild;
  for (const node of nodes) {
    if (node === current) { current = current.nextSibling; continue; }
    parent.insertBefore(node, current);
  }
  while (current) {
    const next = current.nextSibling;
    parent.removeChild(current);
    current = next;
  }
}


export class RoomView {
  constructor(container, store, actions) {
    this.container = container;
    this.store = store;
    this.actions = actions;
    this.roomId = null;
    this.lastTypingSent = 0;
    this.attachments = new AttachmentCache(store.api);
    // A card that arrives redraws the timeline (only the items whose card changed are rebuilt).
    this.previews = new LinkPreviews(store.api, () => {
      if (this.roomId) this.renderTimeline();
      this.threadPanel?.render();
    });
    this.uploads = new UploadPanel();
    this.build();
  }

  build() {
    this.title = h('h2', { id: 'room-title' });
    this.subtitle = h('p', { id: 'room-subtitle', className: 'subtitle' });
    this.manageButton = h('button', { type: 'button', id: 'members-button', className: 'secondary', onClick: () => this.actions.manage(this.roomId) }, 'Members');
    this.threadPanel = new ThreadPanel(this.store, this.previews);
    this.levelSelect = h('select', { id: 'notify-level', className: 'notify-level', 'aria-label': 'Notifications for this conversation',
      title: 'Notifications for this conversation' },
    h('option', { value: 'default' }, '🔔 Default'), h('option', { value: 'all' }, '🔔 All messages'),
    h('option', { value: 'mentions' }, '🔔 Mentions and replies'), h('option', { value: 'none' }, '🔕 Nothing (muted)'));
    this.levelSelect.addEventListener('change', () => this.setLevel(/** @type {HTMLSelectElement} */ (this.levelSelect).value));
    this.muteButton = h('button', { type: 'button', id: 'mute-button', className: 'secondary', 'aria-pressed': 'false',
      onClick: () => this.toggleMute() }, 'Mute');
    this.pinsButton = h('button', { type: 'button', id: 'pins-button', className: 'secondary', hidden: true,
      onClick: () => { this.redrawPins = openPinsDialog(this); } }, 'Pinned');
    /** @type {(() => void) | null} draws the open pin list again */
    this.redrawPins = null;
    this.blockButton = h('button', { type: 'button', id: 'block-button', className: 'secondary', hidden: true,
      onClick: () => this.toggleBlock() }, 'Block');
    this.inviteNotice = h('p', { id: 'invite-notice', className: 'invite-notice', role: 'status', hidden: true });
    this.notice = h('p', { id: 'room-notice', className: 'room-notice', role: 'status', hidden: true });
    this.replyBar = h('div', { id: 'reply-bar', className: 'reply-bar', hidden: true });
    this.replyingTo = null;
    this.pickerFor = null;
    this.backButton = h('button', { type: 'button', id: 'back-button', className: 'icon back', 'aria-label': 'Back to conversations', onClick: () => this.actions.back() }, '←');
    this.olderStatus = h('p', { id: 'older-status', className: 'older-status', 'aria-live': 'polite' });
    // Each message is one Tab stop (its controls by arrow keys: message-keys.js); the list itself takes
    // the focus only when the message that had it is gone.
    this.timelineKeys = h('p', { id: 'timeline-keys', className: 'visually-hidden' },
      'Arrow keys move between messages. Enter reaches a message’s actions; R replies, E edits, + reacts, Delete deletes.');
    this.timeline = h('ol', { id: 'timeline', className: 'timeline', 'aria-label': 'Messages', 'aria-live': 'polite', tabindex: '-1',
      'aria-describedby': 'timeline-keys' });
    keyboardTimeline(this.timeline, {
      shortcut: (item, key) => this.messageShortcut(item, key),
      escape: (item) => this.closePickerIn(item),
    });
    // Esc closes the reaction picker wherever the focus is (dialogs close themselves).
    document.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || !this.pickerFor || event.defaultPrevented || document.querySelector('dialog[open]')) return;
      const item = this.nodes.get(`m:${this.pickerFor}`)?.node;
      if (item && this.closePickerIn(item)) event.preventDefault();
    });
    /** @type {Map<string, { node: HTMLElement, sig: string }>} the timeline's items by key, reused while unchanged */
    this.nodes = new Map();
    /** @type {Map<Element, Message>} */
    this.observed = new Map();
    /** @type {Set<string>} long messages opened with "Show more" */
    this.expanded = new Set();
    /** Seqs of others' messages on screen now. */
    this.onScreen = new Set();
    this.renderQueued = false;
    /** @type {import('./drawn-window.js').Drawn} which held messages are drawn (a bounded stretch) */
    this.drawn = NEWEST;
    /** The indexes of the first and last message drawn, in the store's messages. */
    this.drawnLo = 0;
    this.drawnHi = -1;
    this.scrollingDown = false;
    this.lastScrollTop = 0;
    /**
     * The reader follows the newest message (at the bottom): new ones scroll into view. Only the
     * reader's own scrolling changes it, not the page's (geometry read at render time cannot
     * tell: a burst of messages may be drawn between the page's scroll and its event).
     */
    this.following = true;
    /** @type {number|null} where the page itself last scrolled to, so its scroll event is told apart */
    this.ownScrollTop = null;
    this.scroller = h('div', { className: 'timeline-scroller', id: 'timeline-scroller' }, this.olderStatus, this.timelineKeys, this.timeline);
    this.scroller.addEventListener('scroll', () => this.onScroll());
    // Messages count as read only once they were on screen (in a visible tab).
    this.seenObserver = typeof IntersectionObserver === 'undefined' ? null : new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const message = this.observed.get(entry.target);
        if (!message) continue;
        if (entry.isIntersecting) this.onScreen.add(message.seq); else this.onScreen.delete(message.seq);
      }
      this.markSeen();
    }, { root: this.scroller, threshold: 0.5 });
    document.addEventListener('visibilitychange', () => { if (this.roomId && !this.landing) this.seenFromHere(); });
    // Gap markers load what they stand for once they come into view.
    this.gapObserver = typeof IntersectionObserver === 'undefined' ? null : new IntersectionObserver((entries) => {
      for (const entry of entries) if (entry.isIntersecting) this.fillGap(/** @type {HTMLElement} */ (entry.target), null);
    }, { root: this.scroller, rootMargin: '200px 0px' });
    // Scrolled up when new messages come: a button says how many and brings you down to them.
    this.jumpButton = h('button', { type: 'button', id: 'jump-to-bottom', className: 'primary jump', hidden: true,
      onClick: () => this.scrollToBottom() });
    this.unseen = 0;
    this.newestShown = 0;
    this.typingLine = h('p', { id: 'typing-indicator', className: 'typing', 'aria-live': 'polite' });
    // No maxlength: the browser would cut a long paste silently. The counter says how far over it is.
    this.input = h('textarea', { id: 'message-input', rows: '1', placeholder: 'Write a message', 'aria-label': 'Message',
      'aria-describedby': 'message-counter' });
    this.counter = h('p', { id: 'message-counter', className: 'message-counter', 'aria-live': 'polite', hidden: true });
    // Typing @ offers the room's members, :shortcode emoji (their keys come first while a list is open).
    const inserted = () => { this.saveDraft(); this.renderCounter(); };
    this.mentionPicker = new Completion(this.input, mentionSource(() => this.mentionable()), inserted);
    this.emojiCompletion = new Completion(this.input, emojiSource(() => emojiGroupsNow(), chosenTone), inserted);
    this.input.addEventListener('keydown', (event) => {
      if (this.mentionPicker.onKeydown(event) || this.emojiCompletion.onKeydown(event)) { event.preventDefault(); event.stopPropagation(); return; }
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
      this.fileInput,
      h('button', { type: 'button', id: 'emoji-button', className: 'icon emoji-open', 'aria-label': 'Insert an emoji', title: 'Emoji',
        onClick: () => openEmojiPicker('Insert an emoji', (character) => this.insertAtCaret(character)) }, '☺'),
      this.input, h('button', { type: 'submit', id: 'send-button', className: 'primary' }, 'Send'));
    this.form.addEventListener('submit', (event) => { event.preventDefault(); this.submit(); });
    this.element = h('section', { id: 'room-view', className: 'room-view', 'aria-labelledby': 'room-title' },
      h('header', { className: 'room-header' }, this.backButton,
        h('div', { className: 'room-heading' }, this.title, this.subtitle), this.pinsButton, this.levelSelect, this.muteButton, this.blockButton, this.manageButton),
      this.inviteNotice,
      h('div', { className: 'timeline-area' }, this.scroller, this.jumpButton, this.threadPanel.element),
      this.typingLine, this.uploads.element, this.composerError, this.counter, this.mentionPicker.element, this.emojiCompletion.element, this.replyBar, this.form);
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

  /** @param {string|null} roomId */
  show(roomId) {
    const changed = roomId !== this.roomId;
    if (changed && this.roomId) this.saveDraft();
    this.roomId = roomId;
    if (!roomId) { this.roomId = null; replaceChildren(this.container, this.empty); return; }
    if (changed) {
      this.notice.hidden = true;
      this.mentionPicker.close();
      this.emojiCompletion.close();
      this.setReply(null);
      this.pickerFor = null;
      this.threadPanel.close();
      replaceChildren(this.container, this.element);
      this.element.dataset.roomId = roomId;
      this.composerError.textContent = '';
      // What was typed here before (another room, a reload) comes back.
      this.input.value = this.store.drafts.get(roomId);
      this.resizeInput();
      this.renderCounter();
      this.unseen = 0;
      this.jumpedAway = false;
      this.newestShown = 0;
      this.drawn = NEWEST;
      this.following = true;
      this.forgetNodes();
      // With unread messages, the room opens at the first of them, under a "New messages" line.
      const room = this.store.rooms.get(roomId);
      this.dividerAfter = room?.unreadCount ? this.store.readSeq(roomId) : null;
      this.landing = this.dividerAfter !== null;
      /** @type {false|'loading'|'done'} */
      this.landingLoad = false;
      this.stickToBottom = !this.landing;
    }
    this.renderHeader();
    // A room just opened is drawn at once; changes to the open one wait for the next frame (one render per frame).
    if (changed) this.renderTimeline();
    else this.scheduleRender();
    if (changed) this.input.focus();
  }

  /**
   * Who may be mentioned in the open room: its members but me, and nobody blocked either way.
   * @returns {import('./completion.js').Person[]}
   */
  mentionable() {
    const room = this.store.rooms.get(this.roomId);
    return (room?.participants || [])
      .map((/** @type {{ userId: string }} */ p) => p.userId)
      .filter((id) => id !== this.store.me.id && !this.store.isBlocked(id))
      .map((id) => ({ id, user: this.store.user(id) }))
      .filter(({ user }) => user?.username)
      .map(({ id, user }) => ({ id, username: user.username, displayName: this.store.displayName(id), avatarUrl: user.avatarUrl ?? null }));
  }

  /**
   * Puts `text` in the message box at the caret (replacing a selection), the caret after it.
   * @param {string} text
   */
  insertAtCaret(text) {
    const { selectionStart: start, selectionEnd: end, value } = this.input;
    this.input.value = value.slice(0, start) + text + value.slice(end);
    this.input.setSelectionRange(start + text.length, start + text.length);
    this.input.focus();
    this.saveDraft();
    this.renderCounter();
  }

  /** The pictures of the messages held in the open room, oldest first: the image viewer goes through them. */
  roomImages() {
    return this.store.timeline(this.roomId).messages.filter((m) => !m.deletedAt).flatMap((m) => (m.attachments || []).filter(isInlineImage));
  }

  /// Says why the open room went away (removed, or the room was deleted).
  showNotice(text) {
    this.notice.textContent = text;
    this.notice.hidden = false;
  }

  /** Opens the thread `message` started (or starts one on it). */
  openThread(/** @type {Message} */ message) {
    if (this.roomId) this.threadPanel.show(this.roomId, message);
  }

  /// The sender takes their message's card away (every device and person in the room sees it go).
  async removePreview(/** @type {Message} */ message) {
    const roomId = this.roomId;
    if (!roomId) return;
    try {
      await this.store.hideLinkPreview(roomId, message.id);
      /** @type {HTMLElement | null} */ (this.timeline.querySelector(`li[data-id="${message.id}"]`))?.focus();
    } catch (error) { this.composerError.textContent = error.message; }
  }

  /** Pins `message` in this room, or takes its pin off. */
  async togglePin(/** @type {Message} */ message) {
    this.composerError.textContent = '';
    try { await this.store.togglePin(this.roomId, message.id); } catch (error) { this.composerError.textContent = error.message; }
  }

  /** Saves `message` for me, or takes it off my saved list. */
  async toggleSaved(/** @type {Message} */ message) {
    this.composerError.textContent = '';
    try { await this.store.toggleSaved(this.roomId, message.id); } catch (error) { this.composerError.textContent = error.message; }
  }

  /** The room's pins changed: the header's count, the marks on messages and an open list follow. */
  pinsChanged() {
    this.renderHeader();
    this.scheduleRender();
    if (document.getElementById('pins-dialog')) this.redrawPins?.();
  }

  /** @param {string} level */
  async setLevel(level) {
    const room = this.store.rooms.get(this.roomId);
    if (!room) return;
    this.composerError.textContent = '';
    try {
      await this.store.setNotificationLevel(room.id, /** @type {'default'|'all'|'mentions'|'none'} */ (level));
    } catch (error) {
      this.composerError.textContent = error.message;
      this.renderHeader();
    }
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
    const pins = this.store.marks.pins(room.id).length;
    this.pinsButton.hidden = pins === 0;
    this.pinsButton.textContent = `Pinned (${pins})`;
    this.pinsButton.setAttribute('aria-label', `${pins} pinned ${pins === 1 ? 'message' : 'messages'}: show them`);
    /** @type {HTMLSelectElement} */ (this.levelSelect).value = room.muted ? 'none' : room.notificationLevel || 'default';
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
      // Their status beside their presence, where one looks first.
      const status = !blocked && other ? this.store.user(other)?.status : null;
      this.subtitle.textContent = (blocked ? 'blocked' : invited.includes(other) ? 'invited, not joined yet'
        : online ? 'online' : lastSeen(this.store.lastSeenAt(other))) + (status ? ` · ${status}` : '');
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

  /** Renders on the next animation frame: many events in one frame make one render. */
  scheduleRender() {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      if (this.roomId) this.renderTimeline();
    });
  }

  /** Forgets the items drawn for the previous room. */
  forgetNodes() {
    this.nodes.clear();
    this.seenObserver?.disconnect();
    this.gapObserver?.disconnect();
    this.observed.clear();
    this.onScreen.clear();
  }

  /**
   * The item for `key`, built again only when `sig` (what it shows) changed.
   * @param {Map<string, { node: HTMLElement, sig: string }>} next
   * @param {string} key
   * @param {string} sig
   * @param {() => HTMLElement} build
   */
  item(next, key, sig, build) {
    const known = this.nodes.get(key);
    const entry = known && known.sig === sig ? known : { node: build(), sig };
    next.set(key, entry);
    return entry.node;
  }

  /** What a message item shows, as a string: the item is rebuilt when it changes. */
  messageSig(/** @type {Message} */ message, /** @type {boolean} */ showSender) {
    const sender = this.store.user(message.senderId);
    return JSON.stringify([message.content, message.updatedAt, message.deletedAt, message.reactions, message.replyTo, message.mentions,
      message.attachments?.length, showSender, this.store.displayName(message.senderId), sender?.avatarUrl, this.pickerFor === message.id,
      this.highlight?.id === message.id && Date.now() < this.highlight.until, this.expanded.has(message.id),
      this.store.marks.isPinned(this.roomId, message.id), this.store.marks.isSaved(message.id), message.thread,
      message.linkPreview, this.previews.state(this.roomId, message)]);
  }

  renderTimeline({ keepOlderAnchor = false } = {}) {
    const room = this.store.rooms.get(this.roomId);
    if (!room) return;
    const timeline = this.store.timeline(this.roomId);
    const scroller = this.scroller;
    const atBottom = this.following || this.distanceToBottom() < 40;
    const anchor = atBottom && !keepOlderAnchor ? null : this.anchor();
    const focus = this.focusedItem();
    /** @type {Map<string, { node: HTMLElement, sig: string }>} */
    const next = new Map();
    /** @type {HTMLElement[]} */
    const items = [];
    let previousSender = null;
    let previousDay = null;
    const me = this.store.me.id;
    const divider = this.dividerLine(timeline);
    const seen = this.seenLine(room, timeline.messages);
    // Only a stretch of the held messages is drawn: around a message jumped to or the first
    // unread one, else where it was, cut to its bound on the side away from what is read.
    const messages = timeline.messages;
    if (this.stickToBottom) this.drawn = NEWEST;
    const around = this.focusId ? timeline.byId.get(this.focusId)?.seq ?? null : this.landing && divider ? divider.seq : null;
    const reading = (atBottom && !keepOlderAnchor) || this.stickToBottom ? null : this.readingIndex(anchor, messages);
    const { lo, hi, drawn } = drawnRange(messages, this.drawn, { around, reading });
    this.drawn = drawn;
    this.drawnLo = lo;
    this.drawnHi = hi;
    const drawsNewest = hi === messages.length - 1;
    // The beginning of a group: who made it (the server keeps no message for that).
    if (room.roomType === 'group' && timeline.loaded && !timeline.hasMore && lo === 0 && room.createdBy) {
      const text = `${this.store.displayName(room.createdBy)} created the group`;
      items.push(this.item(next, 'created', text, () => h('li', { className: 'created-line' }, text)));
    }
    let index = -1; // of the last message met, in `messages`
    for (const entry of timeline.entries()) {
      if (entry.kind === 'gap') {
        // A gap between two drawn messages, or after the newest when it is drawn.
        if (index < lo || (index >= hi && !drawsNewest)) continue;
        const { after, before } = entry;
        items.push(this.item(next, `gap:${after}:${before}`, '', () => gapItem(this, after, before)));
        previousSender = null;
        continue;
      }
      index += 1;
      if (index < lo || index > hi) continue;
      const message = entry.message;
      // Replies in a thread are in the thread's panel, not here (they keep their seq place in the history).
      if (message.threadRootId) continue;
      // A line with the date wherever the day changes.
      const day = new Date(message.createdAt).toDateString();
      if (day !== previousDay) {
        items.push(this.item(next, `day:${day}:${message.seq}`, day, () => h('li', { className: 'date-separator' }, h('span', {}, dayLabel(message.createdAt)))));
        previousDay = day;
        previousSender = null;
      }
      if (divider && message.id === divider.id) {
        items.push(this.item(next, 'unread-divider', '', () => h('li', { id: 'unread-divider', className: 'unread-divider' },
          h('span', {}, 'New messages'))));
        previousSender = null;
      }
      if (message.messageType === 'system') {
        const text = this.store.systemText(message);
        items.push(this.item(next, `m:${message.id}`, text, () => h('li', { className: 'system-line', dataset: { id: message.id, seq: String(message.seq) } }, text)));
        previousSender = null;
      } else {
        const showSender = message.senderId !== previousSender;
        items.push(this.item(next, `m:${message.id}`, this.messageSig(message, showSender), () => messageItem(this, message, room, showSender)));
        previousSender = message.senderId;
      }
      // "Seen" under the message it is about.
      if (seen && seen.message.id === message.id) {
        items.push(this.item(next, 'seen', seen.text, () => h('li', { id: 'seen-by', className: 'seen-by' }, seen.text)));
      }
    }
    for (const pending of drawsNewest ? this.store.pendingMessages(this.roomId) : []) {
      items.push(this.item(next, `p:${pending.clientMessageId}`, pending.state, () => pendingItem(this, pending)));
    }
    reconcile(this.timeline, items);
    this.observe(next, timeline);
    this.nodes = next;
    this.restoreFocus(focus);
    this.olderStatus.textContent = !timeline.loaded ? 'Loading…' : timeline.hasMore || lo > 0 ? '' : 'This is the beginning of the conversation.';
    this.renderTyping();
    const newest = timeline.newestSeq;
    const arrived = timeline.messages.filter((m) => m.seq > this.newestShown && m.senderId !== me && m.messageType !== 'system'
      && !m.threadRootId).length;
    if (this.landing && timeline.loaded) this.land(timeline);
    else if ((atBottom && !keepOlderAnchor) || this.stickToBottom) { this.scrollTo(scroller.scrollHeight); this.unseen = 0; }
    else {
      if (anchor) this.restoreAnchor(anchor);
      if (this.newestShown && arrived && !this.focusId) this.unseen += arrived;
    }
    this.newestShown = Math.max(this.newestShown, newest);
    this.stickToBottom = false;
    this.renderJump();
    if (timeline.loaded && (timeline.hasMore || lo > 0) && scroller.scrollHeight <= scroller.clientHeight) this.older();
    if (this.focusId) this.reveal(this.focusId);
    // A bounded window: far from where one reads, history is let go (it loads again on the way back).
    if (timeline.messages.length > MAX_MESSAGES && !this.trimming) {
      this.trimming = true;
      queueMicrotask(() => {
        this.trimming = false;
        const t = this.store.timeline(this.roomId);
        // Reading old history (the newest not drawn): the newest go, else the oldest.
        if (t.trim(MAX_MESSAGES, this.drawn.last !== null ? 'oldest' : 'newest')) this.renderTimeline({ keepOlderAnchor: true });
      });
    }
    // (Read markers move when the IntersectionObserver says what is on screen, after layout.)
  }

  /**
   * The first unread message, if it is held with nothing missing between it and my read marker:
   * "New messages" goes above it.
   * @param {import('../store/timeline.js').Timeline} timeline
   */
  dividerLine(timeline) {
    if (this.dividerAfter === null) return null;
    const first = firstUnread(timeline.messages, this.dividerAfter, this.store.me.id);
    if (!first) return null;
    return first.seq === this.dividerAfter + 1 || timeline.continuous(this.dividerAfter, first.seq) ? first : null;
  }

  /**
   * Opens at the first unread message (loading the history around it first if it is not held).
   * @param {import('../store/timeline.js').Timeline} timeline
   */
  land(timeline) {
    const divider = this.timeline.querySelector('#unread-divider');
    if (divider) {
      this.landing = false;
      this.scrollTo(this.scroller.scrollTop + divider.getBoundingClientRect().top - this.scroller.getBoundingClientRect().top - 8);
      this.seenFromHere();
      return;
    }
    if (!this.landingLoad && timeline.messages.length && !timeline.continuous(this.dividerAfter, this.dividerAfter + 1)) {
      // The first unread message is not held: load the history around it, then land there.
      this.landingLoad = 'loading';
      const roomId = this.roomId;
      this.store.loadAround(roomId, { seq: this.dividerAfter + 1 })
        .catch(() => {})
        .finally(() => { if (this.roomId === roomId && this.landingLoad) { this.landingLoad = 'done'; this.scheduleRender(); } });
      return;
    }
    if (this.landingLoad === 'loading') return;
    // Nothing unread to land at (one's own messages, deleted ones), or it could not be loaded: the newest, as usual.
    this.landing = false;
    this.scrollTo(this.scroller.scrollHeight);
    this.seenFromHere();
  }

  /**
   * Landed: what is on screen now, from the items' boxes (the observer reports only
   * changes, and an item on screen before and after the landing would never be reported
   * again), then read as usual.
   */
  seenFromHere() {
    this.onScreen.clear();
    const view = this.scroller.getBoundingClientRect();
    for (const [element, message] of this.observed) {
      if (!element.isConnected) continue;
      const box = element.getBoundingClientRect();
      const shown = Math.min(box.bottom, view.bottom) - Math.max(box.top, view.top);
      if (box.height > 0 && shown >= box.height * 0.5) this.onScreen.add(message.seq);
    }
    this.markSeen();
  }

  /**
   * The newest of my messages someone has read, and who: the "Seen" line goes under it.
   * @param {Room} room
   * @param {Message[]} messages
   */
  seenLine(room, messages) {
    const me = this.store.me.id;
    for (let index = messages.length - 1; index >= 0; index -= 1) {
      const message = messages[index];
      if (message.senderId !== me || message.deletedAt || message.messageType === 'system') continue;
      const readers = this.store.readers(room.id, message.seq);
      if (!readers.length) {
        // Only my newest message may go unseen; an older one's readers are worth saying.
        continue;
      }
      const names = readers.map((id) => this.store.displayName(id));
      return { message, text: room.roomType === 'direct' ? 'Seen' : `Seen by ${names.join(', ')}` };
    }
    return null;
  }

  /**
   * Watches others' messages (read once on screen) and the gap markers (loaded once in view).
   * @param {Map<string, { node: HTMLElement, sig: string }>} next
   * @param {import('../store/timeline.js').Timeline} timeline
   */
  observe(next, timeline) {
    const me = this.store.me.id;
    for (const [element] of this.observed) {
      if (!element.isConnected) { this.seenObserver?.unobserve(element); this.observed.delete(element); }
    }
    for (const [key, { node }] of next) {
      if (key.startsWith('gap:')) { this.gapObserver?.observe(node); continue; }
      if (!key.startsWith('m:') || this.observed.has(node)) continue;
      const message = timeline.byId.get(key.slice(2));
      if (!message || message.senderId === me) continue;
      this.observed.set(node, message);
      this.seenObserver?.observe(node);
    }
    // Seqs of messages no longer drawn are not on screen.
    const drawn = new Set([...this.observed.values()].map((m) => m.seq));
    for (const seq of this.onScreen) if (!drawn.has(seq)) this.onScreen.delete(seq);
  }

  /** Marks read up to the newest message of others that is on screen, if the tab is visible. */
  markSeen() {
    // Not while the room is still on its way to its first unread message.
    if (!this.roomId || this.landing || document.visibilityState !== 'visible' || !this.onScreen.size) return;
    const newest = Math.max(...this.onScreen);
    const message = this.store.timeline(this.roomId).messages.find((m) => m.seq === newest);
    if (message && this.store.readSeq(this.roomId) < newest) this.store.markRead(this.roomId, message);
    else if (message && this.store.rooms.get(this.roomId)?.unreadCount && newest >= this.store.timeline(this.roomId).newestSeq) {
      this.store.markRead(this.roomId, message);
    }
  }

  /**
   * Loads what a gap marker stands for: newer messages (the stretch below it grows) or older
   * ones (the stretch above it grows down). `direction` null: the way one is scrolling.
   * @param {HTMLElement|null} marker
   * @param {'older'|'newer'|null} direction
   */
  async fillGap(marker, direction) {
    if (!marker || !this.roomId || !marker.isConnected) return;
    const roomId = this.roomId;
    const after = Number(marker.dataset.after);
    const before = marker.dataset.before ? Number(marker.dataset.before) : null;
    const way = direction ?? (before === null || this.scrollingDown ? 'newer' : 'older');
    try {
      if (way === 'older' && before !== null) await this.store.loadBefore(roomId, before);
      else await this.store.loadAfter(roomId, after);
    } catch (error) {
      if (this.roomId === roomId) this.composerError.textContent = `Could not load messages: ${error.message}`;
    }
  }

  /** The first item at or below the top of the view, and where it is: kept in place by the next render. */
  anchor() {
    const top = this.scroller.getBoundingClientRect().top;
    for (const [key, { node }] of this.nodes) {
      if (!node.isConnected || key.startsWith('day:')) continue;
      const rect = node.getBoundingClientRect();
      if (rect.bottom > top) return { key, offset: rect.top - top };
    }
    return null;
  }

  /**
   * The index (in `messages`) of the message at the anchor, or the first message drawn below it.
   * @param {{ key: string, offset: number } | null} anchor
   * @param {Message[]} messages
   */
  readingIndex(anchor, messages) {
    if (!anchor) return null;
    let found = false;
    for (const key of this.nodes.keys()) {
      found ||= key === anchor.key;
      if (!found || !key.startsWith('m:')) continue;
      const message = this.store.timeline(this.roomId).byId.get(key.slice(2));
      if (message) return indexAtOrAbove(messages, message.seq);
    }
    return null;
  }

  /** @param {{ key: string, offset: number }} anchor */
  restoreAnchor(anchor) {
    const node = this.nodes.get(anchor.key)?.node;
    if (!node?.isConnected) return;
    const offset = node.getBoundingClientRect().top - this.scroller.getBoundingClientRect().top;
    this.scrollTo(this.scroller.scrollTop + offset - anchor.offset);
  }

  /** Which item holds the focus, and which of its controls, so a rebuilt item gets it back. */
  focusedItem() {
    const active = document.activeElement;
    if (!active || !this.timeline.contains(active) || active === this.timeline) return null;
    const item = active.closest('li');
    const key = [...this.nodes].find(([, { node }]) => node === item)?.[0];
    return key ? { key, className: active.className.split(' ').filter(Boolean).pop() || '', element: active } : null;
  }

  /** @param {{ key: string, className: string, element: Element } | null} focus */
  restoreFocus(focus) {
    if (!focus || focus.element.isConnected) return;
    const node = this.nodes.get(focus.key)?.node;
    const target = node && (focus.className ? node.querySelector(`.${CSS.escape(focus.className)}`) : null);
    /** @type {HTMLElement} */ (target || (node?.isConnected ? node : this.timeline)).focus?.({ preventScroll: true });
    if (document.activeElement === document.body) this.timeline.focus({ preventScroll: true });
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
    this.scrollTo(this.scroller.scrollTop);
    setTimeout(() => {
      if (this.highlight?.id !== messageId) return;
      this.highlight = null;
      this.renderTimeline();
    }, 3000);
  }

  /**
   * A key pressed on a focused message: R replies, E edits, + reacts, Delete deletes.
   * @param {HTMLElement} item
   * @param {string} key
   */
  messageShortcut(item, key) {
    const room = this.store.rooms.get(this.roomId);
    const message = this.store.timeline(this.roomId).byId.get(item.dataset.id || '');
    if (!room || !message || message.deletedAt || message.messageType === 'system') return false;
    if (key === 'r') this.setReply(message);
    else if (key === 'e' && canEdit(this, message)) this.actions.edit(this.roomId, message);
    else if (key === '+') this.togglePicker(message);
    else if (key === 'delete' && canDelete(this, message, room)) this.actions.remove(this.roomId, message);
    else return false;
    return true;
  }

  /**
   * Opens the reaction picker under a message (focus on its first emoji), or closes it (focus back on React).
   * @param {Message} message
   */
  togglePicker(message) {
    const opening = this.pickerFor !== message.id;
    this.pickerFor = opening ? message.id : null;
    this.renderTimeline({ keepOlderAnchor: true });
    const item = this.nodes.get(`m:${message.id}`)?.node;
    /** @type {HTMLElement|null|undefined} */ (item?.querySelector(opening ? '.pick-reaction' : '.react-message'))?.focus();
  }

  /**
   * Esc in a message: closes its reaction picker, if open. Says whether it did.
   * @param {HTMLElement} item
   */
  closePickerIn(item) {
    const message = this.pickerFor && item.dataset.id === this.pickerFor ? this.store.timeline(this.roomId).byId.get(this.pickerFor) : null;
    if (!message) return false;
    this.togglePicker(message);
    return true;
  }

  async react(message, emoji) {
    try { await this.store.toggleReaction(this.roomId, message.id, emoji); } catch (error) { this.composerError.textContent = error.message; this.renderTimeline(); }
  }

  renderTyping() {
    const names = this.store.typingIn(this.roomId).map((id) => this.store.displayName(id));
    this.typingLine.textContent = !names.length ? '' : names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
  }

  /** How far the view is from the bottom of what is drawn, in pixels. */
  distanceToBottom() {
    return this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight;
  }

  /**
   * The page scrolls (to the newest, to an anchor, to a message): noted, so that its scroll
   * event does not count as the reader's, and whether that is the bottom.
   * @param {number} top
   */
  scrollTo(top) {
    this.scroller.scrollTop = top;
    this.ownScrollTop = this.scroller.scrollTop;
    this.following = this.distanceToBottom() < 40;
  }

  async onScroll() {
    const scroller = this.scroller;
    const own = this.ownScrollTop !== null && Math.abs(scroller.scrollTop - this.ownScrollTop) < 1;
    this.ownScrollTop = null;
    if (!own) this.following = this.distanceToBottom() < 40;
    this.scrollingDown = scroller.scrollTop > this.lastScrollTop;
    this.lastScrollTop = scroller.scrollTop;
    const nearBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
    if (nearBottom && (this.unseen || this.jumpedAway)) {
      this.unseen = 0;
      this.jumpedAway = false;
      this.renderJump();
    }
    // Scrolling down past the newest message drawn draws newer ones; past the newest held, loads them.
    const timeline = this.store.timeline(this.roomId);
    if (nearBottom && this.drawn.last !== null && this.drawnHi < timeline.messages.length - 1) {
      this.drawn = grownDown(timeline.messages, this.drawnHi, this.drawn);
      this.renderTimeline({ keepOlderAnchor: true });
      return;
    }
    if (nearBottom && timeline.newerMissing && !timeline.loading && timeline.messages.length) {
      await this.store.loadAfter(this.roomId, timeline.newestSeq).catch(() => {});
      return;
    }
    if (scroller.scrollTop < 80) await this.older();
  }

  /** Draws older messages held above the drawn ones, or, with none, loads them. */
  async older() {
    const timeline = this.store.timeline(this.roomId);
    if (this.drawnLo > 0) {
      this.drawn = grownUp(timeline.messages, this.drawnLo, this.drawn);
      this.renderTimeline({ keepOlderAnchor: true });
      return;
    }
    await this.loadOlder();
  }

  renderJump() {
    // After a jump to an old message (a search hit, a quote), the way back stays offered until one is back.
    const behind = Boolean(this.store.timeline(this.roomId)?.newerMissing) || this.drawn.last !== null || (this.jumpedAway && !this.unseen);
    this.jumpButton.hidden = this.unseen === 0 && !behind;
    this.jumpButton.textContent = behind ? '↓ Jump to the latest messages' : `↓ ${this.unseen} new message${this.unseen === 1 ? '' : 's'}`;
  }

  async scrollToBottom() {
    this.drawn = NEWEST;
    this.stickToBottom = true;
    if (this.store.timeline(this.roomId)?.newerMissing) await this.store.resetToNewest(this.roomId);
    this.renderTimeline();
    this.scrollTo(this.scroller.scrollHeight);
    this.unseen = 0;
    this.jumpedAway = false;
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

  /** Keeps what is typed for this room (a switch or a reload loses nothing), and counts it near the limit. */
  saveDraft() {
    if (this.roomId) this.store.drafts.set(this.roomId, this.input.value);
  }

  /** The number of characters, once the text nears the server's limit; over it, by how much. */
  renderCounter() {
    const limit = this.store.limits?.maxMessageLength || 4000;
    const text = this.input.value;
    // Cheap first: far from the limit even counted in UTF-16 units.
    const count = text.length < limit - COUNTER_FROM ? text.length : characterCount(text.trim());
    const near = count >= limit - COUNTER_FROM;
    this.counter.hidden = !near;
    this.counter.classList.toggle('over', count > limit);
    this.counter.textContent = !near ? '' : count > limit
      ? `${count - limit} ${count - limit === 1 ? 'character' : 'characters'} over the limit of ${limit}: shorten it to send`
      : `${count} / ${limit}`;
    return { count, limit };
  }

  resizeInput() {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 160)}px`;
    this.input.style.overflowY = this.input.scrollHeight > 160 ? 'auto' : 'hidden';
  }

  onInput() {
    this.saveDraft();
    this.renderCounter();
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
    const { count, limit } = this.renderCounter();
    if (count > limit) {
      // Never cut: the text stays as typed until it is short enough.
      this.composerError.textContent = `This message is ${count} characters long; messages can be at most ${limit}.`;
      return;
    }
    const roomId = this.roomId;
    this.input.value = '';
    this.store.drafts.clear(roomId);
    this.renderCounter();
    this.input.style.height = 'auto';
    this.composerError.textContent = '';
    this.stickToBottom = true;
    const replyTo = this.replyingTo?.id || null;
    this.setReply(null);
    try {
      await this.store.send(roomId, content, undefined, replyTo);
    } catch (error) {
      if (this.roomId === roomId && !this.input.value) { this.input.value = content; this.saveDraft(); }
      else this.store.drafts.set(roomId, content);
      if (this.roomId === roomId) this.composerError.textContent = error.message;
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
