// @ts-check
// The room list: newest activity first, with unread badges, a preview of the
// last message and, for direct chats, the other person's presence.

import { h, avatar, formatTime, replaceChildren } from '../dom.js';
import { plainText } from '../format.js';

export function renderRoomList(list, store, onOpen) {
  const rooms = store.sortedRooms();
  if (!rooms.length) {
    replaceChildren(list, h('li', { className: 'empty' }, 'No conversations yet. Start one with “New chat”.'));
    return;
  }
  // The row that has the keyboard focus keeps it through the rebuild (a message arriving re-sorts the list).
  const active = document.activeElement;
  const focusedRoom = active instanceof HTMLElement && list.contains(active) ? active.closest('.room-item')?.getAttribute('data-room-id') : null;
  replaceChildren(list, rooms.map((room) => {
    const title = store.roomTitle(room);
    const other = room.roomType === 'direct' ? store.otherParticipant(room) : null;
    const online = other ? store.isOnline(other) : false;
    const last = room.lastMessage;
    const preview = !last ? 'No messages yet'
      : last.messageType === 'system' ? store.systemText(last)
      : last.deletedAt ? 'Message deleted'
        : `${last.senderId === store.me.id ? 'You: ' : room.roomType === 'group' ? `${store.displayName(last.senderId)}: ` : ''}${last.content ? plainText(last.content) : attachmentSummary(last)}`;
    const unread = room.unreadCount || 0;
    const mentions = room.mentionCount || 0;
    const label = `${title}${unread ? `, ${unread} unread` : ''}${mentions ? `, ${mentions} mentioning you` : ''}${room.muted ? ', muted' : ''}`
      + `${other ? (online ? ', online' : ', offline') : ''}`;
    return h('li', {},
      h('button', {
        type: 'button', className: `room-item${room.id === store.activeRoomId ? ' active' : ''}${room.muted ? ' muted' : ''}`,
        dataset: { roomId: room.id }, 'aria-label': label, 'aria-current': room.id === store.activeRoomId ? 'true' : undefined,
        onClick: () => onOpen(room.id),
      },
      avatar(title, other ? store.user(other)?.avatarUrl : null, 'avatar',
        other ? h('span', { className: `presence-dot${online ? ' online' : ''}` }) : null),
      h('span', { className: 'room-text' },
        h('span', { className: 'room-line' },
          h('span', { className: 'room-name' }, title),
          last ? h('time', { className: 'room-time', datetime: last.createdAt }, formatTime(last.createdAt)) : null),
        h('span', { className: 'room-line' },
          h('span', { className: 'room-preview' }, preview),
          h('span', { className: 'room-badges' },
            room.muted ? h('span', { className: 'muted-mark', title: 'Muted' }, '🔕') : null,
            mentions ? h('span', { className: 'mention-badge', title: `${mentions} mentioning you` }, `@${mentions > 99 ? '99+' : mentions}`) : null,
            unread ? h('span', { className: 'unread-badge' }, unread > 99 ? '99+' : String(unread)) : null)))));
  }));
  if (focusedRoom) /** @type {HTMLElement|null} */ (list.querySelector(`.room-item[data-room-id="${CSS.escape(focusedRoom)}"]`))?.focus({ preventScroll: true });
}

/// "Photo", "2 photos", "report.pdf" — what a message without text carries.
function attachmentSummary(message) {
  const attachments = message.attachments || [];
  if (!attachments.length) return '';
  if (message.messageType === 'image') return attachments.length === 1 ? 'Photo' : `${attachments.length} photos`;
  return attachments.length === 1 ? attachments[0].filename : `${attachments.length} files`;
}
