// @ts-check
// The items of a conversation's timeline, as the room view draws them: a
// message (sender, quote, text with "Show more" when long, attachments,
// reactions, its actions and the reaction picker), one's own message on its
// way, and the marker where messages are not loaded. Each takes the room view
// for what it shows (the store, the picker's and "Show more" state) and for
// what its controls do.

import { h, avatar, formatTime, formatFull } from '../dom.js';
import { attachmentList } from './attachments.js';
import { linkPreviewCard } from './link-preview.js';
import { formatMessage } from '../format.js';
import { oneTabStop } from './message-keys.js';
import { openEmojiPicker } from './emoji-picker.js';

/** @typedef {import('./room.js').RoomView} RoomView */
/** @typedef {import('../protocol.js').Message} Message */
/** @typedef {import('../protocol.js').Room} Room */

/** A message longer than this (characters or lines) shows its beginning with "Show more". */
const LONG_CHARACTERS = 700;
const LONG_LINES = 12;

/// The emoji offered by the reaction picker (the API takes any single emoji).
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢', '👀', '✅'];

/**
 * A message's first line, for the reply bar.
 * @param {Message} message
 */
export function excerpt(message) {
  const line = (message.content || '').trim().split('\n')[0];
  if (line) return line.length > 140 ? `${line.slice(0, 140)}…` : line;
  return message.messageType === 'image' ? 'Photo' : 'File';
}

/**
 * @param {RoomView} view
 * A marker where messages are missing between two loaded stretches (or after the last).
 * @param {number} after
 * @param {number} before
 */
export function gapItem(view, after, before) {
  const older = Number.isFinite(before)
    ? h('button', { type: 'button', className: 'link load-older', onClick: (/** @type {Event} */ event) => view.fillGap(/** @type {HTMLElement} */ (event.currentTarget).closest('li'), 'older') }, 'Load older messages')
    : null;
  const newer = h('button', { type: 'button', className: 'link load-newer', onClick: (/** @type {Event} */ event) => view.fillGap(/** @type {HTMLElement} */ (event.currentTarget).closest('li'), 'newer') }, 'Load newer messages');
  return h('li', { className: 'gap-marker',
    dataset: { after: String(after), before: Number.isFinite(before) ? String(before) : '' } },
  h('span', { className: 'gap-text' }, 'Messages not loaded here'), older, newer);
}

/**
 * @param {RoomView} view
 * Whether I may delete `message`: mine, or I run the group.
 * @param {Message} message
 * @param {Room} room
 */
export function canDelete(view, message, room) {
  return message.senderId === view.store.me.id || (room.roomType === 'group' && ['owner', 'admin'].includes(view.store.myRole(room)));
}

/**
 * @param {RoomView} view
 * Whether I may pin and unpin in `room`: either person of a direct room, the owners and admins of a group.
 * @param {Room} room
 */
export function canPin(view, room) {
  return room.roomType === 'direct' || ['owner', 'admin'].includes(view.store.myRole(room));
}

/**
 * @param {RoomView} view
 * Whether I may edit `message`: my own text message.
 * @param {Message} message
 */
export function canEdit(view, message) {
  return message.senderId === view.store.me.id && !message.deletedAt && !message.attachments?.length && message.messageType !== 'system';
}

