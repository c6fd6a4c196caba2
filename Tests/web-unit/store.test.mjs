// ChatStore with a fake API, no browser: the event handler map, unread counts,
// and the timeline after a jump to an old message and live messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatStore } from '../../Sources/UIService/Public/js/store.js';
import { eventHandlers } from '../../Sources/UIService/Public/js/store/events.js';
import { EventType, CloseCode, reconnectsAtOnce } from '../../Sources/UIService/Public/js/protocol.js';

const ROOM = 'R1';
const me = { id: 'me', displayName: 'Me' };
const message = (seq, senderId = 'ann') => ({ id: `m${seq}`, roomId: ROOM, seq, senderId, content: `message ${seq}`, messageType: 'text', createdAt: new Date(seq * 1000).toISOString() });

/** A room of `count` messages behind a fake API that answers message pages as chat-service does. */
function fakeApi(count) {
  const all = Array.from({ length: count }, (_, i) => message(i + 1));
  const calls = [];
  return {
    calls,
    all,
    user: me,
    updateUser() {},
    async get(path) {
      calls.push(['GET', path]);
      const url = new URL(path, 'http://x');
      if (url.pathname === `/api/rooms/${ROOM}/messages`) {
        const limit = Number(url.searchParams.get('limit'));
        const before = url.searchParams.get('before');
        const after = url.searchParams.get('after');
        if (after !== null) {
          const list = all.filter((m) => m.seq > Number(after));
          return { messages: list.slice(0, limit), hasMore: list.length > limit };
        }
        const list = all.filter((m) => before === null || m.seq < Number(before));
        return { messages: list.slice(-limit), hasMore: list.length > limit };
      }
      if (url.pathname === '/api/rooms') return this.roomsAnswer;
      if (url.pathname.startsWith('/api/users/')) return { id: url.pathname.split('/').at(-1), displayName: 'Someone' };
      throw new Error(`unexpected GET ${path}`);
    },
    async post(path, body) {
      calls.push(['POST', path, body]);
      if (path.endsWith('/read')) return { unreadCount: 0 };
      throw new Error(`unexpected POST ${path}`);
    },
  };
}

function storeWith(count) {
  const api = fakeApi(count);
  const store = new ChatStore(/** @type {any} */ (api));
  store.rooms.set(ROOM, { id: ROOM, roomType: 'direct', participants: [{ userId: 'me', lastReadSeq: count }, { userId: 'ann', lastReadSeq: 0 }], unreadCount: 0, lastMessage: api.all.at(-1) });
  store.users.set('ann', { id: 'ann', displayName: 'Ann' });
  return { store, api };
}

const shape = (timeline) => timeline.entries().map((e) => (e.kind === 'gap' ? 'gap' : e.message.seq));

test('every handler in the map is for an event type the protocol names', () => {
  const known = new Set(Object.values(EventType));
  for (const type of Object.keys(eventHandlers)) assert.ok(known.has(type), type);
  assert.ok(eventHandlers[EventType.MESSAGE_CREATED]);
  assert.ok(eventHandlers[EventType.PRESENCE]);
});

test('close codes: fell behind and the page\'s own reconnect go at once, a refusal does not', () => {
  assert.equal(CloseCode.FELL_BEHIND, 4000);
  assert.equal(CloseCode.REFUSED, 4401);
  assert.equal(CloseCode.TOO_MANY, 4429);
  assert.equal(reconnectsAtOnce(4000), true);
  assert.equal(reconnectsAtOnce(4001), true);
  assert.equal(reconnectsAtOnce(4401), false);
  assert.equal(reconnectsAtOnce(4429), false);
});

test('an event type the page does not know is ignored', async () => {
  const { store } = storeWith(3);
  await store.apply({ type: 'something.new', roomId: ROOM, data: {} }, { visible: true });
});

