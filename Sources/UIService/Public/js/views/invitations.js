// @ts-check
// The sidebar's invitations: rooms that someone who is not one's contact
// added one to. Each says what it is to (the group's name, or for a direct
// room the person who invited) and who invited, with Accept (joins and opens
// the room) and Decline. Loaded at start and on every connect, kept live by
// the socket's `invitation.created` and `invitation.removed`.

import { h, avatar, formatTime, replaceChildren } from '../dom.js';

export class InvitationsPanel {
  constructor(store, openRoom) {
    this.store = store;
    this.openRoom = openRoom;
    this.busy = new Set();
    this.suppressed = false; // hidden while search results take the sidebar
    this.count = h('span', { id: 'invitations-count', className: 'count-badge' });
    this.heading = h('h2', { id: 'invitations-heading', className: 'sidebar-heading' }, 'Invitations ', this.count);
    this.error = h('p', { id: 'invitations-error', className: 'form-error', role: 'alert' });
    this.list = h('ul', { id: 'invitation-list', className: 'invitation-list', 'aria-labelledby': 'invitations-heading' });
    this.element = h('section', { id: 'invitations', className: 'invitations', 'aria-labelledby': 'invitations-heading', hidden: true },
      this.heading, this.error, this.list);
  }

  render() {
    const invitations = this.store.sortedInvitations();
    this.element.hidden = this.suppressed || !invitations.length;
    this.count.textContent = invitations.length > 99 ? '99+' : String(invitations.length);
    // Live events re-render the list: a keyboard user keeps their place.
    const focused = this.list.contains(document.activeElement) ? document.activeElement : null;
    const keep = focused && { roomId: focused.closest('li')?.dataset.roomId, accept: focused.classList.contains('accept-invitation') };
    replaceChildren(this.list, invitations.map((invitation) => this.item(invitation)));
    if (keep) this.focusButton(keep.roomId, keep.accept);
  }

  item(invitation) {
    const roomId = invitation.room.id;
    const direct = invitation.room.roomType === 'direct';
    const title = this.store.invitationTitle(invitation);
    const inviter = invitation.invitedBy || {};
    const from = inviter.displayName || inviter.username || 'Someone';
    const what = direct ? `chat with ${from}` : title;
    const busy = this.busy.has(roomId);
    return h('li', { className: 'invitation', dataset: { roomId }, 'aria-busy': busy ? 'true' : undefined },
      avatar(title, direct ? this.store.user(inviter.id)?.avatarUrl : null, 'avatar small'),
      h('span', { className: 'invitation-text' },
        h('span', { className: 'room-line' },
          h('span', { className: 'invitation-title' }, title),
          invitation.createdAt ? h('time', { className: 'room-time', datetime: invitation.createdAt }, formatTime(invitation.createdAt)) : null),
        h('span', { className: 'invitation-from' },
          direct ? `Wants to chat${inviter.username ? ` · @${inviter.username}` : ''}`
            : `Invited by ${from}${inviter.username ? ` (@${inviter.username})` : ''}`)),
      h('span', { className: 'invitation-actions' },
        h('button', { type: 'button', className: 'primary accept-invitation', 'aria-label': `Accept invitation to ${what}`,
          onClick: () => this.accept(roomId) }, 'Accept'),
        h('button', { type: 'button', className: 'secondary decline-invitation', 'aria-label': `Decline invitation to ${what}`,
          onClick: () => this.decline(roomId) }, 'Decline')));
  }

  async accept(roomId) {
    if (this.busy.has(roomId)) return;
    await this.#answer(roomId, async () => {
      const room = await this.store.acceptInvitation(roomId);
      this.openRoom(room.id);
    }, 'Could not accept the invitation');
  }

  async decline(roomId) {
    if (this.busy.has(roomId)) return;
    const next = this.#neighbour(roomId);
    await this.#answer(roomId, () => this.store.declineInvitation(roomId), 'Could not decline the invitation');
    // The item is gone: keyboard focus goes to the next invitation, or to the conversations.
    if (!this.store.invitations.has(roomId)) {
      if (next) this.focusButton(next, false);
      else /** @type {HTMLElement|null} */ (document.querySelector('#room-list .room-item, #new-chat-button'))?.focus();
    }
  }

  async #answer(roomId, work, failure) {
    this.error.textContent = '';
    this.busy.add(roomId);
    this.render();
    try {
      await work();
    } catch (error) {
      this.error.textContent = `${failure}: ${error.message}`;
    } finally {
      this.busy.delete(roomId);
      this.render();
    }
  }

  /// The invitation after this one (or before it, for the last), to move focus to.
  #neighbour(roomId) {
    const ids = this.store.sortedInvitations().map((invitation) => invitation.room.id);
    const at = ids.indexOf(roomId);
    return ids[at + 1] ?? ids[at - 1] ?? null;
  }

  focusButton(roomId, accept) {
    const item = [...this.list.querySelectorAll('li.invitation')].find((li) => li.dataset.roomId === roomId);
    item?.querySelector(accept ? 'button.accept-invitation' : 'button.decline-invitation')?.focus();
  }
}
