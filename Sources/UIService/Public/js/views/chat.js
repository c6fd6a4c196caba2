// @ts-check
// The signed-in screen: sidebar (me, actions, connection state,
// invitations, rooms) and the open conversation, wired to the store and the
// live connection.

import { h, avatar, replaceChildren } from '../dom.js';
import { renderRoomList } from './sidebar.js';
import { RoomView } from './room.js';
import { SearchPanel } from './search.js';
import { accountSection } from './account.js';
import { directoryDialog, inviteLinksSection, joinByLinkDialog } from './joining.js';
import { Notifier } from './notifier.js';
import { DoNotDisturbControl } from './dnd.js';
import { InvitationsPanel } from './invitations.js';
import { blockButton, blockedPeopleSection, confirmBlock } from './blocks.js';
import { profileCard } from './profile-card.js';
import { newChatDialog, newGroupDialog, membersDialog, profileDialog, contactsDialog, editDialog, confirmDialog } from './dialogs.js';

const STATE_TEXT = { online: 'Connected', connecting: 'Connecting…', reconnecting: 'Reconnecting…', offline: 'Offline' };

export class ChatScreen {
  constructor(root, store, socket, onLogout, externalAccounts = false) {
    this.root = root;
    this.store = store;
    this.socket = socket;
    this.onLogout = onLogout;
    /** Accounts belong to a sign-in provider (OIDC): no password here. */
    this.externalAccounts = externalAccounts;
    this.build();
  }

  build() {
    const open = (roomId) => this.openRoom(roomId);
    this.meName = h('span', { id: 'me-name', className: 'me-name' });
    this.meAvatar = h('span', { className: 'avatar', 'aria-hidden': 'true' });
    this.status = h('p', { id: 'connection-status', className: 'connection-status', role: 'status', 'aria-live': 'polite' });
    this.roomList = h('ul', { id: 'room-list', className: 'room-list', 'aria-label': 'Conversations' });
    this.search = new SearchPanel(this.store, (message) => this.jumpTo(message.roomId, message.id, message));
    this.search.lists.append(h('button', { type: 'button', id: 'browse-groups-button', className: 'secondary', 'aria-label': 'Browse groups',
      title: 'Public groups to join', onClick: () => directoryDialog(this.store, open) }, 'Groups'));
    this.invitations = new InvitationsPanel(this.store, open);
    this.search.onOpen = () => { this.roomList.hidden = true; this.invitations.suppressed = true; this.invitations.render(); };
    this.search.onClose = () => { this.roomList.hidden = false; this.invitations.suppressed = false; this.invitations.render(); };
    this.notifier = new Notifier(this.store, (roomId) => this.openRoom(roomId));
    this.dnd = new DoNotDisturbControl(this.store);
    const sidebar = h('nav', { className: 'sidebar', 'aria-label': 'Conversations and account' },
      h('header', { className: 'sidebar-header' },
        h('button', { type: 'button', id: 'profile-button', className: 'me', 'aria-label': 'Edit your profile',
          onClick: () => profileDialog(this.store, blockedPeopleSection(this.store),
            accountSection(this.store, { external: this.externalAccounts, onDeleted: () => this.onLogout('Your account was deleted.') })) },
          this.meAvatar, this.meName),
        h('button', { type: 'button', id: 'logout-button', className: 'secondary', onClick: () => this.onLogout() }, 'Log out')),
      h('div', { className: 'sidebar-actions' },
        h('button', { type: 'button', id: 'new-chat-button', className: 'primary', onClick: () => newChatDialog(this.store, open) }, 'New chat'),
        h('button', { type: 'button', id: 'new-group-button', className: 'secondary', onClick: () => newGroupDialog(this.store, open) }, 'New group'),
        h('button', { type: 'button', id: 'contacts-button', className: 'secondary', onClick: () => contactsDialog(this.store, open) }, 'Contacts')),
      this.search.element,
      this.status,
      h('div', { className: 'sidebar-notify' }, this.notifier.button, this.dnd.element),
      this.invitations.element,
      this.roomList);
    const main = h('main', { className: 'conversation', id: 'conversation' });
    this.room = new RoomView(main, this.store, {
      back: () => { this.store.activeRoomId = null; history.replaceState(null, '', location.pathname); this.render(); },
      manage: (roomId) => membersDialog(this.store, roomId, (userId, fail) => blockButton(this.store, userId, fail),
        inviteLinksSection(this.store, roomId)),
      block: (userId) => confirmBlock(this.store, userId),
      profile: (userId) => profileCard(this.store, userId, open),
      typing: (roomId) => this.socket.send({ type: 'typing', roomId }),
      edit: (roomId, message) => editDialog(message, (content) => this.store.edit(roomId, message.id, content)),
      jumpTo: (roomId, messageId) => this.jumpTo(roomId, messageId),
      remove: (roomId, message) => confirmDialog('Delete message?', 'Everyone in the conversation will see that it was deleted.', 'Delete',
        () => this.store.remove(roomId, message.id)),
    });
    this.layout = h('div', { className: 'chat-layout', id: 'chat-layout' }, sidebar, main);
    replaceChildren(this.root, this.layout);

    this.store.addEventListener('change', (event) => this.onChange(event.detail));
    this.store.addEventListener('removed', (event) => {
      if (event.detail.wasOpen) {
        history.replaceState(null, '', location.pathname);
        this.render();
        this.room.showNotice(`You are no longer in “${event.detail.title}”: you were removed, or it was deleted.`);
      }
    });
    // Left or deleted here: said where the room was.
    this.store.addEventListener('gone', (/** @type {CustomEvent} */ event) => {
      history.replaceState(null, '', location.pathname);
      this.render();
      this.room.showNotice(event.detail.text);
    });
    this.socket.addEventListener('state', (event) => this.renderStatus(event.detail));
    setInterval(() => { if (this.store.activeRoomId) this.room.renderHeader(); }, 30_000);
    this.render();
    this.reopenFromAddress();
    // A #room/<id> link followed (or typed) while the page is open opens that room.
    window.addEventListener('hashchange', () => this.reopenFromAddress());
  }