test('a message from someone else counts as unread until the page marks it read', async () => {
  const { store, api } = storeWith(3);
  const changes = [];
  store.addEventListener('change', (event) => changes.push(event.detail.what));
  await store.apply({ type: EventType.MESSAGE_CREATED, roomId: ROOM, seq: 4, data: message(4) }, { visible: true });
  const room = store.rooms.get(ROOM);
  assert.equal(room.unreadCount, 1);
  assert.equal(room.lastMessage.seq, 4);
  assert.ok(changes.includes('timeline') && changes.includes('rooms'));
  assert.equal(api.calls.filter(([method]) => method === 'POST').length, 0, 'nothing is marked read by arriving');
  await store.markRead(ROOM, store.timeline(ROOM).byId.get('m4'));
  assert.deepEqual(api.calls.at(-1), ['POST', `/api/rooms/${ROOM}/read`, { messageId: 'm4' }]);
  assert.equal(room.unreadCount, 0);
  // Not again for the same message.
  await store.markRead(ROOM, store.timeline(ROOM).byId.get('m4'));
  assert.equal(api.calls.filter(([method]) => method === 'POST').length, 1);
});

test('a presence event without lastSeenAt is taken, and one with it keeps the time', async () => {
  const { store } = storeWith(1);
  await store.apply({ type: EventType.PRESENCE, data: { userId: 'ann', online: true } }, { visible: true });
  assert.equal(store.isOnline('ann'), true);
  await store.apply({ type: EventType.PRESENCE, data: { userId: 'ann', online: false, lastSeenAt: '2026-12-05T09:00:00Z' } }, { visible: true });
  assert.equal(store.isOnline('ann'), false);
  assert.equal(store.lastSeenAt('ann'), '2026-12-05T09:00:00Z');
});

test('a jump to an old message and back never shows a gap as continuous', async () => {
  const { store, api } = storeWith(300);
  await store.openRoom(ROOM);
  assert.deepEqual(shape(store.timeline(ROOM)), Array.from({ length: 30 }, (_, i) => 271 + i));
  await store.loadAround(ROOM, { seq: 47 });
  const timeline = store.timeline(ROOM);
  const entries = shape(timeline);
  assert.equal(entries[entries.indexOf(77) + 1], 'gap');
  // A live message while reading the old stretch continues the newest one.
  api.all.push(message(301));
  await store.apply({ type: EventType.MESSAGE_CREATED, roomId: ROOM, seq: 301, data: message(301) }, { visible: true });
  assert.deepEqual(shape(timeline).slice(-2), [300, 301]);
  // Loading newer pages from the old stretch fills the gap, one page at a time.
  while (timeline.gaps().length) {
    const gap = timeline.gaps()[0];
    await store.loadAfter(ROOM, gap.after);
    const held = timeline.messages.map((m) => m.seq);
    for (let i = 1; i < held.length; i += 1) {
      if (held[i] !== held[i - 1] + 1) assert.ok(!timeline.continuous(held[i - 1], held[i]), `${held[i - 1]}→${held[i]} shown as continuous`);
    }
  }
  assert.deepEqual(timeline.ranges, [[18, 301]]);
});

test('after the connection dropped, the open room is read again from its newest page', async () => {
  const { store, api } = storeWith(40);
  await store.openRoom(ROOM);
  store.lostTouch();
  assert.equal(store.timeline(ROOM).newerMissing, true);
  const positions = store.positions();
  assert.equal(positions[ROOM], 40);
  for (const seq of [41, 42]) {
    api.all.push(message(seq));
    await store.apply({ type: EventType.MESSAGE_CREATED, roomId: ROOM, seq, data: message(seq) }, { visible: true });
  }
  await store.apply({ type: EventType.RESUMED, roomId: ROOM, seq: 42 }, { visible: true });
  assert.deepEqual(store.timeline(ROOM).gaps(), []);
  assert.equal(store.timeline(ROOM).newerMissing, false);
});

test('a room list asked for before my read marker moved does not bring back the old count', async () => {
  const { store, api } = storeWith(10);
  const room = store.rooms.get(ROOM);
  room.unreadCount = 10;
  room.participants[0].lastReadSeq = 0;
  const stale = JSON.parse(JSON.stringify(room));
  let release;
  api.roomsAnswer = new Promise((resolve) => { release = resolve; });
  const refreshing = store.refreshRooms(); // on the socket's `ready`, say
  await store.markRead(ROOM);
  assert.equal(store.rooms.get(ROOM).unreadCount, 0);
  release({ rooms: [stale] });
  await refreshing;
  assert.equal(store.rooms.get(ROOM).unreadCount, 0);
  assert.equal(store.readSeq(ROOM), 10);
  assert.equal(store.unreadTotal(), 0);
});

