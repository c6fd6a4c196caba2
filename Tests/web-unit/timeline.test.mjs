// The timeline window's rules (js/store/timeline.js): which stretches of seq are
// known complete, where gaps show, how live messages, resume and trimming move them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Timeline } from '../../Sources/UIService/Public/js/store/timeline.js';

/** @param {number} seq */
const message = (seq, senderId = 'u1') => ({
  id: `m${seq}`, roomId: 'r', seq, senderId, content: `message ${seq}`, messageType: 'text', createdAt: new Date(seq * 1000).toISOString(),
});
/** @param {number} from @param {number} to */
const seqs = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** @param {number[]} list @param {boolean} hasMore */
const page = (list, hasMore) => ({ messages: list.map((s) => message(s)), hasMore });
/** @param {Timeline} timeline */
const shape = (timeline) => timeline.entries().map((e) => (e.kind === 'gap' ? 'gap' : e.message.seq));

test('the newest page reaches the end, and older history is behind it', () => {
  const timeline = new Timeline();
  timeline.addNewest(page(seqs(271, 300), true));
  assert.deepEqual(timeline.ranges, [[271, 300]]);
  assert.equal(timeline.hasMore, true);
  assert.equal(timeline.newerMissing, false);
  assert.deepEqual(timeline.gaps(), []);
});

test('a window around an old message beside the newest page is separated by a gap', () => {
  const timeline = new Timeline();
  timeline.addNewest(page(seqs(271, 300), true));
  timeline.addBefore(48, page(seqs(18, 47), true));
  timeline.addAfter(47, page(seqs(48, 77), true));
  assert.deepEqual(timeline.ranges, [[18, 77], [271, 300]]);
  const entries = shape(timeline);
  assert.equal(entries.indexOf('gap'), entries.indexOf(77) + 1);
  assert.equal(entries.at(entries.indexOf('gap') + 1), 271);
  assert.deepEqual(timeline.gaps(), [{ kind: 'gap', after: 77, before: 271 }]);
});

test('a window jumped to alone has a gap after it until the newest messages are loaded', () => {
  const timeline = new Timeline();
  timeline.addBefore(48, page(seqs(18, 47), true));
  timeline.addAfter(47, page(seqs(48, 77), true));
  assert.equal(timeline.newerMissing, true);
  assert.equal(shape(timeline).at(-1), 'gap');
  // A live message now is not next to what is held: it stands alone, after a gap, and
  // (the socket sending in order) the next live one continues it.
  timeline.addLive(message(301));
  assert.deepEqual(shape(timeline).slice(-3), [77, 'gap', 301]);
  assert.equal(timeline.newerMissing, false);
  // Loading newer pages fills the gap, and the last one meets the live message.
  let after = 77;
  for (;;) {
    const next = seqs(after + 1, Math.min(after + 30, 301));
    timeline.addAfter(after, page(next, next.at(-1) < 301));
    after = next.at(-1);
    if (after >= 301) break;
  }
  assert.deepEqual(timeline.gaps(), []);
  assert.deepEqual(timeline.ranges, [[18, 301]]);
  assert.equal(timeline.newerMissing, false);
});

test('pages that overlap or touch merge into one stretch', () => {
  const timeline = new Timeline();
  timeline.cover(10, 20);
  timeline.cover(30, 40);
  timeline.cover(21, 29);
  assert.deepEqual(timeline.ranges, [[10, 40]]);
  timeline.cover(5, 12);
  timeline.cover(50, 60);
  assert.deepEqual(timeline.ranges, [[5, 40], [50, 60]]);
  assert.equal(timeline.continuous(5, 40), true);
  assert.equal(timeline.continuous(40, 50), false);
});

test('the whole history of a short room leaves nothing older to load', () => {
  const timeline = new Timeline();
  timeline.addNewest(page(seqs(1, 12), false));
  assert.equal(timeline.hasMore, false);
  const empty = new Timeline();
  empty.addNewest(page([], false));
  assert.equal(empty.hasMore, false);
  assert.deepEqual(empty.entries(), []);
});

test('live messages continue a window that reaches the end, even over an unused seq', () => {
  const timeline = new Timeline();
  timeline.addNewest(page(seqs(1, 10), false));
  timeline.addLive(message(11));
  timeline.addLive(message(13)); // seq 12 was never used (two retries racing)
  assert.deepEqual(timeline.ranges, [[0, 13]]);
  assert.deepEqual(timeline.gaps(), []);
});

