// @ts-check
// A person's card, opened from their name or picture in a conversation: their
// picture, display name, @username, status and "about", their presence when
// they let one see it (contacts and people sharing a room), and what one does
// next — Message (their direct chat, made if there is none), Add contact,
// Block or Unblock. A <dialog>: Esc closes it.

import { h, avatar, lastSeen, replaceChildren } from '../dom.js';
import { openDialog } from './dialogs.js';
import { blockButton } from './blocks.js';

/** @typedef {import('../store.js').ChatStore} ChatStore */

/**
 * @param {ChatStore} store
 * @param {string} userId
 * @param {(roomId: string) => void} openRoom
 */
export function profileCard(store, userId, openRoom) {
  const body = h('div', { className: 'profile-card', id: 'profile-card-body', 'aria-live': 'polite' });
  const dialog = openDialog('profile-card', store.displayName(userId), body);
  const render = () => {
    const user = store.user(userId);
    if (!user) { replaceChildren(body, h('p', { className: 'hint' }, 'Loading…')); return; }
    const blocked = store.isBlocked(userId);
    const online = !blocked && store.isOnline(userId);
    const seen = blocked ? null : online ? 'online' : store.lastSeenAt(userId) ? lastSeen(store.lastSeenAt(userId)) : null;
    const contact = store.contacts.has(userId);
    replaceChildren(body,
      h('div', { className: 'profile-card-head' },
        avatar(user.displayName, user.avatarUrl, 'avatar large',
          seen ? h('span', { className: `presence-dot${online ? ' online' : ''}` }) : null),
        h('div', { className: 'profile-card-names' },
          h('p', { className: 'profile-card-name', id: 'profile-card-name' }, user.displayName),
          h('p', { className: 'person-handle', id: 'profile-card-username' }, `@${user.username}`),
          seen ? h('p', { className: `profile-card-presence${online ? ' online' : ''}`, id: 'profile-card-presence' }, seen) : null)),
      user.status ? h('p', { className: 'profile-card-status', id: 'profile-card-status' }, user.status) : null,
      user.bio ? h('section', { className: 'profile-card-about', 'aria-labelledby': 'profile-card-about-heading' },
        h('h3', { id: 'profile-card-about-heading' }, 'About'), h('p', { id: 'profile-card-bio' }, user.bio)) : null,
      h('div', { className: 'profile-card-actions' },
        blocked ? null : h('button', { type: 'button', id: 'profile-card-message', className: 'primary', onClick: () => message() }, 'Message'),
        contact || blocked ? null : h('button', { type: 'button', id: 'profile-card-add', className: 'secondary',
          onClick: () => store.addContact(userId).then(render, dialog.fail) }, 'Add contact'),
        contact ? h('span', { className: 'hint', id: 'profile-card-contact' }, 'In your contacts') : null,
        blockButton(store, userId, dialog.fail)));
  };
  /** Their direct chat: the one there is, or a new one. */
  const message = async () => {
    try {
      const known = [...store.rooms.values()].find((room) => room.roomType === 'direct' && store.otherParticipant(room) === userId);
      const room = known ?? await store.startDirect(userId);
      dialog.close();
      openRoom(room.id);
    } catch (error) { dialog.fail(error); }
  };
  // Blocking or unblocking from here (or anywhere) changes what the card offers.
  const onChange = (/** @type {Event} */ event) => {
    if (!dialog.isConnected) { store.removeEventListener('change', onChange); return; }
    const what = /** @type {CustomEvent} */ (event).detail?.what;
    if (['blocks', 'contacts', 'presence'].includes(what)) render();
  };
  store.addEventListener('change', onChange);
  dialog.addEventListener('close', () => store.removeEventListener('change', onChange));
  render();
  // The card shows what is known at once, then the profile as it is now.
  store.api.get(`/api/users/${userId}`)
    .then((/** @type {any} */ user) => { store.rememberUser(user); render(); })
    .catch((/** @type {unknown} */ error) => { if (!store.user(userId)) dialog.fail(error); });
  /** @type {HTMLElement|null} */ (dialog.querySelector('#profile-card-message, .profile-card-actions button'))?.focus();
}
