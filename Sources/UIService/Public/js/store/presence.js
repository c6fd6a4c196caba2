// @ts-check
// Who is online, when they were last seen, and who is typing where. Presence
// events (`{"type":"presence","data":{"userId","online","lastSeenAt"?}}`) may
// or may not carry `lastSeenAt`: without it, going offline is dated now.
// Pure logic (unit tests: Tests/web-unit/presence.test.mjs).

/** How long a typing event keeps someone "typing". */
export const TYPING_MS = 5000;

export class Presence {
  constructor() {
    /** @type {Map<string, boolean>} what live events said, over what profiles said */
    this.online = new Map();
    /** @type {Map<string, string>} */
    this.lastSeen = new Map();
    /** @type {Map<string, Map<string, number>>} roomId → userId → typing until (ms) */
    this.typing = new Map();
  }

  /**
   * A presence event's data.
   * @param {{ userId: string, online: boolean, lastSeenAt?: string|null }} data
   * @param {number} [now]
   */
  apply(data, now = Date.now()) {
    this.online.set(data.userId, Boolean(data.online));
    if (data.lastSeenAt) this.lastSeen.set(data.userId, data.lastSeenAt);
    else if (!data.online) this.lastSeen.set(data.userId, new Date(now).toISOString());
  }

  /**
   * What a profile said, unless a live event said otherwise already.
   * @param {{ id: string, online?: boolean, lastSeenAt?: string|null }} user
   */
  fromProfile(user) {
    if (!this.online.has(user.id) && typeof user.online === 'boolean') this.online.set(user.id, user.online);
    if (user.lastSeenAt && !this.lastSeen.has(user.id)) this.lastSeen.set(user.id, user.lastSeenAt);
  }

  /**
   * Unknown again (a block was made or undone).
   * @param {string} userId
   */
  forget(userId) {
    this.online.delete(userId);
    this.lastSeen.delete(userId);
  }

  /** @param {string} userId */
  isOnline(userId) { return this.online.get(userId) ?? false; }

  /** @param {string} userId */
  lastSeenAt(userId) { return this.lastSeen.get(userId) ?? null; }

  /**
   * @param {string} roomId
   * @param {string} userId
   * @param {number} [now]
   */
  startTyping(roomId, userId, now = Date.now()) {
    if (!this.typing.has(roomId)) this.typing.set(roomId, new Map());
    this.typing.get(roomId).set(userId, now + TYPING_MS);
  }

  /**
   * They sent a message: not typing any more.
   * @param {string} roomId
   * @param {string} userId
   */
  stopTyping(roomId, userId) { this.typing.get(roomId)?.delete(userId); }

  /**
   * @param {string} roomId
   * @param {number} [now]
   * @returns {string[]}
   */
  typingIn(roomId, now = Date.now()) {
    const entries = this.typing.get(roomId);
    if (!entries) return [];
    return [...entries].filter(([, until]) => until > now).map(([userId]) => userId);
  }
}