  async openRoom(roomId) {
    this.store.openRoom(roomId).catch((error) => { this.room.composerError.textContent = error.message; });
    // The open room is in the address, so a reload (or the back button after it) comes back to it.
    if (location.hash !== `#room/${roomId}`) history.replaceState(null, '', `#room/${roomId}`);
    this.render();
  }

  /// Opens a room at one message: from the loaded history if it is there, else
  /// with the history around it loaded first.
  async jumpTo(roomId, messageId, known = null) {
    if (!this.store.rooms.has(roomId)) return;
    this.search.close();
    await this.openRoom(roomId);
    this.room.landing = false; // at this message, not at the first unread one
    try {
      const timeline = this.store.timeline(roomId);
      let message = timeline.byId.get(messageId) || known;
      if (!timeline.byId.has(messageId)) {
        message = known || await this.store.api.get(`/api/rooms/${roomId}/messages?after=${await this.seqBefore(roomId, messageId)}&limit=1`)
          .then((page) => page.messages[0]);
        if (message) await this.store.loadAround(roomId, message);
      }
      // A reply in a thread: the room at the thread's first message, and the thread open beside it.
      if (message?.threadRootId) {
        const page = await this.store.loadThread(roomId, message.threadRootId);
        if (!timeline.byId.has(page.root.id)) await this.store.loadAround(roomId, page.root);
        this.room.openThread(page.root);
        messageId = page.root.id;
      } else if (known?.openThread && message) {
        this.room.openThread(message);
      }
      this.room.focusId = messageId;
      this.room.jumpedAway = true;
      this.room.renderTimeline();
    } catch (error) {
      this.room.composerError.textContent = `Could not show that message: ${error.message}`;
    }
  }

  /// The seq just before a message, for loading it by id (a quoted original not loaded yet).
  async seqBefore(roomId, messageId) {
    const page = await this.store.api.get(`/api/rooms/${roomId}/messages?before=${messageId}&limit=1`);
    return page.messages[0]?.seq ?? 0;
  }

  /// The room the address names (`#room/<id>`), if the person is in it.
  reopenFromAddress() {
    // An invite link (`#join/<code>`): the group it leads to, and Join; the address then forgets the code.
    const invite = /^#join\/([A-Za-z0-9_-]{22})$/.exec(location.hash);
    if (invite) {
      history.replaceState(null, '', location.pathname);
      joinByLinkDialog(this.store, invite[1], (roomId) => this.openRoom(roomId));
      return;
    }
    const match = /^#room\/([0-9A-Fa-f-]{36})$/.exec(location.hash);
    const roomId = match && [...this.store.rooms.keys()].find((id) => id.toLowerCase() === match[1].toLowerCase());
    if (roomId && roomId !== this.store.activeRoomId) this.openRoom(roomId);
  }

  onChange({ what, roomId }) {
    if (what === 'saved') {
      this.search.savedChanged();
      if (this.store.activeRoomId) this.room.scheduleRender();
      return;
    }
    if (what === 'thread' || what === 'threads') {
      if (roomId && roomId === this.store.activeRoomId) {
        if (this.room.threadPanel.open?.roomId === roomId) this.room.threadPanel.changed();
        this.room.scheduleRender();
      }
      return;
    }
    if (what === 'pins') {
      if (roomId === this.store.activeRoomId) this.room.pinsChanged();
      return;
    }
    if (['all', 'rooms', 'contacts', 'presence', 'me', 'active', 'invitations', 'blocks'].includes(what)) {
      this.render();
      return;
    }
    if (roomId !== this.store.activeRoomId) {
      if (what === 'timeline') this.renderSidebar();
      return;
    }
    // History loaded above or below stays where one reads; live changes render once per frame.
    if (what === 'older' || what === 'newer') this.room.renderTimeline({ keepOlderAnchor: true });
    else if (what === 'typing') this.room.renderTyping();
    else this.room.scheduleRender();
  }

  render() {
    this.renderSidebar();
    this.layout.classList.toggle('room-open', Boolean(this.store.activeRoomId));
    this.room.show(this.store.activeRoomId && this.store.rooms.has(this.store.activeRoomId) ? this.store.activeRoomId : null);
  }

  renderSidebar() {
    this.dnd.render();
    this.meName.textContent = this.store.me?.displayName || '';
    const me = avatar(this.store.me?.displayName, this.store.me?.avatarUrl);
    this.meAvatar.replaceWith(me);
    this.meAvatar = me;
    this.invitations.render();
    renderRoomList(this.roomList, this.store, (roomId) => this.openRoom(roomId));
    // The tab says how many unread messages wait outside muted rooms.
    const unread = this.store.unreadTotal();
    document.title = unread ? `(${unread > 99 ? '99+' : unread}) MicroChat` : 'MicroChat';
  }

  renderStatus({ state, retryIn, replicaId }) {
    this.status.dataset.state = state;
    this.status.dataset.replica = replicaId || '';
    const text = STATE_TEXT[state] || state;
    this.status.textContent = state === 'reconnecting' && retryIn ? `Connection lost. Reconnecting in ${Math.ceil(retryIn / 1000)} s…` : text;
    this.status.title = replicaId ? `Connected through ${replicaId}` : '';
  }
}
