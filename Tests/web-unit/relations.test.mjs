// Invitations and blocks (js/store/relations.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Invitations, Blocks } from '../../Sources/UIService/Public/js/store/relations.js';

const invitation = (roomId, createdAt, roomType = 'group') => ({ room: { id: roomId, roomType, name: `Room ${roomId}` }, invitedBy: { id: 'ann', displayName: 'Ann' }, createdAt });

test('events heard while the list was on its way are applied over it', () => {
  const invitations = new Invitations();
  const during = invitations.begin();
  invitations.apply({ type: 'invitation.removed', roomId: 'a' });
  invitations.apply({ type: 'invitation.created', roomId: 'c', data: { invitation: invitation('c', '2026-01-03') } });
  invitations.replace([invitation('a', '2026-01-01'), invitation('b', '2026-01-02')], during);
  assert.deepEqual(invitations.sorted().map((i) => i.room.id), ['c', 'b']);
  assert.equal(invitations.during, null);
});

test('an invitation names the group, or the person for a direct chat', () => {
  assert.equal(Invitations.title(invitation('g', '')), 'Room g');
  assert.equal(Invitations.title(invitation('d', '', 'direct')), 'Ann');
});

test('blocks, newest first', () => {
  const blocks = new Blocks();
  blocks.replace([{ user: { id: 'a' }, createdAt: '2026-01-01' }]);
  blocks.add({ user: { id: 'b' }, createdAt: '2026-02-01' });
  assert.equal(blocks.has('a'), true);
  assert.deepEqual(blocks.sorted().map((b) => b.user.id), ['b', 'a']);
  blocks.remove('a');
  assert.equal(blocks.has('a'), false);
});
