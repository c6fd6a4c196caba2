// @ts-check
// Modal dialogs: start a direct chat, create a group, manage members, edit
// the profile, contacts with nicknames, edit a message. Each is a <dialog>
// (focus stays inside, Escape closes it) with labelled controls. A server
// refusal (someone who blocked you, say) shows as the dialog's error.

import { h, avatar, replaceChildren } from '../dom.js';

export function openDialog(id, title, ...content) {
  document.getElementById(id)?.remove();
  const error = h('p', { className: 'form-error', role: 'alert', id: `${id}-error` });
  const dialog = h('dialog', { id, className: 'dialog', 'aria-labelledby': `${id}-title` },
    h('header', { className: 'dialog-header' },
      h('h2', { id: `${id}-title` }, title),
      h('button', { type: 'button', className: 'icon', 'aria-label': 'Close', onClick: () => dialog.close() }, '×')),
    error, ...content);
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  dialog.fail = (failure) => { error.textContent = failure?.message || String(failure || ''); };
  return dialog;
}

/// A search box that lists matching people, each with the buttons `actions(user)` gives.
function userSearch(store, idPrefix, actions) {
  const input = h('input', { id: `${idPrefix}-search`, type: 'search', placeholder: 'Name or username' });
  const results = h('ul', { id: `${idPrefix}-results`, className: 'people', 'aria-live': 'polite' });
  let timer = null;
  let generation = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = input.value.trim();
      const mine = ++generation;
      if (!text) { replaceChildren(results); return; }
      try {
        const users = await store.searchUsers(text);
        if (mine !== generation) return;
        replaceChildren(results, users.length ? users.map((user) => personRow(store, user, actions(user)))
          : h('li', { className: 'empty' }, 'Nobody found.'));
      } catch (error) {
        replaceChildren(results, h('li', { className: 'empty' }, error.message));
      }
    }, 200);
  });
  return h('div', { className: 'search' }, h('label', { for: `${idPrefix}-search` }, 'Find people'), input, results);
}

function personRow(store, user, actions) {
  const online = store.isOnline(user.id);
  return h('li', { className: 'person', dataset: { userId: user.id } },
    avatar(user.displayName, user.avatarUrl, 'avatar small', h('span', { className: `presence-dot${online ? ' online' : ''}` })),
    h('span', { className: 'person-text' },
      h('span', { className: 'person-name' }, store.contacts.get(user.id)?.nickname || user.displayName),
      h('span', { className: 'person-handle' }, `@${user.username}${online ? ' · online' : ''}`)),
    h('span', { className: 'person-actions' }, actions));
}

export function newChatDialog(store, openRoom) {
  let dialog;
  const start = async (user) => {
    try {
      const room = await store.startDirect(user.id);
      dialog.close();
      openRoom(room.id);
    } catch (error) { dialog.fail(error); }
  };
  const chatButton = (user) => h('button', { type: 'button', className: 'secondary start-chat', dataset: { userId: user.id }, 'aria-label': `Chat with ${user.displayName}`, onClick: () => start(user) }, 'Chat');
  const contacts = [...store.contacts.values()];
  dialog = openDialog('new-chat-dialog', 'New chat',
    userSearch(store, 'user', chatButton),
    contacts.length ? h('div', {}, h('h3', {}, 'Contacts'),
      h('ul', { className: 'people', id: 'contact-shortcuts' }, contacts.map((c) => personRow(store, c.user, chatButton(c.user))))) : null);
  dialog.querySelector('#user-search').focus();
}

