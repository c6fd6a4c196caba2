// @ts-check
// One room's window of messages, by seq. The page rarely holds a whole room:
// it holds the pages it loaded (the newest, the history scrolled up to, the
// stretch around a message jumped to) and the live messages since. Which
// stretches of seqs are known complete is kept apart from the messages
// (`ranges`), so two loaded stretches with messages missing between them are
// never shown as one: between them sits a gap, until it is loaded.
// Pure logic: no DOM, no network (unit tests: Tests/web-unit/timeline.test.mjs).

/** @typedef {import('../protocol.js').Message} Message */
/** @typedef {import('../protocol.js').PendingMessage} PendingMessage */
/** @typedef {import('../protocol.js').MessagePage} MessagePage */

/** Messages asked for per page. */
export const PAGE = 30;
/** The most messages one timeline keeps; past it, the far end is let go (and becomes a gap). */
export const MAX_MESSAGES = 1000;

/**
 * One entry of what a room shows, in order: a message, or a gap between two
 * loaded stretches (`after` is the seq below it, `before` the seq above it).
 * @typedef {{ kind: 'message', message: Message } | { kind: 'gap', after: number, before: number }} TimelineEntry
 */

export class Timeline {
  constructor() {
    /** @type {Message[]} stored messages, by seq */
    this.messages = [];
    /** @type {Map<string, Message>} */
    this.byId = new Map();
    /** @type {Map<string, PendingMessage>} sends not answered yet, by clientMessageId */
    this.pending = new Map();
    /** @type {Array<[number, number]>} sorted, disjoint, inclusive stretches of seq with every message loaded */
    this.ranges = [];
    /**
     * @type {number|null} the seq up to which the room is known held to its newest message, so
     * that the socket's next message for it continues from there (the socket sends a room's
     * messages in order and fills its own gaps); null when that is not known (a window around
     * an old message, or after the connection dropped).
     */
    this.tail = null;
    /** A first page was loaded. */
    this.loaded = false;
    /** A page is on its way (one at a time). */
    this.loading = false;
    /** @type {number|null} the seq `resume` continued from (see resumePoint) */
    this.resumeFrom = null;
    /** Bumped on every change of the messages, so views can tell what they drew is stale. */
    this.version = 0;
  }

  /** Older messages exist before the first one held. */
  get hasMore() {
    if (!this.loaded) return true;
    const first = this.ranges[0];
    return !first || first[0] > 0;
  }

  /** The window reaches the room's newest message, and live messages carry it on. */
  get atEnd() { return this.tail !== null; }

  /** Newer messages exist after the last one held. */
  get newerMissing() { return this.loaded && !this.atEnd; }

  /** @param {number} seq */
  #reach(seq) { this.tail = this.tail === null ? seq : Math.max(this.tail, seq); }

  get newestSeq() { return this.messages.at(-1)?.seq ?? 0; }

  /**
   * Puts a stored message in, replacing an older copy of it. Says whether it was new.
   * Does not say anything about the messages around it: see `cover` and `addLive`.
   * @param {Message} message
   */
  merge(message) {
    if (message.clientMessageId) this.pending.delete(message.clientMessageId);
    const known = this.byId.get(message.id);
    this.version += 1;
    if (known) {
      const newer = (message.deletedAt && !known.deletedAt) || String(message.updatedAt || '') >= String(known.updatedAt || '');
      if (newer) Object.assign(known, message);
      return false;
    }
    const copy = { ...message };
    this.byId.set(copy.id, copy);
    const list = this.messages;
    let index = list.length;
    while (index > 0 && list[index - 1].seq > copy.seq) index -= 1;
    list.splice(index, 0, copy);
    return true;
  }

  /**
   * Records that every message with a seq from `low` to `high` is held.
   * @param {number} low
   * @param {number} high
   */
  cover(low, high) {
    if (high < low) return;
    /** @type {Array<[number, number]>} */
    const next = [];
    let merged = /** @type {[number, number]} */ ([low, high]);
    for (const range of this.ranges) {
      if (range[1] + 1 < merged[0] || merged[1] + 1 < range[0]) next.push(range);
      else merged = [Math.min(range[0], merged[0]), Math.max(range[1], merged[1])];
    }
    next.push(merged);
    next.sort((a, b) => a[0] - b[0]);
    this.ranges = next;
  }

  /**
   * The range holding `seq`, if any.
   * @param {number} seq
   */
  rangeOf(seq) {
    return this.ranges.find(([low, high]) => low <= seq && seq <= high) ?? null;
  }

  /**
   * Whether nothing can be missing between two held seqs.
   * @param {number} lower
   * @param {number} upper
   */
  continuous(lower, upper) {
    const range = this.rangeOf(lower);
    return Boolean(range) && upper <= range[1];
  }

  /**
   * The newest page (`GET …/messages?limit=`): from here on, live messages continue it.
   * @param {MessagePage} page
   */
  addNewest(page) {
    for (const message of page.messages) this.merge(message);
    const seqs = page.messages.map((m) => m.seq);
    const high = seqs.length ? Math.max(...seqs) : 0;
    const low = page.hasMore ? Math.min(...seqs) : 0;
    // Live messages that came while the page was on its way join it where they are next to it.
    this.cover(low, high);
    this.#reach(high);
    this.loaded = true;
  }