/** @param {RoomView} view */
export function messageItem(view, message, room, showSender) {
  const me = view.store.me.id;
  const mine = message.senderId === me;
  const deleted = Boolean(message.deletedAt);
  const deletable = canDelete(view, message, room);
  const edited = !deleted && message.updatedAt && message.updatedAt !== message.createdAt;
  const mentionsMe = !mine && !deleted && (message.mentions || []).includes(me);
  const pinned = !deleted && view.store.marks.isPinned(view.roomId, message.id);
  const saved = !deleted && view.store.marks.isSaved(message.id);
  const pinnable = message.messageType !== 'system' && canPin(view, room);
  return oneTabStop(h('li', {
    className: `message${mine ? ' mine' : ''}${deleted ? ' deleted' : ''}${mentionsMe ? ' mentions-me' : ''}`
      + `${view.highlight?.id === message.id && Date.now() < view.highlight.until ? ' found' : ''}`,
    dataset: { id: message.id, seq: String(message.seq), clientId: message.clientMessageId || '', state: 'stored' },
  },
  // Their picture and name open their card.
  showSender && !mine ? h('button', { type: 'button', className: 'avatar-button', 'aria-label': `${view.store.displayName(message.senderId)}: show profile`,
    onClick: () => view.actions.profile(message.senderId) },
  avatar(view.store.displayName(message.senderId), view.store.user(message.senderId)?.avatarUrl, 'avatar small')) : null,
  h('div', { className: 'bubble' },
    mine ? h('span', { className: 'message-sender' }, view.store.displayName(message.senderId))
      : showSender ? h('button', { type: 'button', className: 'message-sender', onClick: () => view.actions.profile(message.senderId) },
        view.store.displayName(message.senderId)) : null,
    message.replyTo && !deleted ? quoteOf(view, message.replyTo) : null,
    deleted ? h('p', { className: 'message-content deleted-note' }, 'This message was deleted')
      : message.content ? contentOf(view, message) : null,
    !deleted && view.previews ? linkPreviewCard(view.previews, message, mine ? () => view.removePreview(message) : null) : null,
    !deleted && message.attachments?.length ? attachmentList(view.roomId, message.attachments, view.attachments, () => view.roomImages()) : null,
    !deleted && message.reactions?.length ? reactionBar(view, message) : null,
    message.thread?.replyCount ? h('button', { type: 'button', className: 'link thread-summary', 'aria-label': `Open the thread: ${message.thread.replyCount} ${message.thread.replyCount === 1 ? 'reply' : 'replies'}`,
      onClick: () => view.openThread(message) },
    `💬 ${message.thread.replyCount} ${message.thread.replyCount === 1 ? 'reply' : 'replies'} · last ${formatTime(message.thread.lastReplyAt)}`
      + (message.thread.participantIds?.length ? ` · ${message.thread.participantIds.slice(0, 3).map((id) => view.store.displayName(id)).join(', ')}` : '')) : null,
    h('span', { className: 'message-meta' },
      h('time', { datetime: message.createdAt, title: formatFull(message.createdAt) }, formatTime(message.createdAt)),
      edited ? h('span', { className: 'edited' }, ' · edited') : null,
      pinned ? h('span', { className: 'mark pinned-mark', title: 'Pinned in this conversation' }, ' · 📌 pinned') : null,
      saved ? h('span', { className: 'mark saved-mark', title: 'In your saved messages' }, ' · 🔖 saved') : null),
    deleted ? null : h('span', { className: 'message-actions' },
      h('button', { type: 'button', className: 'action reply-message', 'aria-label': 'Reply to message', 'aria-keyshortcuts': 'R',
        onClick: () => view.setReply(message) }, 'Reply'),
      h('button', { type: 'button', className: 'action react-message', 'aria-label': 'Add reaction', 'aria-keyshortcuts': '+',
        'aria-expanded': view.pickerFor === message.id ? 'true' : 'false', onClick: () => view.togglePicker(message) }, 'React'),
      message.messageType !== 'system' ? h('button', { type: 'button', className: 'action thread-message', 'aria-label': 'Reply in a thread',
        onClick: () => view.openThread(message) }, 'Thread') : null,
      pinnable ? h('button', { type: 'button', className: 'action pin-message', 'aria-pressed': pinned ? 'true' : 'false',
        'aria-label': pinned ? 'Unpin message' : 'Pin message', onClick: () => view.togglePin(message) }, pinned ? 'Unpin' : 'Pin') : null,
      message.messageType !== 'system' ? h('button', { type: 'button', className: 'action save-message', 'aria-pressed': saved ? 'true' : 'false',
        'aria-label': saved ? 'Remove from saved messages' : 'Save message', onClick: () => view.toggleSaved(message) }, saved ? 'Unsave' : 'Save') : null,
      canEdit(view, message) ? h('button', { type: 'button', className: 'action edit-message', 'aria-label': 'Edit message', 'aria-keyshortcuts': 'E',
        onClick: () => view.actions.edit(view.roomId, message) }, 'Edit') : null,
      deletable ? h('button', { type: 'button', className: 'action delete-message', 'aria-label': 'Delete message', 'aria-keyshortcuts': 'Delete',
        onClick: () => view.actions.remove(view.roomId, message) }, 'Delete') : null),
    !deleted && view.pickerFor === message.id ? picker(view, message) : null)));
}

/**
 * @param {RoomView} view
 * A message's text; a long one (many lines or characters) shows its beginning with
 * "Show more" (the whole text is in the page either way, for search and screen readers).
 * @param {Message} message
 */