export function newGroupDialog(store, openRoom) {
  const chosen = new Map();
  const chips = h('ul', { className: 'chips', id: 'group-members', 'aria-label': 'Members to add' });
  const renderChips = () => replaceChildren(chips, [...chosen.values()].map((user) => h('li', { className: 'chip' }, user.displayName,
    h('button', { type: 'button', className: 'icon', 'aria-label': `Remove ${user.displayName}`, onClick: () => { chosen.delete(user.id); renderChips(); } }, '×'))));
  const name = h('input', { id: 'group-name', required: true, maxlength: '100' });
  const description = h('input', { id: 'group-description', maxlength: '500' });
  const isPublic = h('input', { type: 'checkbox', id: 'group-public' });
  const form = h('form', { id: 'group-form', className: 'stack' },
    h('label', { for: 'group-name' }, 'Group name'), name,
    h('label', { for: 'group-description' }, 'Description (optional)'), description,
    h('label', { className: 'check' }, isPublic, ' Public: listed in Browse groups, anyone can join'),
    userSearch(store, 'group', (user) => h('button', { type: 'button', className: 'secondary add-member', dataset: { userId: user.id },
      'aria-label': `Add ${user.displayName}`, onClick: () => { chosen.set(user.id, user); renderChips(); } }, 'Add')),
    chips,
    h('button', { type: 'submit', id: 'create-group', className: 'primary' }, 'Create group'));
  const dialog = openDialog('group-dialog', 'New group', form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const room = await store.createGroup(name.value.trim(), description.value.trim(), [...chosen.keys()],
        /** @type {HTMLInputElement} */ (isPublic).checked ? 'public' : 'private');
      dialog.close();
      openRoom(room.id);
    } catch (error) { dialog.fail(error); }
  });
  name.focus();
}

/// `personActions(userId, fail)` gives more buttons for each other member (Block); `fail` shows an error in the dialog.
/**
 * @param {import('../store.js').ChatStore} store
 * @param {string} roomId
 * @param {(userId: string, fail: (error: unknown) => void) => HTMLElement | HTMLElement[]} [personActions]
 */
export function membersDialog(store, roomId, personActions = () => [], extra = null) {
  const room = store.rooms.get(roomId);
  if (!room) return;
  const myRole = store.myRole(room);
  const manager = myRole === 'owner' || myRole === 'admin';
  const list = h('ul', { className: 'people', id: 'member-list' });
  // People invited but not joined yet: said, rather than listed as members.
  const invited = h('p', { id: 'members-invited', className: 'hint', role: 'status' });
  let dialog;
  const act = async (work) => {
    try { await work(); render(); } catch (error) { dialog.fail(error); }
  };
  const render = () => {
    const current = store.rooms.get(roomId);
    if (!current) { dialog?.close(); return; }
    // The title follows a rename (made here or by someone else).
    const title = dialog?.querySelector('#members-dialog-title');
    if (title) title.textContent = `Members of ${store.roomTitle(current)}`;
    const waiting = store.invitedTo(current).map((id) => store.displayName(id));
    invited.textContent = waiting.length ? `Invitation sent to ${waiting.join(', ')}: they join once they accept.` : '';
    replaceChildren(list, (current.participants || []).map((p) => {
      const user = p.userId === store.me.id ? store.me : (store.user(p.userId) || { id: p.userId, displayName: 'Someone', username: '…' });
      const buttons = [];
      if (p.userId !== store.me.id && manager) {
        if (myRole === 'owner') {
          const next = p.role === 'member' ? 'admin' : p.role === 'admin' ? 'owner' : 'member';
          buttons.push(h('button', { type: 'button', className: 'secondary', onClick: () => act(() => store.setRole(roomId, p.userId, next)) }, `Make ${next}`));
        }
        if (p.role !== 'owner') {
          buttons.push(h('button', { type: 'button', className: 'danger remove-member', onClick: () => confirmDialog(
            'Remove from the group?', `${store.displayName(p.userId)} will no longer see new messages here.`, 'Remove',
            () => store.removeParticipant(roomId, p.userId).then(render)) }, 'Remove'));
        }
      }
      if (p.userId !== store.me.id) buttons.push(personActions(p.userId, (error) => dialog.fail(error)));
      const row = personRow(store, user, buttons);
      row.querySelector('.person-handle').append(` · ${p.role}`);
      return row;
    }));
  };
  const rename = h('form', { className: 'inline-form', id: 'rename-form' },
    h('label', { for: 'room-name-input' }, 'Group name'),
    h('input', { id: 'room-name-input', value: room.name || '', maxlength: '100' }),
    h('button', { type: 'submit', className: 'secondary' }, 'Rename'));
  rename.addEventListener('submit', (event) => {
    event.preventDefault();
    act(() => store.renameRoom(roomId, rename.querySelector('input').value.trim(), room.description ?? null));
  });
  // Leaving, and deleting the group (its owner only), ask first; the page then says it was done.
  const title = store.roomTitle(room);
  const leave = h('button', { type: 'button', id: 'leave-room', className: 'danger', onClick: () => confirmDialog(
    'Leave the group?', `You will no longer see new messages in “${title}”. Someone in it would have to add you again.`, 'Leave',
    async () => { await store.leaveRoom(roomId); dialog.close(); }) }, 'Leave group');
  const remove = myRole === 'owner' ? h('button', { type: 'button', id: 'delete-room', className: 'danger', onClick: () => confirmDialog(
    'Delete the group?', `“${title}” and all its messages will be deleted for everyone in it. This cannot be undone.`, 'Delete group',
    async () => { await store.deleteRoom(roomId); dialog.close(); }) }, 'Delete group') : null;
  dialog = openDialog('members-dialog', `Members of ${store.roomTitle(room)}`,
    manager ? rename : null,
    list,
    invited,
    manager ? userSearch(store, 'member', (user) => h('button', { type: 'button', className: 'secondary add-member', 'aria-label': `Add ${user.displayName}`,
      onClick: () => act(() => store.addParticipant(roomId, user.id)) }, 'Add')) : null,
    manager && room.roomType === 'group' ? extra : null,
    h('div', { className: 'dialog-footer' }, leave, remove));
  render();
  const follow = (event) => { if (['rooms', 'all', 'contacts', 'presence', 'blocks'].includes(event.detail?.what)) render(); };
  store.addEventListener('change', follow);
  dialog.addEventListener('close', () => store.removeEventListener('change', follow));
}