test('a room answer asked for before one was removed does not bring the room back', async () => {
  const { store, api } = storeWith(5);
  /** @type {(value: any) => void} */
  let answerRoom = () => {};
  /** @type {(value: any) => void} */
  let answerList = () => {};
  const plainGet = api.get.bind(api);
  api.get = (path) => {
    if (path === `/api/rooms/${ROOM}`) return new Promise((resolve) => { answerRoom = resolve; });
    if (path === '/api/rooms') return new Promise((resolve) => { answerList = resolve; });
    return plainGet(path);
  };
  const room = { ...store.rooms.get(ROOM), name: 'renamed before the removal' };
  const refreshed = store.refreshRoom(ROOM);
  const listed = store.refreshRooms();
  store.forgetRoom(ROOM); // participant.removed for me, applied while both answers are on their way
  answerRoom(room);
  answerList({ rooms: [room] });
  await Promise.all([refreshed, listed]);
  assert.equal(store.rooms.has(ROOM), false, 'the stale answers put the room back');
  // Asked again after the removal (added back), the answer counts.
  const again = store.refreshRoom(ROOM);
  answerRoom(room);
  await again;
  assert.equal(store.rooms.has(ROOM), true);
});

test('a reply in a thread counts for the thread, not the room, and sums up on its first message once', async () => {
  const { store } = storeWith(3);
  await store.loadNewest(ROOM);
  const room = store.rooms.get(ROOM);
  store.followedThreads.set('m2', { unreadCount: 0, mentionCount: 0 });
  const incoming = [];
  store.addEventListener('incoming', (event) => incoming.push(event.detail));
  const replyOf = (seq, senderId = 'ann', mentions = []) => ({ ...message(seq, senderId), threadRootId: 'm2', mentions });
  await store.apply({ type: EventType.MESSAGE_CREATED, roomId: ROOM, seq: 4, data: replyOf(4, 'ann', ['me']) }, { visible: true });
  await store.apply({ type: EventType.MESSAGE_CREATED, roomId: ROOM, seq: 4, data: replyOf(4, 'ann', ['me']) }, { visible: true }); // heard twice
  await store.apply({ type: EventType.MESSAGE_CREATED, roomId: ROOM, seq: 5, data: replyOf(5, 'bob') }, { visible: true });
  assert.equal(room.unreadCount, 0, 'thread replies are not the room\'s unread');
  assert.equal(room.lastMessage.seq, 3, 'nor its last message');
  assert.deepEqual(store.followedThreads.get('m2'), { unreadCount: 2, mentionCount: 1 });
  const root = store.timeline(ROOM).byId.get('m2');
  assert.equal(root.thread.replyCount, 2);
  assert.deepEqual(root.thread.participantIds, ['bob', 'ann']);
  assert.deepEqual(store.threadReplies(ROOM, 'm2').map((m) => m.seq), [4, 5]);
  assert.deepEqual(incoming.map((detail) => [detail.message.seq, detail.thread]), [[4, true], [5, true]]);
  // The room's history stays whole: no gap where the replies are.
  assert.deepEqual(shape(store.timeline(ROOM)).slice(-3), [3, 4, 5]);
});

test('a long thread is read in pages of 200, each after the last reply, until it is all there', async () => {
  const { store, api } = storeWith(1);
  const root = message(1);
  const replies = Array.from({ length: 450 }, (_, i) => ({ ...message(i + 2), threadRootId: root.id }));
  const asked = [];
  api.get = async (path) => {
    asked.push(path);
    const url = new URL(path, 'http://x');
    assert.equal(url.pathname, `/api/rooms/${ROOM}/threads/${root.id}`);
    const after = Number(url.searchParams.get('after') ?? 0);
    const limit = Number(url.searchParams.get('limit'));
    const rest = replies.filter((m) => m.seq > after);
    return { root, replies: rest.slice(0, limit), hasMore: rest.length > limit, following: true };
  };
  const page = await store.loadThread(ROOM, root.id);
  assert.equal(page.replies.length, 450);
  assert.equal(page.hasMore, false);
  assert.deepEqual(asked.map((path) => new URL(path, 'http://x').searchParams.get('after')), [null, '201', '401']);
  assert.equal(store.threadReplies(ROOM, root.id).length, 450);
  assert.deepEqual(store.threadReplies(ROOM, root.id).map((m) => m.seq), replies.map((m) => m.seq));
});
