// @ts-check
// The server's live events, each applied to the store by its own handler
// (a map from event type to handler; a type the page does not know is ignored).

import { EventType } from '../protocol.js';

/** @typedef {import('../protocol.js').ServerEvent} ServerEvent */
/** @typedef {import('../store.js').ChatStore} ChatStore */
/** @typedef {{ visible: boolean }} EventContext */
/** @typedef {(store: ChatStore, event: ServerEvent, context: EventContext) => (void | Promise<void>)} EventHandler */

/** @type {Record<string, EventHandler>} */
export const eventHandlers = {
  [EventType.MESSAGE_CREATED]: async (store, event, { visible }) => {
    const roomId = event.roomId;
    if (!store.rooms.has(roomId)) await store.refreshRoom(roomId);
    const message = event.data;
    store.noteThreadReply(message);
    const fresh = store.timeline(roomId).addLive(message);
    store.noteMessage(message);
    const room = store.rooms.get(roomId);
    if (message.threadRootId) {
      // A reply in a thread: counted for the thread if I follow it, never for the room.
      const followed = store.followedThreads.get(message.threadRootId);
      await store.loadProfiles([message.senderId]);
      if (fresh && message.senderId !== store.me.id) {
        if (followed) {
          followed.unreadCount += 1;
          if (message.mentions?.includes(store.me.id)) followed.mentionCount += 1;
        }
        if (room && (followed || message.mentions?.includes(store.me.id))) {
          store.dispatchEvent(new CustomEvent('incoming', { detail: { message, room, visible, thread: true } }));
        }
      }
      store.changed('thread', roomId);
    } else if (message.messageType === 'system') {
      await store.loadProfiles([message.senderId, message.system?.userId].filter(Boolean));
    } else if (fresh && room && message.senderId !== store.me.id) {
      store.presence.stopTyping(roomId, message.senderId);
      // Unread until it is on screen: the room view marks it read when it is seen.
      room.unreadCount = (room.unreadCount || 0) + 1;
      // A blocked person's mentions do not call for me (the server does not count them either).
      if (message.mentions?.includes(store.me.id) && !store.isBlocked(message.senderId)) room.mentionCount = (room.mentionCount || 0) + 1;
      store.dispatchEvent(new CustomEvent('incoming', { detail: { message, room, visible } }));
    }
    store.changed('timeline', roomId);
    store.changed('rooms', roomId);
  },

  [EventType.MESSAGE_UPDATED]: (store, event) => store.applyMessageChange(event),
  [EventType.MESSAGE_DELETED]: (store, event) => store.applyMessageChange(event),

  [EventType.REACTION_ADDED]: (store, event) => { if (event.data?.messageId) store.setReactions(event.roomId, event.data); },
  [EventType.REACTION_REMOVED]: (store, event) => { if (event.data?.messageId) store.setReactions(event.roomId, event.data); },

  [EventType.MESSAGE_PINNED]: async (store, event) => {
    if (!event.roomId || !event.data?.message) return;
    await store.loadProfiles([event.data.message.senderId, event.data.pinnedBy]);
    store.marks.addPin(event.roomId, event.data);
    store.changed('pins', event.roomId);
  },
  [EventType.MESSAGE_UNPINNED]: (store, event) => {
    if (!event.roomId || !event.data?.messageId) return;
    store.marks.removePin(event.roomId, event.data.messageId);
    store.changed('pins', event.roomId);
  },
  // My saves, made or undone on another of my pages.
  [EventType.MESSAGE_SAVED]: async (store, event) => {
    if (!event.data?.message) return;
    await store.loadProfiles([event.data.message.senderId]);
    store.marks.addSaved(event.data);
    store.changed('saved', event.roomId);
  },
  [EventType.MESSAGE_UNSAVED]: (store, event) => {
    if (!event.data?.messageId) return;
    store.marks.removeSaved(event.data.messageId);
    store.changed('saved', event.roomId);
  },

  [EventType.USER_UPDATED]: async (store, event) => {
    // About me: changed on another of my pages (do-not-disturb, say); read my own profile again.
    if (event.data?.id && event.data.id === store.me.id) await store.refreshMe();
    else if (event.data?.id) {
      store.rememberUser(event.data);
      store.changed('presence');
    }
  },

  [EventType.READ_UPDATED]: (store, event) => {
    const room = store.rooms.get(event.roomId);
    const participant = room?.participants?.find((p) => p.userId === event.data.userId);
    if (participant) participant.lastReadSeq = Math.max(participant.lastReadSeq || 0, event.data.seq);
    if (room && event.data.userId === store.me.id && event.data.seq >= (room.lastMessage?.seq ?? 0)) {
      // Read to the end on another page.
      room.unreadCount = 0;
      room.mentionCount = 0;
    }
    store.changed('receipts', event.roomId);
    store.changed('rooms', event.roomId);
  },

  [EventType.TYPING]: (store, event) => {
    const userId = event.data?.userId;
    if (!userId || userId === store.me.id) return;
    store.presence.startTyping(event.roomId, userId);
    store.changed('typing', event.roomId);
    setTimeout(() => store.changed('typing', event.roomId), 5050);
  },

  [EventType.PRESENCE]: (store, event) => {
    // `lastSeenAt` may be absent: then going offline is dated now.
    if (!event.data?.userId) return;
    store.presence.apply(event.data);
    store.changed('presence');
  },

  [EventType.PARTICIPANT_ADDED]: async (store, event) => {
    if (store.rooms.has(event.roomId) || event.data?.userId === store.me.id) await store.refreshRoom(event.roomId);
  },

  [EventType.PARTICIPANT_REMOVED]: async (store, event) => {
    const roomId = event.roomId;
    const known = store.rooms.get(roomId);
    if (event.data?.userId === store.me.id) {
      // Not when one left or deleted it oneself on this page: it is already gone from here.
      if (known) {
        const title = store.roomTitle(known);
        const wasOpen = store.activeRoomId === roomId;
        store.forgetRoom(roomId);
        store.dispatchEvent(new CustomEvent('removed', { detail: { roomId, title, wasOpen } }));
      }
    } else if (known) {
      await store.refreshRoom(roomId);
    }
  },

  [EventType.ROOM_UPDATED]: async (store, event) => { if (store.rooms.has(event.roomId)) await store.refreshRoom(event.roomId); },

  [EventType.INVITATION_CREATED]: (store, event) => store.applyInvitationEvent(event),
  [EventType.INVITATION_REMOVED]: (store, event) => store.applyInvitationEvent(event),

  [EventType.RELATIONS_CHANGED]: async (store, event) => {
    // A block between me and `userId` was made or undone (by either of us, on any page):
    // their presence is unknown until heard again, and my blocks and invitations are read again.
    const userId = event.data?.userId;
    if (userId) {
      store.presence.forget(userId);
      const user = store.users.get(userId);
      if (user) delete user.online;
    }
    await Promise.all([store.refreshBlocks({ quiet: true }).catch(() => {}), store.refreshInvitations({ quiet: true }).catch(() => {})]);
    store.changed('blocks');
    store.changed('invitations');
  },

  [EventType.RESUMED]: async (store, event) => {
    const roomId = event.roomId;
    if (!roomId) return;
    // Every message after the position sent came in order before this: the window reaches the end again.
    store.timeline(roomId).resumed(typeof event.seq === 'number' ? event.seq : null);
    // Edits and reactions to older messages did not come again: refresh the open room's newest page.
    if (roomId === store.activeRoomId) await store.loadNewest(roomId);
    else store.changed('timeline', roomId);
  },
};

/**
 * Applies one server event to the store.
 * @param {ChatStore} store
 * @param {ServerEvent} event
 * @param {EventContext} context
 */
export async function applyEvent(store, event, context) {
  const handler = Object.hasOwn(eventHandlers, event.type) ? eventHandlers[event.type] : null;
  if (handler) await handler(store, event, context);
}