/// `extra`: more sections below the form (the blocked people).
export function profileDialog(store, ...extra) {
  const me = store.me;
  const field = (id, label, value, attributes = {}) => [h('label', { for: id }, label), h('input', { id, value: value ?? '', ...attributes })];
  const pictureInput = h('input', { type: 'file', id: 'avatar-input', accept: 'image/png,image/jpeg,image/gif,image/webp', hidden: true });
  const pictureStatus = h('p', { id: 'avatar-status', className: 'hint', role: 'status' });
  // A picture is saved on its own, and the dialog stays open: what was typed in the fields stays.
  const removeButton = h('button', { type: 'button', id: 'avatar-remove', className: 'link', hidden: !me.avatarUrl, onClick: async () => {
    try {
      await store.removeAvatar();
      showPicture();
      pictureStatus.textContent = 'Picture removed.';
    } catch (error) { dialog.fail(error); }
  } }, 'Remove');
  const picture = h('div', { className: 'avatar-editor' },
    avatar(me.displayName, me.avatarUrl, 'avatar large'),
    h('button', { type: 'button', id: 'avatar-change', className: 'secondary', onClick: () => pictureInput.click() }, 'Change picture'),
    removeButton, pictureInput);
  const showPicture = () => {
    picture.querySelector('.avatar')?.replaceWith(avatar(store.me.displayName, store.me.avatarUrl, 'avatar large'));
    removeButton.hidden = !store.me.avatarUrl;
  };
  pictureInput.addEventListener('change', async () => {
    const file = pictureInput.files[0];
    pictureInput.value = '';
    if (!file) return;
    pictureStatus.textContent = 'Saving the picture…';
    try {
      await store.uploadAvatar(file);
      showPicture();
      pictureStatus.textContent = 'Picture saved.';
    } catch (error) { pictureStatus.textContent = ''; dialog.fail(error); }
  });
  const form = h('form', { id: 'profile-form', className: 'stack' },
    picture, pictureStatus,
    h('p', { className: 'hint' }, `@${me.username} · ${me.email}`),
    ...field('profile-display-name', 'Display name', me.displayName, { required: true, maxlength: '64' }),
    ...field('profile-status', 'Status', me.status, { maxlength: '100', placeholder: 'What are you up to?' }),
    h('label', { for: 'profile-bio' }, 'About you'),
    h('textarea', { id: 'profile-bio', rows: '3', maxlength: '500' }, me.bio ?? ''),
    h('button', { type: 'submit', className: 'primary' }, 'Save'));
  const dialog = openDialog('profile-dialog', 'Your profile', form, ...extra);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = (id) => { const value = form.querySelector(`#${id}`).value.trim(); return value || null; };
    try {
      await store.updateProfile({ displayName: text('profile-display-name') ?? me.displayName, status: text('profile-status'), bio: text('profile-bio') });
      dialog.close();
    } catch (error) { dialog.fail(error); }
  });
  form.querySelector('input').focus();
}

