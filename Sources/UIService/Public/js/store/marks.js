// @ts-check
// Pins (each room's) and saved messages (mine): what the page knows of both,
// kept in step by the API's answers and the socket's events. Pure logic (unit
// tests: Tests/web-unit/marks.test.mjs); ChatStore does the calls.

/** @typedef {import('../protocol.js').PinnedMessage} PinnedMessage */
/** @typedef {import('../protocol.js').SavedMessage} SavedMessage */

export class Marks {
  constructor() {
    /** @type {Map<string, PinnedMessage[]>} roomId → its pins, newest first (rooms whose pins were read) */
    this.pinsByRoom = new Map();
    /** @type {Map<string, SavedMessage>} messageId → my save of it */
    this.saved = new Map();
  }

  /**
   * The room's pins as the server listed them.
   * @param {string} roomId
   * @param {PinnedMessage[]} pins
   */
  setPins(roomId, pins) { this.pinsByRoom.set(roomId, [...pins]); }

  /** @param {string} roomId */
  pins(roomId) { return this.pinsByRoom.get(roomId) || []; }

  /**
   * @param {string} roomId
   * @param {string} messageId
   */
  isPinned(roomId, messageId) { return this.pins(roomId).some((pin) => pin.message.id === messageId); }

  /**
   * A pin made (here, or heard): it goes first; a pin already known is kept as it was.
   * @param {string} roomId
   * @param {PinnedMessage} pin
   */
  addPin(roomId, pin) {
    const pins = this.pins(roomId);
    if (pins.some((known) => known.message.id === pin.message.id)) return;
    this.pinsByRoom.set(roomId, [pin, ...pins]);
  }

  /**
   * @param {string} roomId
   * @param {string} messageId
   */
  removePin(roomId, messageId) {
    if (!this.pinsByRoom.has(roomId)) return;
    this.pinsByRoom.set(roomId, this.pins(roomId).filter((pin) => pin.message.id !== messageId));
  }

  /**
   * My saves as the server listed them (every page read so far).
   * @param {SavedMessage[]} saved
   */
  setSaved(saved) { this.saved = new Map(saved.map((entry) => [entry.message.id, entry])); }

  /** My saves, newest first. */
  savedList() { return [...this.saved.values()].sort((a, b) => (a.savedAt < b.savedAt ? 1 : a.savedAt > b.savedAt ? -1 : 0)); }

  /** @param {string} messageId */
  isSaved(messageId) { return this.saved.has(messageId); }

  /** @param {SavedMessage} entry */
  addSaved(entry) { if (!this.saved.has(entry.message.id)) this.saved.set(entry.message.id, entry); }

  /** @param {string} messageId */
  removeSaved(messageId) { this.saved.delete(messageId); }

  /**
   * A message changed or was deleted: pins and saves show it as it is now, and a deleted one leaves both.
   * @param {string} roomId
   * @param {import('../protocol.js').Message} message
   */
  messageChanged(roomId, message) {
    if (message.deletedAt) {
      this.removePin(roomId, message.id);
      this.removeSaved(message.id);
      return;
    }
    const pins = this.pinsByRoom.get(roomId);
    if (pins) this.pinsByRoom.set(roomId, pins.map((pin) => (pin.message.id === message.id ? { ...pin, message } : pin)));
    const saved = this.saved.get(message.id);
    if (saved) this.saved.set(message.id, { ...saved, message });
  }

  /**
   * A room I am no longer in: its pins and my saves in it go.
   * @param {string} roomId
   */
  forgetRoom(roomId) {
    this.pinsByRoom.delete(roomId);
    for (const [id, entry] of this.saved) if (entry.message.roomId === roomId) this.saved.delete(id);
  }
}
