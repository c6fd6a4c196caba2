// Presence and typing (js/store/presence.js), with and without `lastSeenAt` on presence events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Presence, TYPING_MS } from '../../Sources/UIService/Public/js/store/presence.js';

test('a presence event with lastSeenAt keeps the server\'s time', () => {
  const presence = new Presence();
  presence.apply({ userId: 'ann', online: false, lastSeenAt: '2026-01-02T03:04:05Z' });
  assert.equal(presence.isOnline('ann'), false);
  assert.equal(presence.lastSeenAt('ann'), '2026-01-02T03:04:05Z');
});

test('without lastSeenAt, going offline is dated when it was heard', () => {
  const presence = new Presence();
  presence.apply({ userId: 'ann', online: true });
  assert.equal(presence.isOnline('ann'), true);
  assert.equal(presence.lastSeenAt('ann'), null);
  presence.apply({ userId: 'ann', online: false }, Date.parse('2026-05-05T10:00:00Z'));
  assert.equal(presence.lastSeenAt('ann'), '2026-05-05T10:00:00.000Z');
});

test('a live event outranks what a profile said; forgetting makes it unknown', () => {
  const presence = new Presence();
  presence.apply({ userId: 'ann', online: false });
  presence.fromProfile({ id: 'ann', online: true });
  assert.equal(presence.isOnline('ann'), false);
  presence.forget('ann');
  presence.fromProfile({ id: 'ann', online: true, lastSeenAt: '2026-01-01T00:00:00Z' });
  assert.equal(presence.isOnline('ann'), true);
  assert.equal(presence.lastSeenAt('ann'), '2026-01-01T00:00:00Z');
});

test('typing lasts a few seconds, and ends with a message', () => {
  const presence = new Presence();
  presence.startTyping('r', 'ann', 1000);
  presence.startTyping('r', 'bob', 1000);
  assert.deepEqual(presence.typingIn('r', 1000 + TYPING_MS - 1), ['ann', 'bob']);
  assert.deepEqual(presence.typingIn('r', 1000 + TYPING_MS), []);
  presence.stopTyping('r', 'ann');
  assert.deepEqual(presence.typingIn('r', 1001), ['bob']);
  assert.deepEqual(presence.typingIn('other', 1001), []);
});
