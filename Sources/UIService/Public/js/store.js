// @ts-check
// What the page knows, and the calls that change it. The parts live in
// js/store/: rooms.js (room rules), timeline.js (each room's window of
// messages by seq, with its gaps), presence.js (online, last seen, typing),
// drafts.js (unsent text per room), relations.js (invitations and blocks) and
// events.js (the server's live events, one handler per type). Server events
// and HTTP answers are merged by message id and room seq, so a message that
// arrives twice (live and by resume, or as the answer to a send and as its
// event) is shown once, in room order.

import { ApiError } from './api.js';
import { newId } from './dom.js';
import { Timeline, PAGE } from './store/timeline.js';
import { Presence } from './store/presence.js';
import { Drafts } from './store/drafts.js';
import { Invitations, Blocks } from './store/relations.js';
import { Marks } from './store/marks.js';
import * as rooms from './store/rooms.js';
import { applyEvent } from './store/events.js';

/** @typedef {import('./protocol.js').Message} Message */
/** @typedef {import('./protocol.js').Room} Room */
/** @typedef {import('./protocol.js').PublicUser} PublicUser */
/** @typedef {import('./protocol.js').Contact} Contact */
/** @typedef {import('./protocol.js').ServerEvent} ServerEvent */
/** @typedef {import('./protocol.js').PendingMessage} PendingMessage */
/** @typedef {import('./protocol.js').MessagePage} MessagePage */
/** @typedef {import('./api.js').Api} Api */

/** A send the server has not answered within this long is shown as not sent, with Retry. */
const SEND_TIMEOUT_MS = 10_000;
/// The most replies the thread panel reads of one thread (pages of 200).
export const MAX_THREAD_REPLIES = 2000;

export { PAGE };

export class ChatStore extends EventTarget {
  /** @param {Api} api */
  constructor(api) {
    super();
    this.api = api;
    /** @type {PublicUser} */
    this.me = api.user;
    /** @type {Map<string, Room>} */
    this.rooms = new Map();
    /** @type {Map<string, PublicUser>} */
    this.users = new Map();
    /** @type {Map<string, Contact>} */
    this.contacts = new Map();
    /** @type {Map<string, Timeline>} */
    this.timelines = new Map();
    this.presence = new Presence();
    /** @type {string|null} */
    this.activeRoomId = null;
    /** @type {Map<string, Promise<PublicUser>>} */
    this.pendingProfiles = new Map();
    /** @type {Set<string>} people whose accounts are gone */
    this.deletedUsers = new Set();
    /** @type {Map<string, Promise<void>>} */
    this.sendQueues = new Map();
    /** @type {Map<string, Promise<void>>} newest pages on their way, by room */
    this.loadingNewest = new Map();
    this.invitationList = new Invitations();
    this.blockList = new Blocks();
    /** Pins of the rooms opened, and my saved messages. */
    this.marks = new Marks();
    /** @type {Map<string, { unreadCount: number, mentionCount: number }>} threads I follow, by root id */
    this.followedThreads = new Map();
    /** @type {Map<string, Message>} roots of threads read or followed (their room's history may not hold them) */
    this.threadRoots = new Map();
    this.drafts = new Drafts(globalThis.localStorage ?? null, this.me?.id ?? 'anonymous');
    /** @type {Map<string, number>} read markers on their way, by room */
    this.reading = new Map();
    /** Counts read answers; `readAt` says when each room's last one came (refreshRooms keeps newer counts). */
    this.readGeneration = 0;
    /** @type {Map<string, number>} */
    this.readAt = new Map();
    /** Counts rooms let go (removed, left, deleted); `forgottenAt` says when each was, so an answer asked for before does not bring it back. */
    this.forgets = 0;
    /** @type {Map<string, number>} */
    this.forgottenAt = new Map();
    /** @type {{ maxUploadBytes?: number, maxMessageLength?: number }} */
    this.limits = {};
  }

  /** Rooms I was invited to, by room id. */
  get invitations() { return this.invitationList.byRoom; }
  /** People I blocked, by user id. */
  get blocks() { return this.blockList.byUser; }

  /**
   * @param {string} what
   * @param {string|null} [roomId]
   */
  changed(what, roomId = null) {
    this.dispatchEvent(new CustomEvent('change', { detail: { what, roomId } }));
  }

  /**
   * The first screen, in two round trips: everything the page starts with asked for at once
   * (me, rooms, contacts, invitations, blocks and, when the address names a room, its newest
   * messages), then the profiles of the people they name.
   * @param {string|null} [openRoomId] the room the address names, if any
   */
  async load(openRoomId = null) {
    // Invitations, blocks and the named room's messages are extras: if they cannot be had
    // now, the page still starts (invitations are read again on every connect).
    const extras = Promise.all([
      this.refreshInvitations({ quiet: true }).catch(() => {}),
      this.refreshBlocks({ quiet: true }).catch(() => {}),
      openRoomId ? this.api.get(`/api/rooms/${openRoomId}/messages?limit=${PAGE}`).catch(() => null) : null,
    ]);
    const [me, roomList, contacts] = await Promise.all([
      this.api.get('/api/users/me'), this.api.get('/api/rooms'), this.api.get('/api/contacts'),
    ]);
    const [, , newest] = await extras;
    this.me = me;
    this.drafts = new Drafts(globalThis.localStorage ?? null, me.id);
    this.api.updateUser(me);
    this.rooms = new Map(roomList.rooms.map((/** @type {Room} */ room) => [room.id, room]));
    this.contacts = new Map(contacts.contacts.map((/** @type {Contact} */ contact) => [contact.user.id, contact]));
    for (const contact of contacts.contacts) this.rememberUser(contact.user);
    const named = openRoomId ? [...this.rooms.keys()].find((id) => id.toLowerCase() === openRoomId.toLowerCase()) : undefined;
    const page = newest && named ? /** @type {MessagePage} */ (newest) : null;
    await this.loadProfiles([...this.rooms.values()].flatMap((room) => rooms.roomPeople(room))
      .concat(page ? page.messages.flatMap((m) => [m.senderId, m.system?.userId]).filter(Boolean) : []));
    if (page && named) {
      this.timeline(named).addNewest(page);
      this.#noteAll(page.messages);
    }
    this.changed('all');
  }

