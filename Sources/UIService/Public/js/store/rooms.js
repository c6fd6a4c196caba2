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
 * Unread messages of rooms that are not muted: the number in the tab title.
 * @param {Iterable<Room>} rooms
 */
export function unreadTotal(rooms) {
  let total = 0;
  for (const room of rooms) if (!room.muted) total += room.unreadCount || 0;
  return total;
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
