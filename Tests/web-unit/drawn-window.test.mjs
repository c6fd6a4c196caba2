// The drawn stretch of the timeline (js/views/drawn-window.js): at most DRAWN_MAX
// items, following the reader, never losing what is read when it is cut.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DRAWN_ABOVE, DRAWN_KEPT, DRAWN_MAX, DRAWN_START, DRAWN_STEP, NEWEST, drawnRange, grownDown, grownUp, indexAtOrAbove,
} from '../../Sources/UIService/Public/js/views/drawn-window.js';

/** Messages with seqs from..to (every other seq when `sparse`). */
const held = (from, to, sparse = false) => {
  const list = [];
  for (let seq = from; seq <= to; seq += sparse ? 2 : 1) list.push({ seq });
  return list;
};
const seqsOf = (messages, { lo, hi }) => [messages[lo]?.seq, messages[hi]?.seq];

test('a binary search finds where a seq is or would be', () => {
  const messages = held(10, 30, true); // 10, 12, …, 30
  assert.equal(indexAtOrAbove(messages, 10), 0);
  assert.equal(indexAtOrAbove(messages, 11), 1);
  assert.equal(indexAtOrAbove(messages, 30), 10);
  assert.equal(indexAtOrAbove(messages, 31), 11);
  assert.equal(indexAtOrAbove([], 5), 0);
});

test('a room opened at its newest message draws the newest DRAWN_START, and nothing when empty', () => {
  const messages = held(1, 1000);
  const range = drawnRange(messages, NEWEST, {});
  assert.equal(range.hi - range.lo + 1, DRAWN_START);
  assert.deepEqual(seqsOf(messages, range), [1000 - DRAWN_START + 1, 1000]);
  assert.deepEqual(range.drawn, { first: 1000 - DRAWN_START + 1, last: null });
  assert.deepEqual(drawnRange([], NEWEST, {}), { lo: 0, hi: -1, drawn: NEWEST });
  // A short room is drawn whole, from its oldest (so older history loaded joins it).
  const short = held(1, 30);
  assert.deepEqual(drawnRange(short, NEWEST, {}).drawn, { first: 0, last: null });
});

test('new messages join a stretch that reaches the newest, and the oldest drawn go past DRAWN_MAX', () => {
  const messages = held(1, 100);
  let { drawn } = drawnRange(messages, NEWEST, {});
  messages.push(...held(101, 400));
  const range = drawnRange(messages, drawn, {});
  assert.equal(range.hi, messages.length - 1);
  assert.equal(range.hi - range.lo + 1, DRAWN_KEPT, 'past DRAWN_MAX, cut back to DRAWN_KEPT');
  ({ drawn } = range);
  assert.equal(drawn.last, null);
});

test('following new messages, the top is cut once in a while, not once per message', () => {
  const messages = held(1, 100);
  let { drawn } = drawnRange(messages, NEWEST, {});
  const sizes = [];
  for (let seq = 101; seq <= 400; seq += 1) {
    messages.push({ seq });
    const range = drawnRange(messages, drawn, {});
    ({ drawn } = range);
    assert.equal(range.hi, messages.length - 1, 'the newest is drawn');
    assert.ok(range.hi - range.lo + 1 <= DRAWN_MAX);
    sizes.push(range.hi - range.lo + 1);
  }
  const cuts = sizes.filter((size, i) => i > 0 && size < sizes[i - 1]).length;
  assert.ok(cuts >= 3 && cuts <= 300 / (DRAWN_MAX - DRAWN_KEPT) + 1, `${cuts} cuts for 300 messages`);
});

test('a stretch that stops above the newest does not take new messages in', () => {
  const messages = held(1, 500);
  const drawn = { first: 101, last: 250 };
  messages.push(...held(501, 520));
  const range = drawnRange(messages, drawn, {});
  assert.deepEqual(seqsOf(messages, range), [101, 250]);
});

test('growing up and down moves by DRAWN_STEP and is cut on the side away from the reader', () => {
  const messages = held(1, 1000);
  let range = drawnRange(messages, { first: 601, last: 780 }, {});
  assert.deepEqual(seqsOf(messages, range), [601, 780]);
  // Scrolled to the top: older items come in, the newest drawn go.
  let drawn = grownUp(messages, range.lo, range.drawn);
  range = drawnRange(messages, drawn, { reading: range.lo });
  assert.equal(messages[range.lo].seq, 601 - DRAWN_STEP);
  assert.equal(range.hi - range.lo + 1, DRAWN_KEPT, '180 + 60 is past DRAWN_MAX: cut to DRAWN_KEPT');
  assert.equal(messages[range.hi].seq, 601 - DRAWN_STEP + DRAWN_KEPT - 1);
  // Scrolled to the bottom: newer come in (within DRAWN_MAX, nothing is cut)…
  drawn = grownDown(messages, range.hi, range.drawn);
  let before = range;
  range = drawnRange(messages, drawn, { reading: before.hi });
  assert.equal(messages[range.hi].seq, messages[before.hi].seq + DRAWN_STEP);
  assert.equal(range.hi - range.lo + 1, DRAWN_KEPT + DRAWN_STEP);
  // …and past it, the oldest drawn go.
  drawn = grownDown(messages, range.hi, range.drawn);
  before = range;
  range = drawnRange(messages, drawn, { reading: before.hi });
  assert.equal(messages[range.hi].seq, messages[before.hi].seq + DRAWN_STEP);
  assert.equal(range.hi - range.lo + 1, DRAWN_KEPT);
  // Down to the newest: the stretch follows it again.
  drawn = grownDown(messages, 990, range.drawn);
  assert.equal(drawn.last, null);
  // Up to the oldest: from the oldest held, so a page loaded from the server joins it.
  assert.equal(grownUp(messages, 30, range.drawn).first, 0);
});

test('the message read stays drawn when the stretch is cut', () => {
  const messages = held(1, 1000);
  for (const reading of [0, 150, 420, 799]) {
    const range = drawnRange(messages, { first: 0, last: 800 }, { reading });
    assert.ok(range.lo <= reading && reading <= range.hi, `reading ${reading} in ${range.lo}…${range.hi}`);
    assert.equal(range.hi - range.lo + 1, DRAWN_KEPT);
  }
});

test('a jump to a message far from the stretch draws it with DRAWN_ABOVE above', () => {
  const messages = held(1, 1000);
  const range = drawnRange(messages, NEWEST, { around: 47 });
  assert.equal(messages[range.lo].seq, 47 - DRAWN_ABOVE);
  assert.ok(messages[range.hi].seq >= 47);
  assert.equal(range.hi - range.lo + 1, DRAWN_KEPT);
  assert.notEqual(range.drawn.last, null, 'the newest are no longer drawn: the page offers the way back');
  // A message already drawn moves nothing.
  const drawn = { first: 850, last: null };
  assert.deepEqual(drawnRange(messages, drawn, { around: 900 }).drawn, { first: 850, last: null });
  // Beyond the newest held: the newest.
  assert.equal(drawnRange(messages, { first: 1, last: 100 }, { around: 5000 }).hi, 999);
});

test('a stretch whose messages the store let go falls back to the newest', () => {
  const messages = held(501, 1000);
  const range = drawnRange(messages, { first: 100, last: 300 }, {});
  assert.deepEqual(seqsOf(messages, range), [1000 - DRAWN_START + 1, 1000]);
});