  // ---- people

  /** @param {string} id */
  user(id) { return this.users.get(id); }

  /** @param {string} id */
  displayName(id) {
    if (id === this.me?.id) return 'You';
    if (this.deletedUsers.has(id)) return 'Deleted account';
    const nickname = this.contacts.get(id)?.nickname;
    return nickname || this.users.get(id)?.displayName || this.users.get(id)?.username || 'Someone';
  }

  /** @param {string} id */
  isOnline(id) {
    if (id === this.me?.id) return true;  // one is here, using the page
    if (this.blocks.has(id)) return false; // presence is hidden both ways
    return this.presence.isOnline(id);
  }

  /**
   * When they were last seen (a presence event's `lastSeenAt`, or their profile's), if known.
   * @param {string} id
   */
  lastSeenAt(id) { return this.presence.lastSeenAt(id) ?? this.users.get(id)?.lastSeenAt ?? null; }

  /** @param {PublicUser} user */
  rememberUser(user) {
    this.users.set(user.id, { ...this.users.get(user.id), ...user });
    this.presence.fromProfile(user);
  }

  /** @param {string[]} ids */
  async loadProfiles(ids) {
    const missing = [...new Set(ids)].filter((id) => id !== this.me?.id && !this.users.has(id) && !this.deletedUsers.has(id));
    await Promise.all(missing.map((id) => this.profile(id).catch(() => null)));
  }

  /** @param {string} id */
  profile(id) {
    if (!this.pendingProfiles.has(id)) {
      const request = this.api.get(`/api/users/${id}`).then((/** @type {PublicUser} */ user) => {
        this.rememberUser(user);
        return user;
      }, (error) => {
        // No such person: an account that was deleted (what they wrote stays, theirs no more).
        if (error instanceof ApiError && error.status === 404) this.deletedUsers.add(id);
        throw error;
      }).finally(() => this.pendingProfiles.delete(id));
      this.pendingProfiles.set(id, request);
    }
    return this.pendingProfiles.get(id);
  }

  /** @param {string} text */
  async searchUsers(text) {
    const answer = await this.api.get(`/api/users?search=${encodeURIComponent(text)}&limit=10`);
    for (const user of answer.users) this.rememberUser(user);
    return answer.users.filter((/** @type {PublicUser} */ user) => user.id !== this.me.id);
  }

  // ---- rooms

  /** @param {Room} room */
  roomTitle(room) {
    if (room.roomType === 'direct') {
      const other = this.otherParticipant(room);
      return other ? this.displayName(other) : 'Direct chat';
    }
    return room.name || 'Group';
  }

  /** @param {Room} room */
  otherParticipant(room) { return rooms.otherParticipant(room, this.me.id); }

  /** @param {Room} room */
  invitedTo(room) { return rooms.invitedTo(room); }

  /** @param {Room} room */
  myRole(room) { return rooms.myRole(room, this.me.id); }

  sortedRooms() { return rooms.sortRooms(this.rooms.values()); }

  /** @param {string} roomId */
  async refreshRoom(roomId) {
    const asked = this.forgets;
    try {
      const room = await this.api.get(`/api/rooms/${roomId}`);
      // Removed from it while the answer was on its way: the answer is older than that.
      if ((this.forgottenAt.get(roomId) ?? 0) > asked) return;
      const known = this.rooms.get(roomId);
      const merged = { ...known, ...room, lastMessage: known?.lastMessage ?? room.lastMessage, unreadCount: known?.unreadCount ?? room.unreadCount ?? 0 };
      merged.invitedUserIds = rooms.invitedTo(merged);
      this.rooms.set(roomId, merged);
      await this.loadProfiles(rooms.roomPeople(room));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.forgetRoom(roomId);
      else throw error;
    }
    this.changed('rooms', roomId);
  }

  async refreshRooms() {
    const started = this.readGeneration;
    const asked = this.forgets;
    const answer = await this.api.get('/api/rooms');
    /** @type {Map<string, Room>} */
    const next = new Map(answer.rooms.filter((/** @type {Room} */ room) => (this.forgottenAt.get(room.id) ?? 0) <= asked)
      .map((/** @type {Room} */ room) => [room.id, room]));
    // A read marker moved (or moving) while the list was on its way is newer than the list's counts.
    for (const room of next.values()) {
      const known = this.rooms.get(room.id);
      if (!known || !(this.reading.has(room.id) || (this.readAt.get(room.id) ?? -1) > started)) continue;
      room.unreadCount = known.unreadCount;
      room.mentionCount = known.mentionCount;
      const mine = room.participants?.find((p) => p.userId === this.me.id);
      if (mine) mine.lastReadSeq = Math.max(mine.lastReadSeq || 0, rooms.myReadSeq(known, this.me.id));
    }
    if (this.activeRoomId && !next.has(this.activeRoomId)) this.activeRoomId = null;
    this.rooms = next;
    await this.loadProfiles(answer.rooms.flatMap((/** @type {Room} */ room) => rooms.roomPeople(room)));
    this.changed('rooms');
  }

  /** @param {string} roomId */
  forgetRoom(roomId) {
    this.forgets += 1;
    this.forgottenAt.set(roomId, this.forgets);
    this.rooms.delete(roomId);
    this.timelines.delete(roomId);
    this.marks.forgetRoom(roomId);
    if (this.activeRoomId === roomId) this.activeRoomId = null;
    this.changed('rooms');
  }

