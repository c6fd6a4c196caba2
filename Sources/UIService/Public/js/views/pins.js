// @ts-check
// A room's pinned messages, from the "Pinned" button of its header: each with
// who wrote it, when, and its first line; "Show" opens the conversation at it,
// and the room's owners and admins (either person of a direct room) unpin it
// here. The list follows pins made and taken off while it is open.

import { h, formatTime, replaceChildren } from '../dom.js';
import { openDialog } from './dialogs.js';
import { canPin, excerpt } from './message-item.js';

/** @typedef {import('./room.js').RoomView} RoomView */

/**
 * Opens the list for the view's room; answers a function that draws it again (for live changes).
 * @param {RoomView} view
 */
export function openPinsDialog(view) {
  const roomId = view.roomId;
  if (!roomId) return null;
  const list = h('ul', { id: 'pins-list', className: 'pins-list', 'aria-label': 'Pinned messages' });
  const dialog = openDialog('pins-dialog', 'Pinned messages', list);
  const draw = () => {
    const room = view.store.rooms.get(roomId);
    if (!room || !dialog.open) return;
    const pins = view.store.marks.pins(roomId);
    const mayUnpin = canPin(view, room);
    replaceChildren(list, pins.length ? pins.map((pin) => h('li', { className: 'pin', dataset: { messageId: pin.message.id } },
      h('span', { className: 'pin-line' },
        h('span', { className: 'pin-sender' }, view.store.displayName(pin.message.senderId)),
        h('time', { datetime: pin.message.createdAt }, formatTime(pin.message.createdAt))),
      h('span', { className: 'pin-text' }, excerpt(pin.message)),
      h('span', { className: 'pin-by' }, `Pinned by ${view.store.displayName(pin.pinnedBy)}`),
      h('span', { className: 'pin-actions' },
        h('button', { type: 'button', className: 'secondary show-pin', 'aria-label': `Show the message by ${view.store.displayName(pin.message.senderId)}`,
          onClick: () => { dialog.close(); view.actions.jumpTo(roomId, pin.message.id); } }, 'Show'),
        mayUnpin ? h('button', { type: 'button', className: 'secondary unpin', 'aria-label': 'Unpin this message',
          onClick: () => view.store.togglePin(roomId, pin.message.id).catch((/** @type {Error} */ error) => dialog.fail(error)) }, 'Unpin') : null)))
      : h('li', { className: 'empty' }, 'Nothing is pinned here yet. Pin a message from its actions.'));
  };
  draw();
  return draw;
}
