// @ts-check
// What was typed and not sent, per room, kept in localStorage so a room
// switch or a reload loses nothing. Keys are per person
// (`microchat.draft.<userId>.<roomId>`), so another account on the same
// browser never sees them. Pure logic over a Storage (unit tests:
// Tests/web-unit/drafts.test.mjs).

const PREFIX = 'microchat.draft.';

export class Drafts {
  /**
   * @param {Pick<Storage, 'getItem'|'setItem'|'removeItem'> | null} storage localStorage, or null where there is none
   * @param {string} userId
   */
  constructor(storage, userId) {
    this.storage = storage;
    this.userId = userId;
    /** @type {Map<string, string>} kept here too, for when storage refuses (full, private mode) */
    this.memory = new Map();
  }

  /** @param {string} roomId */
  key(roomId) { return `${PREFIX}${this.userId}.${roomId}`; }

  /**
   * @param {string} roomId
   * @returns {string}
   */
  get(roomId) {
    try {
      const stored = this.storage?.getItem(this.key(roomId));
      if (stored !== null && stored !== undefined) return stored;
    } catch { /* storage unavailable: memory only */ }
    return this.memory.get(roomId) ?? '';
  }

  /**
   * Keeps `text` for the room; an empty or blank text removes the draft.
   * @param {string} roomId
   * @param {string} text
   */
  set(roomId, text) {
    if (!text.trim()) { this.clear(roomId); return; }
    this.memory.set(roomId, text);
    try { this.storage?.setItem(this.key(roomId), text); } catch { /* kept in memory */ }
  }

  /** @param {string} roomId */
  clear(roomId) {
    this.memory.delete(roomId);
    try { this.storage?.removeItem(this.key(roomId)); } catch { /* nothing kept */ }
  }
}