  /** @param {string} userId */
  async startDirect(userId) {
    const room = await this.api.post('/api/rooms', { roomType: 'direct', participantIds: [userId] });
    this.#addRoom(room);
    await this.loadProfiles([userId]);
    return room;
  }

  /**
   * The new room; its `invitedUserIds` lists the people who were invited rather than added.
   * @param {string} name
   * @param {string} description
   * @param {string[]} participantIds
   */
  async createGroup(name, description, participantIds, visibility = 'private') {
    const room = await this.api.post('/api/rooms', { roomType: 'group', name, description: description || undefined, participantIds, visibility });
    this.#addRoom(room);
    await this.loadProfiles(rooms.roomPeople(room));
    return room;
  }

  /** @param {Room} room */
  #addRoom(room) {
    const known = this.rooms.get(room.id);
    this.rooms.set(room.id, { unreadCount: 0, ...known, ...room });
    this.changed('rooms', room.id);
  }

  /**
   * @param {string} roomId
   * @param {string} name
   * @param {string} description
   */
  async renameRoom(roomId, name, description) {
    const room = await this.api.patch(`/api/rooms/${roomId}`, { name, description });
    this.#addRoom(room);
  }

  /**
   * Adds someone, or invites them when they do not have me as a contact
   * (the server answers 202 with an invitation). Returns `{ invited }`.
   * @param {string} roomId
   * @param {string} userId
   */
  async addParticipant(roomId, userId) {
    const answer = await this.api.post(`/api/rooms/${roomId}/participants`, { userId });
    const invited = Boolean(answer?.invitation);
    if (invited) {
      const room = this.rooms.get(roomId);
      if (room) room.invitedUserIds = [...new Set([...(room.invitedUserIds || []), userId])];
    }
    await this.refreshRoom(roomId);
    return { invited };
  }

  /**
   * @param {string} roomId
   * @param {string} userId
   */
  async removeParticipant(roomId, userId) {
    await this.api.delete(`/api/rooms/${roomId}/participants/${userId}`);
    await this.refreshRoom(roomId);
  }

  /**
   * @param {string} roomId
   * @param {string} userId
   * @param {string} role
   */
  async setRole(roomId, userId, role) {
    await this.api.patch(`/api/rooms/${roomId}/participants/${userId}`, { role });
    await this.refreshRoom(roomId);
  }

  /** @param {string} roomId */
  async leaveRoom(roomId) {
    const title = this.rooms.has(roomId) ? this.roomTitle(this.rooms.get(roomId)) : '';
    await this.api.post(`/api/rooms/${roomId}/leave`);
    this.drafts.clear(roomId);
    this.forgetRoom(roomId);
    this.dispatchEvent(new CustomEvent('gone', { detail: { roomId, text: `You left “${title}”.` } }));
  }

  /** @param {string} roomId */
  async deleteRoom(roomId) {
    const title = this.rooms.has(roomId) ? this.roomTitle(this.rooms.get(roomId)) : '';
    await this.api.delete(`/api/rooms/${roomId}`);
    this.drafts.clear(roomId);
    this.forgetRoom(roomId);
    this.dispatchEvent(new CustomEvent('gone', { detail: { roomId, text: `You deleted “${title}”.` } }));
  }

  // ---- invitations (rooms someone who is not my contact added me to)

  async refreshInvitations({ quiet = false } = {}) {
    // Events that arrive while the list is on its way may be newer than it: applied again after it.
    const during = this.invitationList.begin();
    let answer;
    try {
      answer = await this.api.get('/api/rooms/invitations');
    } catch (error) {
      this.invitationList.abandon(during);
      throw error;
    }
    for (const invitation of answer.invitations) this.#rememberInviter(invitation);
    this.invitationList.replace(answer.invitations, during);
    if (!quiet) this.changed('invitations');
  }

  /** @param {ServerEvent} event */
  applyInvitationEvent(event) {
    const made = this.invitationList.apply(event);
    if (made) this.#rememberInviter(made);
    this.changed('invitations');
  }

  /** @param {import('./protocol.js').Invitation} invitation */
  #rememberInviter(invitation) {
    if (invitation.invitedBy?.id && invitation.invitedBy.id !== this.me?.id) this.rememberUser(invitation.invitedBy);
  }

  /** Newest first. */
  sortedInvitations() { return this.invitationList.sorted(); }

  /**
   * What an invitation is to: the group's name, or for a direct room the person who invited.
   * @param {import('./protocol.js').Invitation} invitation
   */
  invitationTitle(invitation) { return Invitations.title(invitation); }

  /**
   * Joins the room; resolves with it (now one of my rooms).
   * @param {string} roomId
   */
  async acceptInvitation(roomId) {
    let room;
    try {
      room = await this.api.postEmpty(`/api/rooms/invitations/${roomId}/accept`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.#dropInvitation(roomId);
      throw error;
    }
    this.#dropInvitation(roomId);
    this.#addRoom(room);
    await this.loadProfiles(rooms.roomPeople(room));
    return room;
  }

  /** @param {string} roomId */
  async declineInvitation(roomId) {
    try {
      await this.api.postEmpty(`/api/rooms/invitations/${roomId}/decline`);
    } catch (error) {
      // Already gone (withdrawn, or answered on another page): nothing left to decline.
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
    }
    this.#dropInvitation(roomId);
  }

  /** @param {string} roomId */
  #dropInvitation(roomId) {
    if (this.invitationList.drop(roomId)) this.changed('invitations');
  }

  // ---- blocks (people who may not start chats with me, add me, or see me online)

  async refreshBlocks({ quiet = false } = {}) {
    const answer = await this.api.get('/api/users/me/blocks');
    this.blockList.replace(answer.blocks);
    for (const block of answer.blocks) this.rememberUser(block.user);
    if (!quiet) this.changed('blocks');
  }

  /** @param {string} userId */
  isBlocked(userId) { return this.blockList.has(userId); }

  /** Newest first. */
  sortedBlocks() { return this.blockList.sorted(); }

  /** @param {string} userId */
  async block(userId) {
    const block = await this.api.put(`/api/users/me/blocks/${userId}`);
    const user = block?.user || this.users.get(userId) || { id: userId };
    this.blockList.add({ user, createdAt: block?.createdAt || new Date().toISOString() });
    if (block?.user) this.rememberUser(block.user);
    this.changed('blocks');
  }

  /** @param {string} userId */
  async unblock(userId) {
    try {
      await this.api.delete(`/api/users/me/blocks/${userId}`);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error; // 404: not blocked any more anyway
    }
    this.blockList.remove(userId);
    this.changed('blocks');
  }

  // ---- contacts and profile

  /**
   * @param {string} userId
   * @param {string} [nickname]
   */
  async addContact(userId, nickname) {
    const contact = await this.api.post('/api/contacts', { userId, nickname: nickname || undefined });
    this.contacts.set(userId, contact);
    this.rememberUser(contact.user);
    this.changed('contacts');
  }

  /**
   * @param {string} userId
   * @param {string} nickname
   */
  async renameContact(userId, nickname) {
    const contact = await this.api.patch(`/api/contacts/${userId}`, { nickname: nickname || null });
    this.contacts.set(userId, contact);
    this.changed('contacts');
  }

  /** @param {string} userId */
  async removeContact(userId) {
    await this.api.delete(`/api/contacts/${userId}`);
    this.contacts.delete(userId);
    this.changed('contacts');
  }

  /** @param {Record<string, unknown>} fields */
  async updateProfile(fields) {
    this.me = await this.api.patch('/api/users/me', fields);
    this.api.updateUser(this.me);
    this.changed('me');
  }

  // ---- timelines

  /** @param {string} roomId */
  timeline(roomId) {
    let timeline = this.timelines.get(roomId);
    if (!timeline) {
      timeline = new Timeline();
      this.timelines.set(roomId, timeline);
    }
    return timeline;
  }

  /**
   * A message is known (from any source): the room's preview and newest seq follow it.
   * @param {Message} message
   */
  noteMessage(message) {
    const room = this.rooms.get(message.roomId);
    if (!room) return;
    room.knownSeq = Math.max(room.knownSeq ?? 0, message.seq);
    // A reply in a thread is the thread's news, not the room's last message.
    if (message.threadRootId) return;
    if (!room.lastMessage || room.lastMessage.seq <= message.seq) room.lastMessage = { ...message };
  }

  /**
   * Stored messages from an HTTP answer.
   * @param {Message[]} messages
   */
  #noteAll(messages) { for (const message of messages) this.noteMessage(message); }

  /**
   * The position `resume` continues each room from: the newest message of a window
   * that reaches its end (so what `resume` brings joins it), else the newest heard of.
   */
  positions() {
    /** @type {Record<string, number>} */
    const positions = {};
    for (const room of this.rooms.values()) {
      const timeline = this.timelines.get(room.id);
      const point = timeline?.resumePoint();
      positions[room.id] = point ?? Math.max(timeline?.newestSeq ?? 0, room.lastMessage?.seq ?? 0, room.knownSeq ?? 0);
    }
    return positions;
  }

  /** The connection dropped: no window is known to reach its end until resumed or read again. */
  lostTouch() {
    for (const timeline of this.timelines.values()) timeline.lostTouch();
  }

  /** @param {string} roomId */
  async openRoom(roomId) {
    this.activeRoomId = roomId;
    this.changed('active', roomId);
    this.loadPins(roomId).catch(() => {});
    const timeline = this.timeline(roomId);
    if (!timeline.loaded || !timeline.atEnd) await this.loadNewest(roomId);
  }

  /** @param {string} roomId */
  async loadNewest(roomId) {
    // Once per room at a time: a room opened twice meanwhile (a click, the address) waits for the same answer.
    const known = this.loadingNewest.get(roomId);
    if (known) return known;
    const loading = (async () => {
      const timeline = this.timeline(roomId);
      /** @type {MessagePage} */
      const answer = await this.api.get(`/api/rooms/${roomId}/messages?limit=${PAGE}`);
      await this.#profilesOf(answer.messages);
      timeline.addNewest(answer);
      this.#noteAll(answer.messages);
      this.changed('timeline', roomId);
    })().finally(() => this.loadingNewest.delete(roomId));
    this.loadingNewest.set(roomId, loading);
    return loading;
  }

  /**
   * Older history: the page before the first message held.
   * @param {string} roomId
   */
  async loadOlder(roomId) {
    const timeline = this.timeline(roomId);
    if (!timeline.hasMore || !timeline.loaded) return false;
    const first = timeline.messages[0];
    if (!first) return false;
    return this.loadBefore(roomId, first.seq);
  }

  /**
   * The page before `seq` (older history, or a gap filled from above).
   * @param {string} roomId
   * @param {number} seq
   */
  async loadBefore(roomId, seq) {
    const timeline = this.timeline(roomId);
    if (timeline.loading) return false;
    timeline.loading = true;
    try {
      /** @type {MessagePage} */
      const answer = await this.api.get(`/api/rooms/${roomId}/messages?limit=${PAGE}&before=${seq}`);
      await this.#profilesOf(answer.messages);
      timeline.addBefore(seq, answer);
      this.#noteAll(answer.messages);
      this.changed('older', roomId);
      return answer.messages.length > 0;
    } finally {
      timeline.loading = false;
    }
  }

  /**
   * The page after `seq` (newer history, or a gap filled from below).
   * @param {string} roomId
   * @param {number} seq
   */
  async loadAfter(roomId, seq) {
    const timeline = this.timeline(roomId);
    if (timeline.loading) return false;
    timeline.loading = true;
    try {
      /** @type {MessagePage} */
      const answer = await this.api.get(`/api/rooms/${roomId}/messages?limit=${PAGE}&after=${seq}`);
      await this.#profilesOf(answer.messages);
      timeline.addAfter(seq, answer);
      this.#noteAll(answer.messages);
      this.changed('newer', roomId);
      return answer.messages.length > 0;
    } finally {
      timeline.loading = false;
    }
  }

  /**
   * Loads the profiles of the people messages name (senders who left, people added or removed).
   * @param {Message[]} messages
   */
  async #profilesOf(messages) {
    await this.loadProfiles(messages.flatMap((m) => [m.senderId, m.system?.userId]).filter(Boolean));
  }

  /**
   * Puts a stored message from an HTTP answer in its room's timeline (its neighbours come by the socket).
   * @param {Message} message
   */
  #merge(message) {
    const fresh = this.timeline(message.roomId).addAnswer(message);
    this.noteMessage(message);
    return fresh;
  }

  /**
   * An edit or a delete heard live.
   * @param {ServerEvent} event
   */
  applyMessageChange(event) {
    const timeline = this.timeline(event.roomId);
    if (timeline.byId.has(event.data.id)) timeline.merge(event.data);
    const room = this.rooms.get(event.roomId);
    if (room?.lastMessage?.id === event.data.id) room.lastMessage = { ...room.lastMessage, ...event.data };
    this.marks.messageChanged(event.roomId, event.data);
    this.changed('pins', event.roomId);
    this.changed('timeline', event.roomId);
    this.changed('rooms', event.roomId);
  }

  /** @param {string} roomId */
  pendingMessages(roomId) { return [...this.timeline(roomId).pending.values()]; }

  /**
   * @param {string} roomId
   * @param {string} content
   * @param {string} [clientMessageId]
   * @param {string|null} [replyToId]
   */
  async send(roomId, content, clientMessageId = newId(), replyToId = null) {
    const timeline = this.timeline(roomId);
    /** @type {PendingMessage} */
    const pending = { clientMessageId, roomId, content, replyToId, senderId: this.me.id, createdAt: new Date().toISOString(), state: 'sending' };
    timeline.pending.set(clientMessageId, pending);
    this.changed('timeline', roomId);
    // One send at a time per room, so messages are stored in the order they were written.
    const previous = this.sendQueues.get(roomId) || Promise.resolve();
    const mine = previous.then(() => this.#post(roomId, pending));
    this.sendQueues.set(roomId, mine.catch(() => {}));
    return mine;
  }

  /**
   * @param {string} roomId
   * @param {PendingMessage} pending
   */
  async #post(roomId, pending) {
    const timeline = this.timeline(roomId);
    const { clientMessageId, content, replyToId } = pending;
    try {
      const body = { content, messageType: 'text', clientMessageId, ...(replyToId ? { replyToId } : {}) };
      const message = await this.api.post(`/api/rooms/${roomId}/messages`, body, { timeoutMs: SEND_TIMEOUT_MS });
      this.#merge(message);
    } catch (error) {
      if (error instanceof ApiError && !error.transient && error.status !== 401) {
        timeline.pending.delete(clientMessageId);
        this.changed('timeline', roomId);
        throw error;
      }
      pending.state = 'failed';
      pending.error = error.message;
    }
    this.changed('timeline', roomId);
  }

  /**
   * A file or image message carrying uploads already made (the caption may be empty).
   * @param {string} roomId
   * @param {{ id: string }[]} attachments
   * @param {string} messageType
   * @param {string} [caption]
   */
  async sendAttachments(roomId, attachments, messageType, caption = '') {
    const message = await this.api.post(`/api/rooms/${roomId}/messages`, {
      messageType, content: caption, attachmentIds: attachments.map((a) => a.id), clientMessageId: newId(),
    });
    this.#merge(message);
    this.changed('timeline', roomId);
    return message;
  }

  /**
   * Makes `file` one's profile picture (the server checks it is an image).
   * @param {File} file
   */
  async uploadAvatar(file) {
    this.me = await this.api.upload('/api/users/me/avatar', file, { method: 'PUT' }).done;
    this.api.updateUser(this.me);
    this.changed('me');
  }

  async removeAvatar() {
    await this.api.delete('/api/users/me/avatar');
    this.me = { ...this.me, avatarUrl: null };
    this.api.updateUser(this.me);
    this.changed('me');
  }

  /** Sends again every message that failed for want of a connection (same clientMessageId, so never twice). */
  retryFailed() {
    for (const timeline of this.timelines.values()) {
      for (const pending of timeline.pending.values()) {
        if (pending.state === 'failed') this.retry(pending.roomId, pending.clientMessageId);
      }
    }
  }

  /**
   * @param {string} roomId
   * @param {string} clientMessageId
   */
  retry(roomId, clientMessageId) {
    const pending = this.timeline(roomId).pending.get(clientMessageId);
    if (!pending) return Promise.resolve();
    this.timeline(roomId).pending.delete(clientMessageId);
    return this.send(roomId, pending.content, clientMessageId, pending.replyToId).catch(() => {});
  }

  /**
   * @param {string} roomId
   * @param {string} messageId
   * @param {string} content
   */
  /** The sender turns their message's link card off. @param {string} roomId @param {string} messageId */
  async hideLinkPreview(roomId, messageId) {
    this.timeline(roomId).merge(await this.api.delete(`/api/rooms/${roomId}/messages/${messageId}/preview`));
    this.changed('timeline', roomId);
  }

  async edit(roomId, messageId, content) {
    this.timeline(roomId).merge(await this.api.patch(`/api/rooms/${roomId}/messages/${messageId}`, { content }));
    this.changed('timeline', roomId);
  }

  /**
   * @param {string} roomId
   * @param {string} messageId
   */
  async remove(roomId, messageId) {
    const answer = await this.api.delete(`/api/rooms/${roomId}/messages/${messageId}`);
    const timeline = this.timeline(roomId);
    if (answer?.id) timeline.merge(answer);
    else {
      const known = timeline.byId.get(messageId);
      if (known) { known.deletedAt = new Date().toISOString(); known.content = null; timeline.version += 1; }
    }
    this.changed('timeline', roomId);
  }

  /**
   * A system message in words: who changed what in the room.
   * @param {Message} message
   */
  systemText(message) {
    const actor = this.displayName(message.senderId);
    const event = message.system || { kind: '' };
    const user = event.userId ? this.displayName(event.userId) : 'someone';
    switch (event.kind) {
      case 'member_added': return `${actor} added ${user}`;
      case 'member_removed': return `${actor} removed ${user}`;
      case 'member_left': return `${actor} left the conversation`;
      case 'member_joined': return `${actor} joined`;
      case 'renamed': return `${actor} renamed the conversation “${event.name}”`;
      default: return `${actor} changed the conversation`;
    }
  }

  // ---- threads

  /**
   * A thread's root and replies, read from the server into the room's timeline (replies keep their seq place there).
   * @param {string} roomId
   * @param {string} rootId
   */
  async loadThread(roomId, rootId) {
    const path = `/api/rooms/${roomId}/threads/${rootId}`;
    const first = await this.api.get(`${path}?limit=200`);
    const replies = [...first.replies];
    // A long thread comes in pages of 200, each after the last reply read: all of it, up to MAX_THREAD_REPLIES.
    let more = first.hasMore;
    while (more && replies.length > 0 && replies.length < MAX_THREAD_REPLIES) {
      const next = await this.api.get(`${path}?limit=200&after=${replies[replies.length - 1].seq}`);
      replies.push(...next.replies);
      more = next.hasMore && next.replies.length > 0;
    }
    const page = { ...first, replies, hasMore: more };
    await this.#profilesOf([page.root, ...page.replies]);
    const timeline = this.timeline(roomId);
    this.threadRoots.set(rootId, page.root);
    for (const message of page.replies) timeline.merge(message);
    timeline.version += 1;
    this.changed('thread', roomId);
    return page;
  }

  /**
   * The thread's replies the page holds, oldest first.
   * @param {string} roomId
   * @param {string} rootId
   */
  threadReplies(roomId, rootId) {
    return this.timeline(roomId).messages.filter((message) => message.threadRootId === rootId);
  }

  /** @param {string} rootId */
  threadRoot(rootId) { return this.threadRoots.get(rootId) ?? null; }

  /**
   * A reply in a thread, sent at once (not queued with the room's messages).
   * @param {string} roomId
   * @param {string} rootId
   * @param {string} content
   * @param {string} clientMessageId
   */
  async sendThreadReply(roomId, rootId, content, clientMessageId) {
    const message = await this.api.post(`/api/rooms/${roomId}/messages`, { content, messageType: 'text', clientMessageId, threadRootId: rootId });
    this.noteThreadReply(message);
    this.#merge(message);
    this.followedThreads.set(rootId, { unreadCount: 0, mentionCount: 0 });
    this.changed('thread', roomId);
    return message;
  }

  /**
   * Counts a new reply on its root's summary (once per reply), whoever sent it.
   * @param {Message} message
   */
  noteThreadReply(message) {
    const rootId = message.threadRootId;
    if (!rootId || this.timeline(message.roomId).byId.has(message.id)) return;
    const root = this.timeline(message.roomId).byId.get(rootId) || this.threadRoots.get(rootId);
    if (!root) return;
    const thread = root.thread || { replyCount: 0, lastReplyAt: message.createdAt, participantIds: [] };
    root.thread = { replyCount: thread.replyCount + 1, lastReplyAt: message.createdAt,
      participantIds: [message.senderId, ...thread.participantIds.filter((id) => id !== message.senderId)].slice(0, 5) };
    this.timeline(message.roomId).version += 1;
  }

  /**
   * @param {string} roomId
   * @param {string} rootId
   * @param {boolean} follow
   */
  async followThread(roomId, rootId, follow) {
    const path = `/api/rooms/${roomId}/threads/${rootId}/follow`;
    const answer = follow ? await this.api.put(path) : await this.api.delete(path);
    if (answer.following) this.followedThreads.set(rootId, this.followedThreads.get(rootId) || { unreadCount: 0, mentionCount: 0 });
    else this.followedThreads.delete(rootId);
    return answer.following;
  }

  /**
   * @param {string} roomId
   * @param {string} rootId
   */
  async markThreadRead(roomId, rootId) {
    await this.api.postEmpty(`/api/rooms/${roomId}/threads/${rootId}/read`);
    const known = this.followedThreads.get(rootId);
    if (known) this.followedThreads.set(rootId, { unreadCount: 0, mentionCount: 0 });
  }

  /** The threads I follow, with their unread replies (read again on each connect). */
  async refreshThreads() {
    const answer = await this.api.get('/api/threads?limit=50');
    this.followedThreads = new Map(answer.threads.map((/** @type {any} */ t) => [t.root.id, { unreadCount: t.unreadCount, mentionCount: t.mentionCount }]));
    for (const t of answer.threads) this.threadRoots.set(t.root.id, t.root);
    this.changed('threads');
  }

  // ---- finding and joining groups

  /** @param {string} text */
  async directory(text) {
    const answer = await this.api.get(`/api/rooms/directory?limit=50${text ? `&q=${encodeURIComponent(text)}` : ''}`);
    return answer.rooms;
  }

  /** @param {string} roomId */
  async joinPublic(roomId) { return this.#joined(await this.api.postEmpty(`/api/rooms/${roomId}/join`)); }

  /** @param {string} code */
  async previewInviteLink(code) { return this.api.get(`/api/rooms/invite-links/${encodeURIComponent(code)}`); }

  /** @param {string} code */
  async joinByLink(code) { return this.#joined(await this.api.postEmpty(`/api/rooms/invite-links/${encodeURIComponent(code)}/join`)); }

  /** @param {Room} room */
  async #joined(room) {
    this.#addRoom(room);
    await this.loadProfiles(rooms.roomPeople(room));
    this.changed('rooms', room.id);
    return room;
  }

  /** @param {string} roomId */
  async inviteLinks(roomId) { return (await this.api.get(`/api/rooms/${roomId}/invite-links`)).links; }

  /**
   * @param {string} roomId
   * @param {{ expiresInSeconds?: number, maxUses?: number }} limits
   */
  async createInviteLink(roomId, limits) { return this.api.post(`/api/rooms/${roomId}/invite-links`, limits); }

  /**
   * @param {string} roomId
   * @param {string} code
   */
  async revokeInviteLink(roomId, code) { await this.api.delete(`/api/rooms/${roomId}/invite-links/${code}`); }

  /**
   * @param {string} roomId
   * @param {'public'|'private'} visibility
   */
  async setVisibility(roomId, visibility) {
    const room = await this.api.patch(`/api/rooms/${roomId}`, { visibility });
    const known = this.rooms.get(roomId);
    if (known) known.visibility = room.visibility;
    this.changed('rooms', roomId);
  }

  // ---- one's own account

  /**
   * @param {string} currentPassword
   * @param {string} newPassword
   */
  async changePassword(currentPassword, newPassword) {
    await this.api.post('/api/users/me/password', { currentPassword, newPassword });
  }

  /** My data as the server exports it, with the name it suggests for the file. */
  async exportAccount() {
    const blob = await this.api.download('/api/users/me/export');
    const day = new Date().toISOString().slice(0, 10);
    return { blob, filename: `microchat-${this.me.username}-${day}.json` };
  }

  /** @param {{ password?: string, confirmUsername?: string }} proof */
  async deleteAccount(proof) {
    await this.api.delete('/api/users/me', proof);
  }

  // ---- pins and saved messages

  /**
   * The room's pins, read again (on opening it, and after a reconnect).
   * @param {string} roomId
   */
  async loadPins(roomId) {
    /** @type {{ pins: import('./protocol.js').PinnedMessage[] }} */
    const answer = await this.api.get(`/api/rooms/${roomId}/pins`);
    await this.#profilesOf(answer.pins.map((pin) => pin.message));
    this.marks.setPins(roomId, answer.pins);
    this.changed('pins', roomId);
  }

  /**
   * Pins a message of the room, or takes its pin off.
   * @param {string} roomId
   * @param {string} messageId
   */
  async togglePin(roomId, messageId) {
    if (this.marks.isPinned(roomId, messageId)) {
      await this.api.delete(`/api/rooms/${roomId}/pins/${messageId}`);
      this.marks.removePin(roomId, messageId);
    } else {
      this.marks.addPin(roomId, await this.api.put(`/api/rooms/${roomId}/pins/${messageId}`));
    }
    this.changed('pins', roomId);
  }

  /** Every message I saved (pages of 50; at most 1,000 are kept). */
  async refreshSaved() {
    /** @type {import('./protocol.js').SavedMessage[]} */
    const all = [];
    let before = '';
    for (let page = 0; page < 20; page += 1) {
      const answer = await this.api.get(`/api/saved?limit=50${before ? `&before=${before}` : ''}`);
      all.push(...answer.saved);
      if (!answer.hasMore || !answer.nextBefore) break;
      before = answer.nextBefore;
    }
    await this.#profilesOf(all.map((entry) => entry.message));
    this.marks.setSaved(all);
    this.changed('saved');
  }

  /**
   * Saves a message for me, or takes it off my saved list.
   * @param {string} roomId
   * @param {string} messageId
   */
  async toggleSaved(roomId, messageId) {
    if (this.marks.isSaved(messageId)) {
      await this.api.delete(`/api/rooms/${roomId}/messages/${messageId}/saved`);
      this.marks.removeSaved(messageId);
    } else {
      this.marks.addSaved(await this.api.put(`/api/rooms/${roomId}/messages/${messageId}/saved`));
    }
    this.changed('saved', roomId);
  }

  // ---- reactions, search, mentions, mute

  /**
   * Adds my `emoji` to a message, or takes it back if it is there.
   * @param {string} roomId
   * @param {string} messageId
   * @param {string} emoji
   */
  async toggleReaction(roomId, messageId, emoji) {
    const message = this.timeline(roomId).byId.get(messageId);
    const mine = message?.reactions?.find((r) => r.emoji === emoji)?.userIds.includes(this.me.id);
    const path = `/api/rooms/${roomId}/messages/${messageId}/reactions`;
    const answer = mine ? await this.api.delete(`${path}/${encodeURIComponent(emoji)}`) : await this.api.post(path, { emoji });
    this.setReactions(roomId, answer);
  }

  /**
   * @param {string} roomId
   * @param {{ messageId: string, reactions: import('./protocol.js').Reaction[] }} change
   */
  setReactions(roomId, change) {
    const timeline = this.timeline(roomId);
    const message = timeline.byId.get(change.messageId);
    if (!message) return;
    message.reactions = change.reactions;
    timeline.version += 1;
    this.changed('timeline', roomId);
  }

  /**
   * @param {string} roomId
   * @param {boolean} muted
   */
  async setMuted(roomId, muted) {
    const answer = muted ? await this.api.put(`/api/rooms/${roomId}/mute`) : await this.api.delete(`/api/rooms/${roomId}/mute`);
    const room = this.rooms.get(roomId);
    if (room) {
      room.muted = answer.muted;
      room.notificationLevel = answer.muted ? 'none' : 'default';
    }
    this.changed('rooms', roomId);
  }

  /**
   * My notification level for a room.
   * @param {string} roomId
   * @param {'default'|'all'|'mentions'|'none'} level
   */
  async setNotificationLevel(roomId, level) {
    const answer = await this.api.put(`/api/rooms/${roomId}/notifications`, { level });
    const room = this.rooms.get(roomId);
    if (room) {
      room.notificationLevel = answer.level;
      room.muted = answer.muted;
    }
    this.changed('rooms', roomId);
  }

  // ---- do not disturb

  /** Whether I asked for no notifications right now (on any of my devices). */
  doNotDisturb() {
    const until = this.me?.doNotDisturbUntil;
    return Boolean(until) && Date.parse(until) > Date.now();
  }

  /** @param {Date} until */
  async startDoNotDisturb(until) {
    this.#setMe(await this.api.put('/api/users/me/dnd', { until: until.toISOString() }));
  }

  async endDoNotDisturb() {
    this.#setMe(await this.api.delete('/api/users/me/dnd'));
  }

  /** My profile read again (changed on another of my pages). */
  async refreshMe() {
    this.#setMe(await this.api.get('/api/users/me'));
  }

  /** @param {any} me */
  #setMe(me) {
    this.me = me;
    this.api.updateUser(me);
    this.changed('me');
  }

  /**
   * @param {string} text
   * @param {{ roomId?: string|null, cursor?: string|null }} options
   */
  async search(text, { roomId = null, cursor = null } = {}) {
    const params = new URLSearchParams({ q: text, limit: '20' });
    if (roomId) params.set('roomId', roomId);
    if (cursor) params.set('cursor', cursor);
    const answer = await this.api.get(`/api/search?${params}`);
    await this.loadProfiles(answer.results.map((/** @type {{ message: Message }} */ hit) => hit.message.senderId));
    return answer;
  }

  async mentions() {
    const answer = await this.api.get('/api/mentions?limit=30');
    await this.loadProfiles(answer.messages.map((/** @type {Message} */ m) => m.senderId));
    return answer;
  }

  /**
   * Loads the history around one message (a search hit, a quoted original, the first
   * unread), beside whatever else the room holds: the stretches between stay gaps.
   * @param {string} roomId
   * @param {{ seq: number }} message
   */
  async loadAround(roomId, message) {
    const timeline = this.timeline(roomId);
    /** @type {[MessagePage, MessagePage]} */
    const [before, after] = await Promise.all([
      this.api.get(`/api/rooms/${roomId}/messages?limit=${PAGE}&before=${message.seq + 1}`),
      this.api.get(`/api/rooms/${roomId}/messages?limit=${PAGE}&after=${message.seq}`),
    ]);
    await this.#profilesOf([...before.messages, ...after.messages]);
    timeline.addBefore(message.seq + 1, before);
    timeline.addAfter(message.seq, after);
    this.#noteAll([...before.messages, ...after.messages]);
    this.changed('timeline', roomId);
  }

  /**
   * "Jump to the latest": the newest page, beside what the room holds (a gap between them if any).
   * @param {string} roomId
   */
  async resetToNewest(roomId) {
    await this.loadNewest(roomId);
  }

  /** Unread messages of rooms that are not muted: the number in the tab title. */
  unreadTotal() { return rooms.unreadTotal(this.rooms.values()); }

  /**
   * Moves my read marker to `message` (by default the newest the page holds), never back.
   * The room view calls it for the newest message that was on screen.
   * @param {string} roomId
   * @param {Message} [message]
   */
  async markRead(roomId, message) {
    const room = this.rooms.get(roomId);
    const target = message || this.timeline(roomId).messages.at(-1) || room?.lastMessage;
    if (!room || !target?.id) return;
    const mine = (room.participants || []).find((p) => p.userId === this.me.id);
    const before = mine?.lastReadSeq || 0;
    const reachesEnd = target.seq >= (room.lastMessage?.seq ?? 0);
    if (before >= target.seq && !(reachesEnd && room.unreadCount)) return;
    // One call at a time per room and position: views ask on every render.
    if ((this.reading.get(roomId) ?? -1) >= target.seq) return;
    this.reading.set(roomId, target.seq);
    if (mine) mine.lastReadSeq = Math.max(before, target.seq);
    // Optimistic: what is left unread is what lies after it (the server's answer says exactly).
    if (reachesEnd) { room.unreadCount = 0; room.mentionCount = 0; }
    this.changed('rooms', roomId);
    try {
      const answer = await this.api.post(`/api/rooms/${roomId}/read`, { messageId: target.id });
      // The room list may have been read again meanwhile: the room as it is now takes the answer.
      const current = this.rooms.get(roomId) ?? room;
      const me = current.participants?.find((p) => p.userId === this.me.id);
      if (me) me.lastReadSeq = Math.max(me.lastReadSeq || 0, target.seq);
      current.unreadCount = answer.unreadCount;
      if (typeof answer.mentionCount === 'number') current.mentionCount = answer.mentionCount;
      else if (!answer.unreadCount) current.mentionCount = 0;
      this.readAt.set(roomId, ++this.readGeneration);
      this.changed('rooms', roomId);
    } catch {
      if (mine && mine.lastReadSeq === target.seq && before < target.seq) mine.lastReadSeq = before; // the next look tries again
    } finally {
      if (this.reading.get(roomId) === target.seq) this.reading.delete(roomId);
    }
  }

  /**
   * Who (besides me) has read up to at least `seq` in the room.
   * @param {string} roomId
   * @param {number} seq
   */
  readers(roomId, seq) { return rooms.readersOf(this.rooms.get(roomId), this.me.id, seq); }

  /**
   * How far I have read in the room.
   * @param {string} roomId
   */
  readSeq(roomId) { return rooms.myReadSeq(this.rooms.get(roomId), this.me.id); }

  /** @param {string} roomId */
  typingIn(roomId) { return this.presence.typingIn(roomId); }

  // ---- live events

  /**
   * Applies a server event (js/store/events.js has a handler per type).
   * @param {ServerEvent} event
   * @param {{ visible: boolean }} context
   */
  async apply(event, context) { await applyEvent(this, event, context); }
}
