// Pins and saved messages as the page keeps them (store/marks.js): what the API
// listed, changed by the page's own calls and by events from other pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Marks } from '../../Sources/UIService/Public/js/store/marks.js';

const message = (id, roomId = 'r1', extra = {}) => ({ id, roomId, seq: 1, senderId: 'u1', content: `text ${id}`, messageType: 'text', createdAt: '2026-01-01T00:00:00Z', ...extra });
const pin = (id, at, roomId = 'r1') => ({ message: message(id, roomId), pinnedBy: 'u2', pinnedAt: at });
const save = (id, at, roomId = 'r1') => ({ message: message(id, roomId), savedAt: at });

test('pins: listed newest first, a new pin goes first, a known one is not doubled, unpinning removes it', () => {
  const marks = new Marks();
  assert.deepEqual(marks.pins('r1'), []);
  marks.setPins('r1', [pin('b', '2026-01-02T00:00:00Z'), pin('a', '2026-01-01T00:00:00Z')]);
  marks.addPin('r1', pin('c', '2026-01-03T00:00:00Z'));
  marks.addPin('r1', pin('a', '2026-01-04T00:00:00Z'));
  assert.deepEqual(marks.pins('r1').map((p) => p.message.id), ['c', 'b', 'a']);
  assert.equal(marks.pins('r1')[2].pinnedAt, '2026-01-01T00:00:00Z');
  assert.ok(marks.isPinned('r1', 'b') && !marks.isPinned('r2', 'b'));
  marks.removePin('r1', 'b');
  assert.deepEqual(marks.pins('r1').map((p) => p.message.id), ['c', 'a']);
  // An unpin heard for a room whose pins were never read leaves no empty list behind.
  marks.removePin('r9', 'x');
  assert.equal(marks.pinsByRoom.has('r9'), false);
});

test('saved: newest save first, no doubles, removed on unsave', () => {
  const marks = new Marks();
  marks.setSaved([save('a', '2026-01-01T00:00:00Z'), save('b', '2026-01-03T00:00:00Z')]);
  marks.addSaved(save('c', '2026-01-02T00:00:00Z'));
  marks.addSaved(save('a', '2026-01-09T00:00:00Z'));
  assert.deepEqual(marks.savedList().map((s) => s.message.id), ['b', 'c', 'a']);
  assert.ok(marks.isSaved('c'));
  marks.removeSaved('c');
  assert.ok(!marks.isSaved('c'));
});

test('an edited message shows as edited in pins and saves; a deleted one leaves both', () => {
  const marks = new Marks();
  marks.setPins('r1', [pin('a', '2026-01-01T00:00:00Z')]);
  marks.setSaved([save('a', '2026-01-01T00:00:00Z')]);
  marks.messageChanged('r1', message('a', 'r1', { content: 'edited' }));
  assert.equal(marks.pins('r1')[0].message.content, 'edited');
  assert.equal(marks.savedList()[0].message.content, 'edited');
  marks.messageChanged('r1', message('a', 'r1', { content: null, deletedAt: '2026-01-05T00:00:00Z' }));
  assert.deepEqual(marks.pins('r1'), []);
  assert.deepEqual(marks.savedList(), []);
});

test('leaving a room forgets its pins and my saves in it, and only those', () => {
  const marks = new Marks();
  marks.setPins('r1', [pin('a', '2026-01-01T00:00:00Z')]);
  marks.setPins('r2', [pin('b', '2026-01-01T00:00:00Z', 'r2')]);
  marks.setSaved([save('a', '2026-01-01T00:00:00Z'), save('b', '2026-01-02T00:00:00Z', 'r2')]);
  marks.forgetRoom('r1');
  assert.deepEqual(marks.pins('r1'), []);
  assert.deepEqual(marks.pins('r2').map((p) => p.message.id), ['b']);
  assert.deepEqual(marks.savedList().map((s) => s.message.id), ['b']);
});
