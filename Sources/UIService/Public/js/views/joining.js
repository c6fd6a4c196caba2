// @ts-check
// Finding and joining groups: "Browse groups" (the directory of public groups,
// searchable, with member counts, Join or Open), the invite links of a group
// (owners and admins make them — an expiry and a use count if they like — copy
// and revoke them; the group can be made public or private there too), and an
// invite link opened in the page (`#join/<code>`): the group it leads to, and Join.

import { h, replaceChildren } from '../dom.js';
import { openDialog } from './dialogs.js';

/** @typedef {import('../store.js').ChatStore} ChatStore */

/**
 * The directory of public groups.
 * @param {ChatStore} store
 * @param {(roomId: string) => void} openRoom
 */
export function directoryDialog(store, openRoom) {
  const input = h('input', { id: 'directory-search', type: 'search', placeholder: 'Name or description', maxlength: '100' });
  const list = h('ul', { id: 'directory-list', className: 'people directory-list', 'aria-live': 'polite' });
  const dialog = openDialog('directory-dialog', 'Browse groups',
    h('div', { className: 'search' }, h('label', { for: 'directory-search' }, 'Find public groups'), input), list);
  let generation = 0;
  const load = async () => {
    const mine = ++generation;
    try {
      const rooms = await store.directory(input.value.trim());
      if (mine !== generation) return;
      replaceChildren(list, rooms.length ? rooms.map((room) => h('li', { className: 'directory-entry', dataset: { roomId: room.id } },
        h('span', { className: 'person-text' },
          h('span', { className: 'person-name' }, room.name || 'Group'),
          h('span', { className: 'person-handle' }, `${room.memberCount} ${room.memberCount === 1 ? 'member' : 'members'}`
            + (room.description ? ` · ${room.description}` : ''))),
        h('span', { className: 'person-actions' }, room.joined
          ? h('button', { type: 'button', className: 'secondary open-group', onClick: () => { dialog.close(); openRoom(room.id); } }, 'Open')
          : h('button', { type: 'button', className: 'primary join-group', 'aria-label': `Join ${room.name || 'the group'}`, onClick: async () => {
            try {
              await store.joinPublic(room.id);
              dialog.close();
              openRoom(room.id);
            } catch (error) { dialog.fail(error); }
          } }, 'Join'))))
        : h('li', { className: 'empty' }, input.value.trim() ? 'No public group matches.' : 'No public groups yet.'));
    } catch (error) { dialog.fail(error); }
  };
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(load, 200); });
  load();
  input.focus();
}

/**
 * The group an invite link leads to, and Join.
 * @param {ChatStore} store
 * @param {string} code
 * @param {(roomId: string) => void} openRoom
 */
export async function joinByLinkDialog(store, code, openRoom) {
  const about = h('div', { id: 'join-about' }, h('p', {}, 'Reading the invite link…'));
  const join = h('button', { type: 'button', id: 'join-by-link', className: 'primary', disabled: true }, 'Join group');
  const dialog = openDialog('join-dialog', 'Invitation to a group', about, h('div', { className: 'dialog-footer' }, join));
  try {
    const preview = await store.previewInviteLink(code);
    const room = preview.room;
    replaceChildren(about,
      h('p', { className: 'join-name' }, room.name || 'Group'),
      room.description ? h('p', { className: 'hint' }, room.description) : null,
      h('p', { className: 'hint' }, `${room.memberCount} ${room.memberCount === 1 ? 'member' : 'members'}`));
    join.textContent = room.joined ? 'Open group' : 'Join group';
    join.disabled = false;
    join.addEventListener('click', async () => {
      try {
        const joined = room.joined ? { id: room.id } : await store.joinByLink(code);
        dialog.close();
        openRoom(joined.id);
      } catch (error) { dialog.fail(error); }
    });
    join.focus();
  } catch (error) {
    replaceChildren(about);
    dialog.fail(error);
  }
}

/** The address that opens an invite link in the page. */
export function inviteURL(/** @type {string} */ code) { return `${location.origin}/#join/${code}`; }

/**
 * A group's invite links and its visibility, for its owners and admins (in the members dialog).
 * @param {ChatStore} store
 * @param {string} roomId
 */
