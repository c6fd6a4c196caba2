// @ts-check
// Which of a room's held messages the timeline draws. The store may hold up to
// a thousand messages of a room; the page draws at most DRAWN_MAX of them as
// items, a stretch that follows the reader: it grows by DRAWN_STEP when the
// reader scrolls past either end, lets go of the far end when it gets too
// long, and jumps to a message (a search hit, the first unread) when asked.
// The stretch is kept as seqs, not indexes, so that messages added or let go
// by the store do not move it. Past DRAWN_MAX it is cut to DRAWN_KEPT at once,
// not by one item per new message: taking items off the top moves every item
// below (a layout of them all), while adding at the bottom lays out only the
// new one, so a stretch that follows new messages pays that once in a while. Pure logic (unit tests: Tests/web-unit/drawn-window.test.mjs).

/** The most message items drawn at once. */
export const DRAWN_MAX = 200;
/** What a stretch grown past DRAWN_MAX is cut back to. */
export const DRAWN_KEPT = 140;
/** How many more items one step past an end of the drawn stretch brings in. */
export const DRAWN_STEP = 60;
/** How many items a room opened at its newest message draws. */
export const DRAWN_START = 80;
/** How many items above a message jumped to are drawn with it. */
export const DRAWN_ABOVE = 40;

/**
 * The drawn stretch: from `first` (0: from the oldest message held, so older history
 * loaded joins it) to `last` (null: to the newest held, so new messages join it).
 * @typedef {{ first: number|null, last: number|null }} Drawn
 */

/** @type {Drawn} */
export const NEWEST = Object.freeze({ first: null, last: null });

/**
 * The index of the first message with a seq at or above `seq` (messages sorted by seq).
 * @param {ReadonlyArray<{ seq: number }>} messages
 * @param {number} seq
 */
export function indexAtOrAbove(messages, seq) {
  let low = 0;
  let high = messages.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (messages[middle].seq < seq) low = middle + 1; else high = middle;
  }
  return low;
}

/**
 * The indexes `[lo, hi]` of the messages to draw (hi < lo: none), and the stretch to keep.
 * @param {ReadonlyArray<{ seq: number }>} messages held, by seq
 * @param {Drawn} drawn what was drawn before
 * @param {{ around?: number|null, reading?: number|null }} options
 *   around: the seq of a message that must be drawn (a jump, the first unread);
 *   reading: the index of the message the reader looks at, kept when the stretch is
 *   cut to DRAWN_MAX (by default the newest drawn).
 * @returns {{ lo: number, hi: number, drawn: Drawn }}
 */
export function drawnRange(messages, drawn, { around = null, reading = null }) {
  const n = messages.length;
  if (!n) return { lo: 0, hi: -1, drawn: NEWEST };
  let hi = drawn.last === null ? n - 1 : indexAtOrAbove(messages, drawn.last + 1) - 1;
  let lo = drawn.first === null ? Math.max(0, hi - DRAWN_START + 1) : indexAtOrAbove(messages, drawn.first);
  if (around !== null) {
    const index = Math.min(indexAtOrAbove(messages, around), n - 1);
    if (index < lo || index > hi) {
      // Far from what is drawn: a fresh stretch from a little above it.
      lo = Math.max(0, index - DRAWN_ABOVE);
      hi = Math.min(n - 1, lo + DRAWN_KEPT - 1);
      reading = index;
    }
  }
  if (lo > hi) {
    // Nothing drawn is held any more (let go by the store): the newest, as on opening.
    hi = n - 1;
    lo = Math.max(0, n - DRAWN_START);
  }
  if (hi - lo + 1 > DRAWN_MAX) {
    // Too long: cut to DRAWN_KEPT, on the side farther from what is read.
    const at = Math.max(lo, Math.min(hi, reading ?? hi));
    lo = Math.max(lo, Math.min(at - (DRAWN_KEPT >> 1), hi - DRAWN_KEPT + 1));
    hi = lo + DRAWN_KEPT - 1;
  }
  return { lo, hi, drawn: { first: lo === 0 ? 0 : messages[lo].seq, last: hi === n - 1 ? null : messages[hi].seq } };
}

/**
 * The stretch grown by `step` items above (older) what is drawn.
 * @param {ReadonlyArray<{ seq: number }>} messages
 * @param {number} lo the first index drawn now
 * @param {Drawn} drawn
 */
export function grownUp(messages, lo, drawn, step = DRAWN_STEP) {
  return { first: lo - step <= 0 ? 0 : messages[lo - step].seq, last: drawn.last };
}

/**
 * The stretch grown by `step` items below (newer) what is drawn.
 * @param {ReadonlyArray<{ seq: number }>} messages
 * @param {number} hi the last index drawn now
 * @param {Drawn} drawn
 */
export function grownDown(messages, hi, drawn, step = DRAWN_STEP) {
  return { first: drawn.first, last: hi + step >= messages.length - 1 ? null : messages[hi + step].seq };
}