export function contactsDialog(store, openRoom) {
  const list = h('ul', { className: 'people', id: 'contact-list' });
  let dialog;
  const act = async (work) => { try { await work(); render(); } catch (error) { dialog.fail(error); } };
  const render = () => {
    const contacts = [...store.contacts.values()];
    replaceChildren(list, contacts.length ? contacts.map((contact) => {
      const nickname = h('input', { value: contact.nickname ?? '', 'aria-label': `Nickname for ${contact.user.displayName}`, className: 'nickname-input', maxlength: '64' });
      return personRow(store, contact.user, [
        nickname,
        h('button', { type: 'button', className: 'secondary save-nickname', onClick: () => act(() => store.renameContact(contact.user.id, nickname.value.trim())) }, 'Save'),
        h('button', { type: 'button', className: 'secondary', onClick: async () => {
          try { const room = await store.startDirect(contact.user.id); dialog.close(); openRoom(room.id); } catch (error) { dialog.fail(error); }
        } }, 'Chat'),
        h('button', { type: 'button', className: 'danger', 'aria-label': `Remove ${contact.user.displayName} from contacts`, onClick: () => act(() => store.removeContact(contact.user.id)) }, 'Remove'),
      ]);
    }) : h('li', { className: 'empty' }, 'No contacts yet. Find people below and add them.'));
  };
  dialog = openDialog('contacts-dialog', 'Contacts', list,
    userSearch(store, 'contact', (user) => store.contacts.has(user.id) ? h('span', { className: 'hint' }, 'contact')
      : h('button', { type: 'button', className: 'secondary add-contact', 'aria-label': `Add ${user.displayName} to contacts`, onClick: () => act(() => store.addContact(user.id)) }, 'Add')));
  render();
}

export function editDialog(message, save) {
  const input = h('textarea', { id: 'edit-input', rows: '3', maxlength: '4000' }, message.content ?? '');
  const form = h('form', { id: 'edit-form', className: 'stack' },
    h('label', { for: 'edit-input' }, 'Message'), input,
    h('button', { type: 'submit', id: 'save-edit', className: 'primary' }, 'Save'));
  const dialog = openDialog('edit-dialog', 'Edit message', form);
  // As in the composer: Enter saves, Shift+Enter starts a new line.
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) { event.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const content = input.value.trim();
    if (!content) { dialog.fail(new Error('A message cannot be empty; delete it instead.')); return; }
    try { await save(content); dialog.close(); } catch (error) { dialog.fail(error); }
  });
  input.focus();
}

export function confirmDialog(title, text, confirmLabel, action) {
  const yes = h('button', { type: 'button', id: 'confirm-yes', className: 'danger' }, confirmLabel);
  const no = h('button', { type: 'button', className: 'secondary' }, 'Cancel');
  const dialog = openDialog('confirm-dialog', title, h('p', {}, text), h('div', { className: 'dialog-footer' }, no, yes));
  no.addEventListener('click', () => dialog.close());
  yes.addEventListener('click', async () => {
    try { await action(); dialog.close(); } catch (error) { dialog.fail(error); }
  });
  yes.focus();
}