export function inviteLinksSection(store, roomId) {
  const room = store.rooms.get(roomId);
  const error = h('p', { id: 'invite-links-error', className: 'form-error', role: 'alert' });
  const list = h('ul', { id: 'invite-links', className: 'invite-links', 'aria-labelledby': 'invite-links-heading' });
  const isPublic = h('input', { type: 'checkbox', id: 'room-public', checked: room?.visibility === 'public' });
  isPublic.addEventListener('change', async () => {
    error.textContent = '';
    try { await store.setVisibility(roomId, /** @type {HTMLInputElement} */ (isPublic).checked ? 'public' : 'private'); }
    catch (failure) { error.textContent = failure.message; /** @type {HTMLInputElement} */ (isPublic).checked = !(/** @type {HTMLInputElement} */ (isPublic).checked); }
  });
  const expiry = h('select', { id: 'link-expiry', 'aria-label': 'The link expires' },
    h('option', { value: '86400' }, 'Expires in a day'), h('option', { value: '604800' }, 'Expires in a week'),
    h('option', { value: '2592000' }, 'Expires in 30 days'), h('option', { value: '' }, 'Never expires'));
  const uses = h('select', { id: 'link-uses', 'aria-label': 'How many people may use it' },
    h('option', { value: '' }, 'Anyone with the link'), h('option', { value: '1' }, 'One person'),
    h('option', { value: '10' }, 'Up to 10 people'), h('option', { value: '100' }, 'Up to 100 people'));
  const render = async () => {
    try {
      const links = await store.inviteLinks(roomId);
      const now = Date.now();
      replaceChildren(list, links.length ? links.map((link) => {
        const state = link.revoked ? 'revoked' : link.expiresAt && Date.parse(link.expiresAt) <= now ? 'expired'
          : link.maxUses !== null && link.uses >= link.maxUses ? 'used up' : null;
        const limits = [`${link.uses} ${link.uses === 1 ? 'use' : 'uses'}${link.maxUses ? ` of ${link.maxUses}` : ''}`,
          link.expiresAt ? `until ${new Date(link.expiresAt).toLocaleString()}` : 'no expiry'];
        return h('li', { className: `invite-link${state ? ' unusable' : ''}`, dataset: { code: link.code } },
          h('input', { className: 'link-url', readonly: true, value: inviteURL(link.code), 'aria-label': 'Invite link' }),
          h('span', { className: 'hint' }, state ? `${state} · ${limits[0]}` : limits.join(' · ')),
          state ? null : h('span', { className: 'person-actions' },
            h('button', { type: 'button', className: 'secondary copy-link', onClick: async () => {
              try { await navigator.clipboard.writeText(inviteURL(link.code)); error.textContent = 'Link copied.'; }
              catch { /** @type {HTMLInputElement|null} */ (list.querySelector(`[data-code="${link.code}"] .link-url`))?.select(); }
            } }, 'Copy'),
            h('button', { type: 'button', className: 'danger revoke-link', onClick: async () => {
              try { await store.revokeInviteLink(roomId, link.code); render(); } catch (failure) { error.textContent = failure.message; }
            } }, 'Revoke')));
      }) : h('li', { className: 'empty' }, 'No invite links yet.'));
    } catch (failure) { error.textContent = failure.message; }
  };
  const create = h('button', { type: 'button', id: 'create-link', className: 'secondary', onClick: async () => {
    error.textContent = '';
    const seconds = /** @type {HTMLSelectElement} */ (expiry).value, most = /** @type {HTMLSelectElement} */ (uses).value;
    try {
      await store.createInviteLink(roomId, { expiresInSeconds: seconds ? Number(seconds) : undefined, maxUses: most ? Number(most) : undefined });
      render();
    } catch (failure) { error.textContent = failure.message; }
  } }, 'Create link');
  render();
  return h('section', { id: 'invite-links-section', className: 'invite-links-section', 'aria-labelledby': 'invite-links-heading' },
    h('h3', { id: 'invite-links-heading' }, 'Joining'),
    h('label', { className: 'check' }, isPublic, ' Public: listed in Browse groups, anyone can join'),
    h('p', { className: 'hint' }, 'An invite link lets whoever has it join, public or not.'),
    h('div', { className: 'link-options' }, expiry, uses, create),
    error, list);
}
