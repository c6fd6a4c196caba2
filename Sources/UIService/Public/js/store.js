// What the page knows: rooms, timelines, people, contacts, typing,
// presence, invitations to rooms and the people one has blocked. Server
// events and HTTP answers are merged here by message id and room seq, so a
// message that arrives twice (live and by resume, or as the answer to a send
// and as its event) is shown once, in room order.

import { ApiError } from './api.js';
import { newId } from './dom.js';

const PAGE = 30;
const TYPING_MS = 5000;
/// A send the server has not answered within this long is shown as not sent, with Retry.
const SEND_TIMEOUT_MS = 10_000;

export class ChatStore extends EventTarget {
  constructor(api) {
    super();
    this.api = api;
    this.me = api.user;
    this.rooms = new Map();
    this.users = new Map();
    this.contacts = new Map();
    this.timelines = new Map();
    this.typing = new Map();
    this.online = new Map();
    this.activeRoomId = null;
    this.pendingProfiles = new Map();
    this.sendQueues = new Map();
    this.invitations = new Map(); // roomId → { room, invitedBy, createdAt }
    this.blocks = new Map();      // userId → { user, createdAt }
  }

  changed(what, roomId = null) {
    this.dispatchEvent(new CustomEvent('change', { detail: { what, roomId } }));
  }

  async load() {
    const [me, rooms, contacts] = await Promise.all([
      this.api.get('/api/users/me'), this.api.get('/api/rooms'), this.api.get('/api/contacts'),
    ]);
    this.me = me;
    this.api.updateUser(me);
    this.rooms = new Map(rooms.rooms.map((room) => [room.id, room]));
    this.contacts = new Map(contacts.contacts.map((contact) => [contact.user.id, contact]));
    for (const contact of contacts.contacts) this.#rememberUser(contact.user);
    // Invitations and blocks are extras: if they cannot be had now, the page
    // still starts (invitations are read again on every connect).
    await Promise.all([this.refreshInvitations({ quiet: true }).catch(() => {}), this.refreshBlocks({ quiet: true }).catch(() => {})]);
    await this.#loadProfiles([...this.rooms.values()].flatMap((room) => this.#roomPeople(room)));
    this.changed('all');
  }

  // ---- people

  user(id) { return this.users.get(id); }

  displayName(id) {
    if (id === this.me?.id) return 'You';
    const nickname = this.contacts.get(id)?.nickname;
    return nickname || this.users.get(id)?.displayName || this.users.get(id)?.username || 'Someone';
  }

  isOnline(id) {
    if (id === this.me?.id) return true;  // one is here, using the page
    if (this.blocks.has(id)) return false; // presence is hidden both ways
    return this.online.has(id) ? this.online.get(id) : Boolean(this.users.get(id)?.online);
  }

