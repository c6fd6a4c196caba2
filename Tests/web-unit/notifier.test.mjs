// Which messages raise a browser notification (js/views/notifier.js `Notifier.wanted`):
// the room's level, do-not-disturb, a hidden tab, and replies in a thread I follow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Notifier } from '../../Sources/UIService/Public/js/views/notifier.js';

const me = 'me';
const room = (fields = {}) => ({ id: 'R1', roomType: 'group', muted: false, notificationLevel: 'all', ...fields });
const message = (fields = {}) => ({ id: 'm1', roomId: 'R1', seq: 1, senderId: 'ann', content: 'hello', messageType: 'text', mentions: [], ...fields });

test('a reply in a thread I follow notifies even when the room is at mentions only, unless it is muted', () => {
  const reply = message({ threadRootId: 'root' });
  assert.equal(Notifier.wanted(reply, room({ notificationLevel: 'mentions' }), me, true, false, true), true);
  assert.equal(Notifier.wanted(reply, room(), me, true, false, true), true);
  assert.equal(Notifier.wanted(reply, room({ muted: true, notificationLevel: 'none' }), me, true, false, true), false);
  assert.equal(Notifier.wanted(reply, room({ notificationLevel: 'none' }), me, true, false, true), false);
  // Not followed: the room's level decides (mentions only, and it does not mention me).
  assert.equal(Notifier.wanted(reply, room({ notificationLevel: 'mentions' }), me, true, false, false), false);
  // My own reply never notifies me.
  assert.equal(Notifier.wanted(message({ threadRootId: 'root', senderId: me }), room(), me, true, false, true), false);
});

test('nothing notifies while the tab is visible, in do-not-disturb, or without a room', () => {
  const reply = message({ threadRootId: 'root' });
  assert.equal(Notifier.wanted(reply, room(), me, false, false, true), false);
  assert.equal(Notifier.wanted(reply, room(), me, true, true, true), false);
  assert.equal(Notifier.wanted(message(), null, me, true), false);
  assert.equal(Notifier.wanted(message(), room(), me, true), true);
  assert.equal(Notifier.wanted(message(), room({ notificationLevel: 'mentions' }), me, true), false);
  assert.equal(Notifier.wanted(message({ mentions: [me] }), room({ notificationLevel: 'mentions' }), me, true), true);
});