  /**
   * A page of the messages before `before` (older history).
   * @param {number} before
   * @param {MessagePage} page
   */
  addBefore(before, page) {
    for (const message of page.messages) this.merge(message);
    const seqs = page.messages.map((m) => m.seq);
    const low = page.hasMore && seqs.length ? Math.min(...seqs) : 0;
    this.cover(low, before - 1);
    this.loaded = true;
  }

  /**
   * A page of the messages after `after` (newer history, or a gap from below).
   * @param {number} after
   * @param {MessagePage} page
   */
  addAfter(after, page) {
    for (const message of page.messages) this.merge(message);
    const seqs = page.messages.map((m) => m.seq);
    const high = seqs.length ? Math.max(...seqs) : after;
    this.cover(after + 1, high);
    // Nothing newer existed when the server answered: this reaches the end (live
    // messages that came meanwhile join it where they are next to it).
    if (!page.hasMore) this.#reach(high);
    this.loaded = true;
  }

  /**
   * A message that came live on the socket. The socket sends a room's messages in
   * order and fills its own gaps: while the window reaches the end, a live message
   * continues it; otherwise it starts a stretch of its own, which the next live ones continue.
   * @param {Message} message
   */
  addLive(message) {
    const fresh = this.merge(message);
    if (this.tail !== null && message.seq > this.tail && this.rangeOf(this.tail)) this.cover(this.tail + 1, message.seq);
    else if (!this.rangeOf(message.seq)) this.cover(message.seq, message.seq);
    this.#reach(message.seq);
    return fresh;
  }

  /**
   * A message from an HTTP answer (my send, an edit): held, but it says nothing about
   * its neighbours (another's message before it may still be on its way on the socket).
   * @param {Message} message
   */
  addAnswer(message) {
    const fresh = this.merge(message);
    if (!this.rangeOf(message.seq)) this.cover(message.seq, message.seq);
    return fresh;
  }

  /** The connection dropped: live messages no longer continue the window until it is read again. */
  lostTouch() { this.tail = null; }

  /**
   * Where a `resume` should continue this room from, noted so that `resumed` can join
   * what it brings to the window; null when the window does not reach its own newest message.
   */
  resumePoint() {
    const last = this.ranges.at(-1);
    this.resumeFrom = this.loaded && last && last[1] === this.newestSeq && this.newestSeq > 0 ? this.newestSeq : null;
    return this.resumeFrom;
  }

  /**
   * The server said `resumed`: every message after the resume point up to `seq` came before it
   * (live ones after the new connection's start may have come before older ones of the resume,
   * so nothing is joined before this).
   * @param {number|null} seq
   */
  resumed(seq) {
    if (this.resumeFrom !== null && seq !== null && this.rangeOf(this.resumeFrom)) {
      this.cover(this.resumeFrom, Math.max(seq, this.resumeFrom));
      this.#reach(seq);
    }
    this.resumeFrom = null;
  }

  /**
   * What to show, in order: messages, with a gap wherever two neighbours are not
   * known to be continuous, and one at the end while newer messages are missing.
   * @returns {TimelineEntry[]}
   */
  entries() {
    /** @type {TimelineEntry[]} */
    const entries = [];
    let previous = null;
    for (const message of this.messages) {
      if (previous && !this.continuous(previous.seq, message.seq)) entries.push({ kind: 'gap', after: previous.seq, before: message.seq });
      entries.push({ kind: 'message', message });
      previous = message;
    }
    if (previous && this.newerMissing) entries.push({ kind: 'gap', after: previous.seq, before: Infinity });
    return entries;
  }

  /** The gaps between held messages (and after the last, while newer ones are missing). */
  gaps() {
    return this.entries().filter((entry) => entry.kind === 'gap');
  }

  /**
   * Lets go of messages past `max`, from the end farther from `keep` (`'newest'` keeps the
   * newest, `'oldest'` the oldest); what was let go becomes a gap again. Says how many went.
   * @param {number} [max]
   * @param {'newest'|'oldest'} [keep]
   */
  trim(max = MAX_MESSAGES, keep = 'newest') {
    const extra = this.messages.length - max;
    if (extra <= 0) return 0;
    const dropped = keep === 'newest' ? this.messages.splice(0, extra) : this.messages.splice(this.messages.length - extra, extra);
    for (const message of dropped) this.byId.delete(message.id);
    if (keep === 'newest') {
      const cut = this.messages[0].seq;
      this.ranges = this.ranges.filter(([, high]) => high >= cut).map(([low, high]) => [Math.max(low, cut), high]);
    } else {
      const cut = this.messages.at(-1).seq;
      this.ranges = this.ranges.filter(([low]) => low <= cut).map(([low, high]) => [low, Math.min(high, cut)]);
      this.tail = null;
    }
    this.version += 1;
    return extra;
  }

  /** Forgets every message (the pending sends stay). */
  clear() {
    this.messages = [];
    this.byId = new Map();
    this.ranges = [];
    this.tail = null;
    this.loaded = false;
    this.version += 1;
  }
}