  #rememberUser(user) {
    this.users.set(user.id, { ...this.users.get(user.id), ...user });
    if (!this.online.has(user.id) && typeof user.online === 'boolean') this.online.set(user.id, user.online);
  }

  async #loadProfiles(ids) {
    const missing = [...new Set(ids)].filter((id) => id !== this.me?.id && !this.users.has(id));
    await Promise.all(missing.map((id) => this.profile(id).catch(() => null)));
  }

  profile(id) {
    if (!this.pendingProfiles.has(id)) {
      const request = this.api.get(`/api/users/${id}`).then((user) => {
        this.#rememberUser(user);
        return user;
      }).finally(() => this.pendingProfiles.delete(id));
      this.pendingProfiles.set(id, request);
    }
    return this.pendingProfiles.get(id);
  }

  async searchUsers(text) {
    const answer = await this.api.get(`/api/users?search=${encodeURIComponent(text)}&limit=10`);
    for (const user of answer.users) this.#rememberUser(user);
    return answer.users.filter((user) => user.id !== this.me.id);
  }

  // ---- rooms

  roomTitle(room) {
    if (room.roomType === 'direct') {
      const other = this.otherParticipant(room);
      return other ? this.displayName(other) : 'Direct chat';
    }
    return room.name || 'Group';
  }

  /// The other person of a direct room: a member, or the person invited who has not accepted yet.
  otherParticipant(room) {
    return (room.participants || []).map((p) => p.userId).find((id) => id !== this.me.id)
      ?? (room.invitedUserIds || []).find((id) => id !== this.me.id);
  }

  /// Everyone a room names: its members and the people invited to it.
  #roomPeople(room) {
    return [...(room.participants || []).map((p) => p.userId), ...(room.invitedUserIds || [])];
  }

  /// People invited to the room who are not members yet (an answer may lag behind a join).
  invitedTo(room) {
    const members = new Set((room.participants || []).map((p) => p.userId));
    return (room.invitedUserIds || []).filter((id) => !members.has(id));
  }

  myRole(room) {
    return (room.participants || []).find((p) => p.userId === this.me.id)?.role;
  }

  sortedRooms() {
    const activity = (room) => room.lastMessage?.createdAt || room.updatedAt || room.createdAt;
    return [...this.rooms.values()].sort((a, b) => String(activity(b)).localeCompare(String(activity(a))));
  }

  async refreshRoom(roomId) {
    try {
      const room = await this.api.get(`/api/rooms/${roomId}`);
      const known = this.rooms.get(roomId);
      const merged = { ...known, ...room, lastMessage: known?.lastMessage ?? room.lastMessage, unreadCount: known?.unreadCount ?? room.unreadCount ?? 0 };
      merged.invitedUserIds = this.invitedTo(merged);
      this.rooms.set(roomId, merged);
      await this.#loadProfiles(this.#roomPeople(room));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.#forgetRoom(roomId);
      else throw error;
    }
    this.changed('rooms', roomId);
  }

  async refreshRooms() {
    const answer = await this.api.get('/api/rooms');
    const next = new Map(answer.rooms.map((room) => [room.id, room]));
    if (this.activeRoomId && !next.has(this.activeRoomId)) this.activeRoomId = null;
    this.rooms = next;
    await this.#loadProfiles(answer.rooms.flatMap((room) => this.#roomPeople(room)));
    this.changed('rooms');
  }

  #forgetRoom(roomId) {
    this.rooms.delete(roomId);
    this.timelines.delete(roomId);
    if (this.activeRoomId === roomId) this.activeRoomId = null;
    this.changed('rooms');
  }

  async startDirect(userId) {
    const room = await this.api.post('/api/rooms', { roomType: 'direct', participantIds: [userId] });
    this.#addRoom(room);
    await this.#loadProfiles([userId]);
    return room;
  }

  /// The new room; its `invitedUserIds` lists the people who were invited rather than added.
  async createGroup(name, description, participantIds) {
    const room = await this.api.post('/api/rooms', { roomType: 'group', name, description: description || undefined, participantIds });
    this.#addRoom(room);
    await this.#loadProfiles(this.#roomPeople(room));
    return room;
  }

  #addRoom(room) {
    const known = this.rooms.get(room.id);
    this.rooms.set(room.id, { unreadCount: 0, ...known, ...room });
    this.changed('rooms', room.id);
  }

  async renameRoom(roomId, name, description) {
    const room = await this.api.patch(`/api/rooms/${roomId}`, { name, description });
    this.#addRoom(room);
  }

  /// Adds someone, or invites them when they do not have me as a contact
  /// (the server answers 202 with an invitation). Returns `{ invited }`.
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

  async removeParticipant(roomId, userId) {
    await this.api.delete(`/api/rooms/${roomId}/participants/${userId}`);
    await this.refreshRoom(roomId);
  }

  async setRole(roomId, userId, role) {
    await this.api.patch(`/api/rooms/${roomId}/participants/${userId}`, { role });
    await this.refreshRoom(roomId);
  }

  async leaveRoom(roomId) {
    await this.api.post(`/api/rooms/${roomId}/leave`);
    this.#forgetRoom(roomId);
  }

  async deleteRoom(roomId) {
    await this.api.delete(`/api/rooms/${roomId}`);
    this.#forgetRoom(roomId);
  }

  // ---- invitations (rooms someone who is not my contact added me to)

  async refreshInvitations({ quiet = false } = {}) {
    // Events that arrive while the list is on its way may be newer than it: applied again after it.
    const during = [];
    this.invitationEvents = during;
    let answer;
    try {
      answer = await this.api.get('/api/rooms/invitations');
    } finally {
      if (this.invitationEvents === during) this.invitationEvents = null;
    }
    this.invitations = new Map(answer.invitations.map((invitation) => [invitation.room.id, invitation]));
    for (const invitation of answer.invitations) this.#rememberInviter(invitation);
    for (const event of during) this.#applyInvitationEvent(event);
    if (!quiet) this.changed('invitations');
  }

  #applyInvitationEvent(event) {
    this.invitationEvents?.push(event);
    if (event.type === 'invitation.removed') {
      // Accepted (here or on another page), declined, or withdrawn.
      if (event.roomId) this.invitations.delete(event.roomId);
      return;
    }
    const invitation = event.data?.invitation;
    const id = invitation?.room?.id || event.roomId;
    if (!invitation || !id) return;
    this.#rememberInviter(invitation);
    this.invitations.set(id, { ...invitation, room: { id, ...invitation.room } });
  }

  #rememberInviter(invitation) {
    if (invitation.invitedBy?.id && invitation.invitedBy.id !== this.me?.id) this.#rememberUser(invitation.invitedBy);
  }

  /// Newest first.
  sortedInvitations() {
    return [...this.invitations.values()].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
  }

  /// What an invitation is to: the group's name, or for a direct room the person who invited.
  invitationTitle(invitation) {
    const inviter = invitation.invitedBy;
    if (invitation.room?.roomType === 'direct') return inviter?.displayName || inviter?.username || 'Someone';
    return invitation.room?.name || 'Group';
  }

  /// Joins the room; resolves with it (now one of my rooms).
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
    await this.#loadProfiles(this.#roomPeople(room));
    return room;
  }

  async declineInvitation(roomId) {
    try {
      await this.api.postEmpty(`/api/rooms/invitations/${roomId}/decline`);
    } catch (error) {
      // Already gone (withdrawn, or answered on another page): nothing left to decline.
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
    }
    this.#dropInvitation(roomId);
  }

  #dropInvitation(roomId) {
    if (this.invitations.delete(roomId)) this.changed('invitations');
  }

  // ---- blocks (people who may not start chats with me, add me, or see me online)

  async refreshBlocks({ quiet = false } = {}) {
    const answer = await this.api.get('/api/users/me/blocks');
    this.blocks = new Map(answer.blocks.map((block) => [block.user.id, block]));
    for (const block of answer.blocks) this.#rememberUser(block.user);
    if (!quiet) this.changed('blocks');
  }

  isBlocked(userId) { return this.blocks.has(userId); }

  /// Newest first.
  sortedBlocks() {
    return [...this.blocks.values()].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
  }

  async block(userId) {
    const block = await this.api.put(`/api/users/me/blocks/${userId}`);
    const user = block?.user || this.users.get(userId) || { id: userId };
    this.blocks.set(userId, { user, createdAt: block?.createdAt || new Date().toISOString() });
    if (block?.user) this.#rememberUser(block.user);
    this.changed('blocks');
  }

  async unblock(userId) {
    try {
      await this.api.delete(`/api/users/me/blocks/${userId}`);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error; // 404: not blocked any more anyway
    }
    this.blocks.delete(userId);
    this.changed('blocks');
  }

  // ---- contacts and profile

  async addContact(userId, nickname) {
    const contact = await this.api.post('/api/contacts', { userId, nickname: nickname || undefined });
    this.contacts.set(userId, contact);
    this.#rememberUser(contact.user);
    this.changed('contacts');
  }

  async renameContact(userId, nickname) {
    const contact = await this.api.patch(`/api/contacts/${userId}`, { nickname: nickname || null });
    this.contacts.set(userId, contact);
    this.changed('contacts');
  }

  async removeContact(userId) {
    await this.api.delete(`/api/contacts/${userId}`);
    this.contacts.delete(userId);
    this.changed('contacts');
  }

  async updateProfile(fields) {
    this.me = await this.api.patch('/api/users/me', fields);
    this.api.updateUser(this.me);
    this.changed('me');
  }

  // ---- timelines

  timeline(roomId) {
    if (!this.timelines.has(roomId)) {
      this.timelines.set(roomId, { messages: [], byId: new Map(), pending: new Map(), hasMore: true, loaded: false, loading: false });
    }
    return this.timelines.get(roomId);
  }

  /// The last seq the page has for each room: what `resume` asks the server to continue from.
  positions() {
    const positions = {};
    for (const room of this.rooms.values()) {
      const timeline = this.timelines.get(room.id);
      const newest = timeline?.messages.at(-1)?.seq ?? 0;
      positions[room.id] = Math.max(newest, room.lastMessage?.seq ?? 0, room.knownSeq ?? 0);
    }
    return positions;
  }

  async openRoom(roomId) {
    this.activeRoomId = roomId;
    this.changed('active', roomId);
    const timeline = this.timeline(roomId);
    if (!timeline.loaded) {
      await this.loadNewest(roomId);
    }
    this.markRead(roomId);
  }

  async loadNewest(roomId) {
    const timeline = this.timeline(roomId);
    const answer = await this.api.get(`/api/rooms/${roomId}/messages?limit=${PAGE}`);
    await this.#profilesOf(answer.messages);
    for (const message of answer.messages) this.#merge(message);
    if (!timeline.loaded) timeline.hasMore = answer.hasMore;
    timeline.loaded = true;
    this.changed('timeline', roomId);
  }

  async loadOlder(roomId) {
    const timeline = this.timeline(roomId);
    if (timeline.loading || !timeline.hasMore || !timeline.loaded) return false;
    const first = timeline.messages[0];
    if (!first) { timeline.hasMore = false; return false; }
    timeline.loading = true;
    try {
      const answer = await this.api.get(`/api/rooms/${roomId}/messages?limit=${PAGE}&before=${first.seq}`);
      await this.#profilesOf(answer.messages);
      for (const message of answer.messages) this.#merge(message);
      timeline.hasMore = answer.hasMore;
      this.changed('older', roomId);
      return answer.messages.length > 0;
    } finally {
      timeline.loading = false;
    }
  }

  /// Loads the profiles of the people messages name (senders who left, people added or removed).
  async #profilesOf(messages) {
    await this.#loadProfiles(messages.flatMap((m) => [m.senderId, m.system?.userId]).filter(Boolean));
  }

  /// Puts a stored message in its room's timeline, replacing an older copy or the pending send it answers.
  #merge(message) {
    const timeline = this.timeline(message.roomId);
    if (message.clientMessageId && timeline.pending.has(message.clientMessageId)) {
      timeline.pending.delete(message.clientMessageId);
    }
    const known = timeline.byId.get(message.id);
    if (known) {
      const newer = (message.deletedAt && !known.deletedAt) || String(message.updatedAt || '') >= String(known.updatedAt || '');
      if (newer) Object.assign(known, message);
    } else {
      const copy = { ...message };
      timeline.byId.set(copy.id, copy);
      const list = timeline.messages;
      let index = list.length;
      while (index > 0 && list[index - 1].seq > copy.seq) index -= 1;
      list.splice(index, 0, copy);
    }
    const room = this.rooms.get(message.roomId);
    if (room) {
      room.knownSeq = Math.max(room.knownSeq ?? 0, message.seq);
      if (!room.lastMessage || room.lastMessage.seq <= message.seq) room.lastMessage = { ...message };
    }
    return !known;
  }

  pendingMessages(roomId) { return [...this.timeline(roomId).pending.values()]; }

  async send(roomId, content, clientMessageId = newId(), replyToId = null) {
    const timeline = this.timeline(roomId);
    const pending = { clientMessageId, roomId, content, replyToId, senderId: this.me.id, createdAt: new Date().toISOString(), state: 'sending' };
    timeline.pending.set(clientMessageId, pending);
    this.changed('timeline', roomId);
    // One send at a time per room, so messages are stored in the order they were written.
    const previous = this.sendQueues.get(roomId) || Promise.resolve();
    const mine = previous.then(() => this.#post(roomId, pending));
    this.sendQueues.set(roomId, mine.catch(() => {}));
    return mine;
  }

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

  /// A file or image message carrying uploads already made (the caption may be empty).
  async sendAttachments(roomId, attachments, messageType, caption = '') {
    const message = await this.api.post(`/api/rooms/${roomId}/messages`, {
      messageType, content: caption, attachmentIds: attachments.map((a) => a.id), clientMessageId: newId(),
    });
    this.#merge(message);
    this.changed('timeline', roomId);
    return message;
  }

  /// Makes `file` one's profile picture (the server checks it is an image).
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

  /// Sends again every message that failed for want of a connection (same clientMessageId, so never twice).
  retryFailed() {
    for (const timeline of this.timelines.values()) {
      for (const pending of timeline.pending.values()) {
        if (pending.state === 'failed') this.retry(pending.roomId, pending.clientMessageId);
      }
    }
  }

  retry(roomId, clientMessageId) {
    const pending = this.timeline(roomId).pending.get(clientMessageId);
    if (!pending) return Promise.resolve();
    this.timeline(roomId).pending.delete(clientMessageId);
    return this.send(roomId, pending.content, clientMessageId, pending.replyToId).catch(() => {});
  }

  async edit(roomId, messageId, content) {
    this.#merge(await this.api.patch(`/api/rooms/${roomId}/messages/${messageId}`, { content }));
    this.changed('timeline', roomId);
  }

  async remove(roomId, messageId) {
    const answer = await this.api.delete(`/api/rooms/${roomId}/messages/${messageId}`);
    if (answer?.id) this.#merge(answer);
    else {
      const known = this.timeline(roomId).byId.get(messageId);
      if (known) { known.deletedAt = new Date().toISOString(); known.content = null; }
    }
    this.changed('timeline', roomId);
  }

  /// A system message in words: who changed what in the room.
  systemText(message) {
    const actor = this.displayName(message.senderId);
    const event = message.system || {};
    const user = event.userId ? this.displayName(event.userId) : 'someone';
    switch (event.kind) {
      case 'member_added': return `${actor} added ${user}`;
      case 'member_removed': return `${actor} removed ${user}`;
      case 'member_left': return `${actor} left the conversation`;
      case 'renamed': return `${actor} renamed the conversation “${event.name}”`;
      default: return `${actor} changed the conversation`;
    }
  }

  // ---- reactions, search, mentions, mute

  /// Adds my `emoji` to a message, or takes it back if it is there.
  async toggleReaction(roomId, messageId, emoji) {
    const message = this.timeline(roomId).byId.get(messageId);
    const mine = message?.reactions?.find((r) => r.emoji === emoji)?.userIds.includes(this.me.id);
    const path = `/api/rooms/${roomId}/messages/${messageId}/reactions`;
    const answer = mine ? await this.api.delete(`${path}/${encodeURIComponent(emoji)}`) : await this.api.post(path, { emoji });
    this.#setReactions(roomId, answer);
  }

  #setReactions(roomId, change) {
    const message = this.timeline(roomId).byId.get(change.messageId);
    if (!message) return;
    message.reactions = change.reactions;
    this.changed('timeline', roomId);
  }

  async setMuted(roomId, muted) {
    const answer = muted ? await this.api.put(`/api/rooms/${roomId}/mute`) : await this.api.delete(`/api/rooms/${roomId}/mute`);
    const room = this.rooms.get(roomId);
    if (room) room.muted = answer.muted;
    this.changed('rooms', roomId);
  }

  async search(text, { roomId = null, cursor = null } = {}) {
    const params = new URLSearchParams({ q: text, limit: '20' });
    if (roomId) params.set('roomId', roomId);
    if (cursor) params.set('cursor', cursor);
    const answer = await this.api.get(`/api/search?${params}`);
    await this.#loadProfiles(answer.results.map((hit) => hit.message.senderId));
    return answer;
  }

  async mentions() {
    const answer = await this.api.get('/api/mentions?limit=30');
    await this.#loadProfiles(answer.messages.map((m) => m.senderId));
    return answer;
  }

  /// Loads the history around one message (a search hit), so the room can show it in place.
  async loadAround(roomId, message) {
    const timeline = this.timeline(roomId);
    const [before, after] = await Promise.all([
      this.api.get(`/api/rooms/${roomId}/messages?limit=${PAGE}&before=${message.seq + 1}`),
      this.api.get(`/api/rooms/${roomId}/messages?limit=${PAGE}&after=${message.seq}`),
    ]);
    // What is loaded must stay one unbroken stretch of the room: start over from this window.
    const newest = timeline.messages.at(-1)?.seq ?? 0;
    if (after.hasMore || (timeline.messages.length && timeline.messages[0].seq > message.seq + 1) || newest < message.seq) {
      this.#clear(timeline);
    }
    await this.#profilesOf([...before.messages, ...after.messages]);
    for (const found of [...before.messages, ...after.messages]) this.#merge(found);
    timeline.hasMore = before.hasMore;
    timeline.loaded = true;
    timeline.newerMissing = after.hasMore;
    this.changed('timeline', roomId);
  }

  /// Drops a window loaded around an old message and loads the newest page again.
  async resetToNewest(roomId) {
    const timeline = this.timeline(roomId);
    this.#clear(timeline);
    timeline.loaded = false;
    timeline.hasMore = true;
    timeline.newerMissing = false;
    await this.loadNewest(roomId);
  }

  #clear(timeline) {
    timeline.messages = [];
    timeline.byId = new Map();
  }

  /// Unread messages of rooms that are not muted: the number in the tab title.
  unreadTotal() {
    let total = 0;
    for (const room of this.rooms.values()) if (!room.muted) total += room.unreadCount || 0;
    return total;
  }

  /// Moves my read marker to the newest message in the room (when I am looking at it).
  async markRead(roomId) {
    const room = this.rooms.get(roomId);
    const newest = this.timeline(roomId).messages.at(-1) || room?.lastMessage;
    if (!room || !newest?.id) return;
    const mine = (room.participants || []).find((p) => p.userId === this.me.id);
    if (mine && mine.lastReadSeq >= newest.seq && !room.unreadCount) return;
    room.unreadCount = 0;
    room.mentionCount = 0;
    if (mine) mine.lastReadSeq = Math.max(mine.lastReadSeq || 0, newest.seq);
    this.changed('rooms', roomId);
    try {
      const answer = await this.api.post(`/api/rooms/${roomId}/read`, { messageId: newest.id });
      room.unreadCount = answer.unreadCount;
      if (!answer.unreadCount) room.mentionCount = 0;
      this.changed('rooms', roomId);
    } catch { /* the next look at the room tries again */ }
  }

  /// Who (besides me) has read up to at least `seq` in the room.
  readers(roomId, seq) {
    const room = this.rooms.get(roomId);
    return (room?.participants || []).filter((p) => p.userId !== this.me.id && (p.lastReadSeq || 0) >= seq).map((p) => p.userId);
  }

  typingIn(roomId) {
    const now = Date.now();
    const entries = this.typing.get(roomId);
    if (!entries) return [];
    return [...entries].filter(([, until]) => until > now).map(([userId]) => userId);
  }

  // ---- live events

  async apply(event, { visible }) {
    const roomId = event.roomId;
    switch (event.type) {
      case 'message.created': {
        if (!this.rooms.has(roomId)) { await this.refreshRoom(roomId); }
        const fresh = this.#merge(event.data);
        const room = this.rooms.get(roomId);
        if (event.data.messageType === 'system') {
          await this.#loadProfiles([event.data.senderId, event.data.system?.userId].filter(Boolean));
        } else if (fresh && room && event.data.senderId !== this.me.id) {
          this.typing.get(roomId)?.delete(event.data.senderId);
          if (roomId === this.activeRoomId && visible) this.markRead(roomId);
          else {
            room.unreadCount = (room.unreadCount || 0) + 1;
            // A blocked person's mentions do not call for me (the server does not count them either).
            if (event.data.mentions?.includes(this.me.id) && !this.isBlocked(event.data.senderId)) room.mentionCount = (room.mentionCount || 0) + 1;
          }
          this.dispatchEvent(new CustomEvent('incoming', { detail: { message: event.data, room } }));
        }
        this.changed('timeline', roomId);
        this.changed('rooms', roomId);
        break;
      }
      case 'reaction.added':
      case 'reaction.removed':
        if (event.data?.messageId) this.#setReactions(roomId, event.data);
        break;
      case 'user.updated':
        if (event.data?.id && event.data.id !== this.me.id) {
          this.#rememberUser(event.data);
          this.changed('presence');
        }
        break;
      case 'message.updated':
      case 'message.deleted':
        this.#merge(event.data);
        this.changed('timeline', roomId);
        this.changed('rooms', roomId);
        break;
      case 'read.updated': {
        const room = this.rooms.get(roomId);
        const participant = room?.participants?.find((p) => p.userId === event.data.userId);
        if (participant) participant.lastReadSeq = Math.max(participant.lastReadSeq || 0, event.data.seq);
        if (room && event.data.userId === this.me.id && event.data.seq >= (room.lastMessage?.seq ?? 0)) room.unreadCount = 0;
        this.changed('receipts', roomId);
        this.changed('rooms', roomId);
        break;
      }
      case 'typing': {
        const userId = event.data?.userId;
        if (!userId || userId === this.me.id) break;
        if (!this.typing.has(roomId)) this.typing.set(roomId, new Map());
        this.typing.get(roomId).set(userId, Date.now() + TYPING_MS);
        this.changed('typing', roomId);
        setTimeout(() => this.changed('typing', roomId), TYPING_MS + 50);
        break;
      }
      case 'presence': {
        const userId = event.data?.userId;
        if (!userId) break;
        this.online.set(userId, Boolean(event.data.online));
        const user = this.users.get(userId);
        if (user && !event.data.online) user.lastSeenAt = new Date().toISOString();
        this.changed('presence');
        break;
      }
      case 'participant.added':
        if (event.data?.userId === this.me.id && !this.rooms.has(roomId)) await this.refreshRoom(roomId);
        else if (this.rooms.has(roomId)) await this.refreshRoom(roomId);
        break;
      case 'participant.removed': {
        const known = this.rooms.get(roomId);
        if (event.data?.userId === this.me.id) {
          // Not when one left or deleted it oneself on this page: it is already gone from here.
          if (known) {
            const title = this.roomTitle(known);
            const wasOpen = this.activeRoomId === roomId;
            this.#forgetRoom(roomId);
            this.dispatchEvent(new CustomEvent('removed', { detail: { roomId, title, wasOpen } }));
          }
        } else if (known) {
          await this.refreshRoom(roomId);
        }
        break;
      }
      case 'room.updated':
        if (this.rooms.has(roomId)) await this.refreshRoom(roomId);
        break;
      case 'invitation.created':
      case 'invitation.removed':
        this.#applyInvitationEvent(event);
        this.changed('invitations');
        break;
      case 'relations.changed': {
        // A block between me and `userId` was made or undone (by either of us, on any page):
        // their presence is unknown until heard again, and my blocks and invitations are read again.
        const userId = event.data?.userId;
        if (userId) {
          this.online.delete(userId);
          const user = this.users.get(userId);
          if (user) delete user.online;
        }
        await Promise.all([this.refreshBlocks({ quiet: true }).catch(() => {}), this.refreshInvitations({ quiet: true }).catch(() => {})]);
        this.changed('blocks');
        this.changed('invitations');
        break;
      }
      case 'resumed':
        // Missed messages came in order; edits to older ones did not, so refresh the open room's newest page.
        if (roomId && roomId === this.activeRoomId) await this.loadNewest(roomId);
        break;
      default:
        break;
    }
  }
}
