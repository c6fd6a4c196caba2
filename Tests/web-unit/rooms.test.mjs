// Room rules (js/store/rooms.js): unread totals and the tab title, where "New
// messages" goes, who has read how far, the list's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as rooms from '../../Sources/UIService/Public/js/store/rooms.js';

const room = (over = {}) => ({ id: 'r', roomType: 'group', participants: [{ userId: 'me', lastReadSeq: 4 }, { userId: 'ann', lastReadSeq: 9 }, { userId: 'bob', lastReadSeq: 2 }], ...over });

test('muted rooms stay out of the unread total, and the title says it', () => {
  const list = [room({ id: 'a', unreadCount: 3 }), room({ id: 'b', unreadCount: 5, muted: true }), room({ id: 'c' })];
  assert.equal(rooms.unreadTotal(list), 3);
  assert.equal(rooms.tabTitle(3), '(3) MicroChat');
  assert.equal(rooms.tabTitle(0), 'MicroChat');
  assert.equal(rooms.tabTitle(150), '(99+) MicroChat');
});

test('"New messages" goes above the first message after my marker that someone else sent', () => {
  const messages = [5, 6, 7, 8].map((seq) => ({ id: `m${seq}`, seq, senderId: seq === 5 ? 'me' : seq === 6 ? 'sys' : 'ann', messageType: seq === 6 ? 'system' : 'text' }));
  assert.equal(rooms.firstUnread(messages, 4, 'me')?.id, 'm7');
  assert.equal(rooms.firstUnread(messages, 8, 'me'), null);
  assert.equal(rooms.myReadSeq(room(), 'me'), 4);
  assert.equal(rooms.myReadSeq(room({ participants: [] }), 'me'), 0);
});

test('readers of a message are the others whose marker reached it', () => {
  assert.deepEqual(rooms.readersOf(room(), 'me', 5), ['ann']);
  assert.deepEqual(rooms.readersOf(room(), 'me', 2), ['ann', 'bob']);
  assert.deepEqual(rooms.readersOf(undefined, 'me', 1), []);
});

test('the other person of a direct room, a member or invited', () => {
  assert.equal(rooms.otherParticipant({ id: 'd', roomType: 'direct', participants: [{ userId: 'me' }, { userId: 'ann' }] }, 'me'), 'ann');
  assert.equal(rooms.otherParticipant({ id: 'd', roomType: 'direct', participants: [{ userId: 'me' }], invitedUserIds: ['bob'] }, 'me'), 'bob');
  assert.deepEqual(rooms.invitedTo({ id: 'g', roomType: 'group', participants: [{ userId: 'ann' }], invitedUserIds: ['ann', 'cy'] }), ['cy']);
});

test('rooms are listed by their newest activity', () => {
  const list = [
    { id: 'old', roomType: 'group', createdAt: '2024-01-01T00:00:00Z' },
    { id: 'talked', roomType: 'group', createdAt: '2023-01-01T00:00:00Z', lastMessage: { createdAt: '2025-01-01T00:00:00Z' } },
    { id: 'renamed', roomType: 'group', createdAt: '2023-01-01T00:00:00Z', updatedAt: '2024-06-01T00:00:00Z' },
  ];
  assert.deepEqual(rooms.sortRooms(list).map((r) => r.id), ['talked', 'renamed', 'old']);
});

test('the tab title counts each room as its notification level says', () => {
  const list = [
    { id: 'a', roomType: 'group', unreadCount: 5, mentionCount: 1 },
    { id: 'b', roomType: 'group', unreadCount: 4, mentionCount: 2, notificationLevel: 'mentions' },
    { id: 'c', roomType: 'group', unreadCount: 7, mentionCount: 3, notificationLevel: 'none', muted: true },
    { id: 'd', roomType: 'direct', unreadCount: 2, mentionCount: 0, notificationLevel: 'all' },
  ];
  assert.deepEqual(list.map(rooms.countedUnread), [5, 2, 0, 2]);
  assert.equal(rooms.unreadTotal(list), 9);
});

test('what notifies follows the level: default, all, mentions and replies, none', () => {
  const me = 'me';
  const plain = { senderId: 'x', messageType: 'text', mentions: [] };
  const mention = { ...plain, mentions: [me] };
  const reply = { ...plain, replyTo: { senderId: me } };
  const group = (notificationLevel) => ({ roomType: 'group', notificationLevel });
  const direct = (notificationLevel) => ({ roomType: 'direct', notificationLevel });
  const table = [
    [group(undefined), [false, true, true]], [group('default'), [false, true, true]], [group('all'), [true, true, true]],
    [group('mentions'), [false, true, true]], [group('none'), [false, false, false]],
    [direct('default'), [true, true, true]], [direct('mentions'), [true, true, true]], [direct('none'), [false, false, false]],
  ];
  for (const [room, expected] of table) {
    assert.deepEqual([plain, mention, reply].map((m) => rooms.notifies(m, room, me)), expected, JSON.stringify(room));
  }
  assert.equal(rooms.notifies({ ...mention, senderId: me }, group('all'), me), false);
  assert.equal(rooms.notifies({ ...plain, messageType: 'system' }, group('all'), me), false);
  assert.equal(rooms.notifies(mention, { roomType: 'group', muted: true }, me), false);
});
