// @ts-check
// Rules about rooms that need no network: who is in them, their order in the
// list, unread counts and who has read how far. Pure functions (unit tests:
// Tests/web-unit/rooms.test.mjs).

/** @typedef {import('../protocol.js').Room} Room */
/** @typedef {import('../protocol.js').Message} Message */

/**
 * The other person of a direct room: a member, or the person invited who has not accepted yet.
 * @param {Room} room
 * @param {string} meId
 */
export function otherParticipant(room, meId) {
  return (room.participants || []).map((p) => p.userId).find((id) => id !== meId)
    ?? (room.invitedUserIds || []).find((id) => id !== meId);
}

/**
 * Everyone a room names: its members and the people invited to it.
 * @param {Room} room
 */
export function roomPeople(room) {
  return [...(room.participants || []).map((p) => p.userId), ...(room.invitedUserIds || [])];
}

/**
 * People invited to the room who are not members yet (an answer may lag behind a join).
 * @param {Room} room
 */
export function invitedTo(room) {
  const members = new Set((room.participants || []).map((p) => p.userId));
  return (room.invitedUserIds || []).filter((id) => !members.has(id));
}

/**
 * @param {Room} room
 * @param {string} meId
 */
export function myRole(room, meId) {
  return (room.participants || []).find((p) => p.userId === meId)?.role;
}

/**
 * Newest activity first.
 * @param {Iterable<Room>} rooms
 */
export function sortRooms(rooms) {
  /** @param {Room} room */
  const activity = (room) => room.lastMessage?.createdAt || room.updatedAt || room.createdAt;
  return [...rooms].sort((a, b) => String(activity(b)).localeCompare(String(activity(a))));
}

/**
 * What a room adds to the tab title's count, by my level for it: every unread message
 * (default, all), the unread ones that mention me (mentions), nothing (none, muted).
 * @param {Room} room
 */
export function countedUnread(room) {
  const level = room.muted ? 'none' : room.notificationLevel || 'default';
  if (level === 'none') return 0;
  if (level === 'mentions') return room.mentionCount || 0;
  return room.unreadCount || 0;
}

/**
 * The number in the tab title: each room's unread messages as its level counts them.
 * @param {Iterable<Room>} rooms
 */
export function unreadTotal(rooms) {
  let total = 0;
  for (const room of rooms) total += countedUnread(room);
  return total;
}

/**
 * Whether a new message should notify me, by my level for its room (do-not-disturb and a
 * visible tab are the caller's to check): `all` every message, `mentions` a mention of me, a
 * reply to me or anything in a direct room, `default` the same but every message of a direct
 * room, `none` nothing; never my own.
 * @param {import('../protocol.js').Message} message
 * @param {Room} room
 * @param {string} me
 */
export function notifies(message, room, me) {
  if (message.senderId === me || message.messageType === 'system') return false;
  const level = room.muted ? 'none' : room.notificationLevel || 'default';
  if (level === 'none') return false;
  if (level === 'all' || room.roomType === 'direct') return true;
  return (message.mentions || []).includes(me) || message.replyTo?.senderId === me;
}

/**
 * The tab's title for that many unread messages.
 * @param {number} unread
 */
export function tabTitle(unread) {
  return unread ? `(${unread > 99 ? '99+' : unread}) MicroChat` : 'MicroChat';
}

/**
 * Who (besides me) has read up to at least `seq` in the room.
 * @param {Room|undefined} room
 * @param {string} meId
 * @param {number} seq
 */
export function readersOf(room, meId, seq) {
  return (room?.participants || []).filter((p) => p.userId !== meId && (p.lastReadSeq || 0) >= seq).map((p) => p.userId);
}

/**
 * How far I have read in the room (0: nothing).
 * @param {Room|undefined} room
 * @param {string} meId
 */
export function myReadSeq(room, meId) {
  return (room?.participants || []).find((p) => p.userId === meId)?.lastReadSeq || 0;
}

/**
 * The first message after my read marker that someone else sent: where "New messages" goes.
 * @param {Message[]} messages
 * @param {number} readSeq
 * @param {string} meId
 */
export function firstUnread(messages, readSeq, meId) {
  return messages.find((m) => m.seq > readSeq && m.senderId !== meId && m.messageType !== 'system') ?? null;
}