export function contentOf(view, message) {
  const id = `content-${message.id}`;
  const content = h('div', { className: 'message-content', id }, formatMessage(message.content, (name) => mentionOf(view, message, name)));
  const text = message.content || '';
  const long = text.length > LONG_CHARACTERS || text.split('\n').length > LONG_LINES;
  if (!long) return content;
  const open = view.expanded.has(message.id);
  if (!open) content.classList.add('collapsed');
  const toggle = h('button', { type: 'button', className: 'link show-more', 'aria-expanded': open ? 'true' : 'false', 'aria-controls': id,
    onClick: () => {
      if (view.expanded.has(message.id)) view.expanded.delete(message.id); else view.expanded.add(message.id);
      view.renderTimeline({ keepOlderAnchor: true });
    } }, open ? 'Show less' : 'Show more');
  return [content, toggle];
}

/**
 * How an @name in `message` shows: as the person's display name, marked 'me' when it names me
 * and 'other' for another person the message mentions; null (plain text) for anyone else.
 * @param {RoomView} view
 * @param {Message} message
 * @param {string} name
 */
export function mentionOf(view, message, name) {
  const lower = name.toLowerCase();
  const me = view.store.me;
  if (me.username?.toLowerCase() === lower) {
    return (message.mentions || []).includes(me.id) ? { kind: 'me', label: me.displayName || me.username } : null;
  }
  const id = (message.mentions || []).find((candidate) => view.store.user(candidate)?.username?.toLowerCase() === lower);
  return id ? { kind: 'other', label: view.store.displayName(id) } : null;
}

/** @param {RoomView} view */
export function quoteOf(view, quote) {
  const who = view.store.displayName(quote.senderId);
  const text = quote.deleted ? 'Original message was deleted' : quote.excerpt || (quote.messageType === 'image' ? 'Photo' : quote.messageType === 'file' ? 'File' : '');
  return h('button', { type: 'button', className: `reply-quote${quote.deleted ? ' deleted' : ''}`, 'aria-label': `Reply to ${who}: ${text}. Show it`,
    onClick: () => view.actions.jumpTo(view.roomId, quote.id) },
  h('span', { className: 'reply-quote-sender' }, who), h('span', { className: 'reply-quote-text' }, text));
}

/** @param {RoomView} view */
export function reactionBar(view, message) {
  const me = view.store.me.id;
  return h('div', { className: 'reactions', role: 'group', 'aria-label': 'Reactions' }, message.reactions.map((reaction) => {
    const mine = reaction.userIds.includes(me);
    const names = reaction.userIds.map((id) => view.store.displayName(id)).join(', ');
    return h('button', { type: 'button', className: `reaction${mine ? ' mine' : ''}`, 'aria-pressed': mine ? 'true' : 'false',
      title: names, 'aria-label': `${reaction.emoji} ${reaction.count}: ${names}`, dataset: { emoji: reaction.emoji },
      onClick: () => view.react(message, reaction.emoji) },
    h('span', { className: 'reaction-emoji' }, reaction.emoji), h('span', { className: 'reaction-count' }, String(reaction.count)));
  }));
}

/** @param {RoomView} view */
export function picker(view, message) {
  return h('div', { className: 'reaction-picker', role: 'group', 'aria-label': 'Pick a reaction' },
    QUICK_REACTIONS.map((emoji) => h('button', { type: 'button', className: 'pick-reaction', 'aria-label': `React with ${emoji}`, dataset: { emoji },
      onClick: () => { view.pickerFor = null; view.react(message, emoji); } }, emoji)),
    // Any other emoji: the full picker.
    h('button', { type: 'button', className: 'pick-more', 'aria-label': 'More emoji…', title: 'More emoji',
      onClick: () => { view.pickerFor = null; view.renderTimeline({ keepOlderAnchor: true }); openEmojiPicker('React with…', (emoji) => view.react(message, emoji)); } },
    '…'));
}

/** @param {RoomView} view */
export function pendingItem(view, pending) {
  const failed = pending.state === 'failed';
  return oneTabStop(h('li', { className: `message mine pending${failed ? ' failed' : ''}`, dataset: { clientId: pending.clientMessageId, state: pending.state } },
    h('div', { className: 'bubble' },
      h('p', { className: 'message-content' }, pending.content),
      h('span', { className: 'message-meta' }, failed ? 'Not sent. ' : 'Sending…',
        failed ? h('button', { type: 'button', className: 'link retry-message', onClick: () => view.store.retry(pending.roomId, pending.clientMessageId) }, 'Retry') : null))));
}
