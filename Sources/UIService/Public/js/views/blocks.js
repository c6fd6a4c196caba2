// @ts-check
// Blocking people: Block where the page shows a person (a direct room's
// header, the members dialog), after a confirmation, and the "Blocked people"
// list in the profile dialog with Unblock for each. A blocked person cannot
// start a direct chat with one or add one to a group, neither sees the other
// online, and their mentions do not notify; conversations already shared stay
// readable.

import { h, avatar, formatFull, replaceChildren } from '../dom.js';
import { confirmDialog } from './dialogs.js';

/// Asks first, then blocks.
export function confirmBlock(store, userId) {
  const name = store.displayName(userId);
  confirmDialog(`Block ${name}?`,
    `${name} will not be able to start a chat with you or add you to a group, and neither of you will see the other online. `
      + 'Conversations you already share stay readable. You can unblock them in your profile.',
    'Block', () => store.block(userId));
}

/// A Block button for one person, or Unblock when they are blocked already (that needs no confirmation).
/**
 * @param {import('../store.js').ChatStore} store
 * @param {string} userId
 * @param {(error: unknown) => void} [onError]
 */
export function blockButton(store, userId, onError = (error) => {}) {
  const name = store.displayName(userId);
  if (store.isBlocked(userId)) {
    return h('button', { type: 'button', className: 'secondary unblock-person', 'aria-label': `Unblock ${name}`,
      onClick: () => store.unblock(userId).catch(onError) }, 'Unblock');
  }
  return h('button', { type: 'button', className: 'danger block-person', 'aria-label': `Block ${name}`,
    onClick: () => confirmBlock(store, userId) }, 'Block');
}

/// The profile dialog's "Blocked people": newest first, Unblock on each, an empty state.
export function blockedPeopleSection(store) {
  const error = h('p', { id: 'blocked-error', className: 'form-error', role: 'alert' });
  const heading = h('h3', { id: 'blocked-heading', tabindex: '-1' }, 'Blocked people');
  const list = h('ul', { id: 'blocked-list', className: 'people', 'aria-labelledby': 'blocked-heading' });
  const section = h('section', { id: 'blocked-people', className: 'blocked-people', 'aria-labelledby': 'blocked-heading' },
    heading,
    h('p', { className: 'hint' }, 'They cannot start a chat with you or add you to groups, and you do not see each other online.'),
    error, list);

  const unblock = async (userId) => {
    error.textContent = '';
    const ids = store.sortedBlocks().map((block) => block.user.id);
    const next = ids[ids.indexOf(userId) + 1] ?? ids[ids.indexOf(userId) - 1];
    try {
      await store.unblock(userId);
    } catch (failure) {
      error.textContent = `Could not unblock: ${failure.message}`;
      return;
    }
    // The row is gone: focus the next Unblock, or the heading when the list is empty.
    const row = next && [...list.querySelectorAll('li.person')].find((li) => li.dataset.userId === next);
    (row?.querySelector('button.unblock-person') || heading).focus();
  };

  const render = () => {
    const blocks = store.sortedBlocks();
    replaceChildren(list, blocks.length ? blocks.map(({ user, createdAt }) => {
      const name = user.displayName || user.username || 'Someone';
      return h('li', { className: 'person blocked-person', dataset: { userId: user.id } },
        avatar(name, user.avatarUrl, 'avatar small'),
        h('span', { className: 'person-text' },
          h('span', { className: 'person-name' }, name),
          h('span', { className: 'person-handle' }, `${user.username ? `@${user.username}` : ''}${createdAt ? ` · blocked ${formatFull(createdAt)}` : ''}`)),
        h('span', { className: 'person-actions' },
          h('button', { type: 'button', className: 'secondary unblock-person', 'aria-label': `Unblock ${name}`, onClick: () => unblock(user.id) }, 'Unblock')));
    }) : h('li', { className: 'empty', id: 'blocked-empty' }, 'You have not blocked anyone.'));
  };

  // Follows blocks made elsewhere on the page while open; stops once the dialog is gone.
  const follow = (event) => {
    if (!section.isConnected) { store.removeEventListener('change', follow); return; }
    if (['blocks', 'all'].includes(event.detail?.what)) render();
  };
  store.addEventListener('change', follow);
  render();
  // Another page may have blocked or unblocked someone since the start.
  store.refreshBlocks().catch((failure) => { error.textContent = `Could not load blocked people: ${failure.message}`; });
  return section;
}
