// @ts-check
// Invitations to rooms (from people who do not have me as a contact) and the
// people I blocked. Pure logic over what the API and the socket say (unit
// tests: Tests/web-unit/relations.test.mjs); ChatStore does the calls.

import { EventType } from '../protocol.js';

/** @typedef {import('../protocol.js').Invitation} Invitation */
/** @typedef {import('../protocol.js').Block} Block */
/** @typedef {import('../protocol.js').ServerEvent} ServerEvent */

export class Invitations {
  constructor() {
    /** @type {Map<string, Invitation>} roomId → invitation */
    this.byRoom = new Map();
    /** @type {ServerEvent[] | null} events heard while the list is on its way (applied again after it) */
    this.during = null;
  }

  /** Starts reading the list: events from now on are kept to apply over it. */
  begin() {
    /** @type {ServerEvent[]} */
    const during = [];
    this.during = during;
    return during;
  }

  /**
   * The list arrived (`during` is what `begin` returned).
   * @param {Invitation[]} invitations
   * @param {ServerEvent[]} during
   */
  replace(invitations, during) {
    if (this.during === during) this.during = null;
    this.byRoom = new Map(invitations.map((invitation) => [invitation.room.id, invitation]));
    for (const event of during) this.#apply(event);
  }

  /**
   * The list could not be read.
   * @param {ServerEvent[]} during
   */
  abandon(during) { if (this.during === during) this.during = null; }

  /**
   * `invitation.created` or `invitation.removed`. Returns the invitation it made, if any.
   * @param {ServerEvent} event
   * @returns {Invitation|null}
   */
  apply(event) {
    this.during?.push(event);
    return this.#apply(event);
  }

  /** @param {ServerEvent} event */
  #apply(event) {
    if (event.type === EventType.INVITATION_REMOVED) {
      // Accepted (here or on another page), declined, or withdrawn.
      if (event.roomId) this.byRoom.delete(event.roomId);
      return null;
    }
    const invitation = event.data?.invitation;
    const id = invitation?.room?.id || event.roomId;
    if (!invitation || !id) return null;
    const made = { ...invitation, room: { id, ...invitation.room } };
    this.byRoom.set(id, made);
    return made;
  }

  /** @param {string} roomId */
  drop(roomId) { return this.byRoom.delete(roomId); }

  get size() { return this.byRoom.size; }

  /** Newest first. */
  sorted() {
    return [...this.byRoom.values()].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
  }

  /**
   * What an invitation is to: the group's name, or for a direct room the person who invited.
   * @param {Invitation} invitation
   */
  static title(invitation) {
    const inviter = invitation.invitedBy;
    if (invitation.room?.roomType === 'direct') return inviter?.displayName || inviter?.username || 'Someone';
    return invitation.room?.name || 'Group';
  }
}

export class Blocks {
  constructor() {
    /** @type {Map<string, Block>} userId → block */
    this.byUser = new Map();
  }

  /** @param {Block[]} blocks */
  replace(blocks) { this.byUser = new Map(blocks.map((block) => [block.user.id, block])); }

  /** @param {Block} block */
  add(block) { this.byUser.set(block.user.id, block); }

  /** @param {string} userId */
  remove(userId) { this.byUser.delete(userId); }

  /** @param {string} userId */
  has(userId) { return this.byUser.has(userId); }

  /** Newest first. */
  sorted() {
    return [...this.byUser.values()].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
  }
}