test('after the connection dropped, live messages join only where they are next to what is held', () => {
  const timeline = new Timeline();
  timeline.addNewest(page(seqs(1, 10), false));
  timeline.lostTouch();
  assert.equal(timeline.newerMissing, true);
  timeline.addLive(message(14));
  timeline.addLive(message(15));
  assert.deepEqual(timeline.ranges, [[0, 10], [14, 15]]);
  assert.deepEqual(shape(timeline).slice(-4), [10, 'gap', 14, 15]);
});

test('resume: what came before `resumed` joins the window at the position sent', () => {
  const timeline = new Timeline();
  timeline.addNewest(page(seqs(1, 10), false));
  timeline.lostTouch();
  assert.equal(timeline.resumePoint(), 10);
  // A live message after the new connection's start may come before the older ones resume brings.
  timeline.addLive(message(13));
  assert.deepEqual(timeline.ranges, [[0, 10], [13, 13]]);
  timeline.addLive(message(12));
  timeline.resumed(13);
  assert.deepEqual(timeline.ranges, [[0, 13]]);
  assert.equal(timeline.atEnd, true);
  assert.deepEqual(timeline.gaps(), []);
});

test('a window that does not reach its own newest message gives no resume point', () => {
  const timeline = new Timeline();
  timeline.addBefore(48, page(seqs(18, 47), true));
  timeline.addLive(message(301));
  timeline.cover(302, 301);
  assert.equal(timeline.resumePoint(), 301);
  const jumped = new Timeline();
  jumped.addBefore(48, page(seqs(18, 47), true));
  jumped.addAfter(47, page(seqs(48, 77), true));
  jumped.merge(message(90)); // held, but not known to follow anything
  assert.equal(jumped.resumePoint(), null);
});

test('a message merged twice is held once, and its newer copy wins', () => {
  const timeline = new Timeline();
  assert.equal(timeline.merge(message(5)), true);
  assert.equal(timeline.merge({ ...message(5), content: 'edited', updatedAt: '2030-01-01T00:00:00Z' }), false);
  assert.equal(timeline.messages.length, 1);
  assert.equal(timeline.messages[0].content, 'edited');
  timeline.merge({ ...message(5), content: 'older copy', updatedAt: '2020-01-01T00:00:00Z' });
  assert.equal(timeline.messages[0].content, 'edited');
  timeline.merge(message(3));
  assert.deepEqual(timeline.messages.map((m) => m.seq), [3, 5]);
});

test('the answer to my send does not vouch for the messages before it', () => {
  const timeline = new Timeline();
  timeline.addNewest(page(seqs(1, 10), false));
  timeline.addAnswer(message(12, 'me')); // 11 is someone else's, still on its way on the socket
  assert.deepEqual(shape(timeline).slice(-3), [10, 'gap', 12]);
  timeline.addLive(message(11));
  timeline.addLive(message(12, 'me'));
  assert.deepEqual(timeline.gaps(), []);
});

test('the answer to a send replaces its pending copy', () => {
  const timeline = new Timeline();
  timeline.pending.set('c1', { clientMessageId: 'c1', roomId: 'r', content: 'hi', replyToId: null, senderId: 'u1', createdAt: '', state: 'sending' });
  timeline.merge({ ...message(1), clientMessageId: 'c1' });
  assert.equal(timeline.pending.size, 0);
});

test('a bounded window lets go of the far end, which becomes a gap again', () => {
  const timeline = new Timeline();
  timeline.addNewest(page(seqs(1, 100), false));
  assert.equal(timeline.trim(40, 'newest'), 60);
  assert.deepEqual(timeline.messages.map((m) => m.seq), seqs(61, 100));
  assert.deepEqual(timeline.ranges, [[61, 100]]);
  assert.equal(timeline.hasMore, true);
  assert.equal(timeline.byId.has('m1'), false);

  const reading = new Timeline();
  reading.addNewest(page(seqs(1, 100), false));
  reading.trim(40, 'oldest');
  assert.deepEqual(reading.ranges, [[0, 40]]);
  assert.equal(reading.newerMissing, true);
  assert.equal(shape(reading).at(-1), 'gap');
});
