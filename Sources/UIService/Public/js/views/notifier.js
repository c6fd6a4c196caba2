// @ts-check
// Browser notifications: while the tab is hidden, a new message shows a
// notification when my level for its room wants it (store/rooms.js
// `notifies`), unless I am in do-not-disturb or the sender is someone I
// blocked. Permission is asked only when the person clicks the button.

import { h } from '../dom.js';
import { plainText } from '../format.js';
import { notifies } from '../store/rooms.js';

export class Notifier {
  constructor(store, openRoom) {
    this.store = store;
    this.openRoom = openRoom;
    this.button = h('button', { type: 'button', id: 'notifications-button', className: 'secondary', onClick: () => this.enable() }, 'Enable notifications');
    this.renderButton();
    store.addEventListener('incoming', (event) => this.onIncoming(event.detail));
  }

  static get supported() { return typeof Notification !== 'undefined'; }

  renderButton() {
    // Shown only while the browser could still say yes.
    this.button.hidden = !Notifier.supported || Notification.permission !== 'default';
  }

  async enable() {
    if (!Notifier.supported) return;
    try { await Notification.requestPermission(); } finally { this.renderButton(); }
  }

  /// Whether this message deserves a notification: tab hidden, not in do-not-disturb, and the room's level wants it.
  /// A reply in a thread I follow notifies unless the room is muted.
  static wanted(message, room, me, hidden, quiet = false, followedThread = false) {
    if (!hidden || !room || quiet) return false;
    if (followedThread && message.senderId !== me) return !room.muted && room.notificationLevel !== 'none';
    return notifies(message, room, me);
  }

  onIncoming({ message, room, thread = false }) {
    const hidden = document.visibilityState === 'hidden';
    if (!Notifier.wanted(message, room, this.store.me.id, hidden, this.store.doNotDisturb(), thread)
      || this.store.isBlocked(message.senderId)) return;
    if (!Notifier.supported || Notification.permission !== 'granted') return;
    const sender = this.store.displayName(message.senderId);
    const title = room.roomType === 'direct' ? sender : `${sender} in ${this.store.roomTitle(room)}`;
    const body = message.content ? plainText(message.content) : (message.messageType === 'image' ? 'Photo' : 'File');
    const notification = new Notification(title, { body: body.slice(0, 200), tag: room.id });
    notification.addEventListener('click', () => { window.focus(); this.openRoom(room.id); notification.close(); });
  }
}
