// @ts-check
// What the page and the servers agree on: the socket's event types and
// commands, its close codes, and the shapes of what the API answers (as
// JSDoc types, checked by `tsc --noEmit`; see tsconfig.json at the top of the tree).

/** Event types the socket delivers (Sources/Shared/Protocol/ChatEvent.swift). */
export const EventType = Object.freeze({
  READY: 'ready',
  AUTHENTICATED: 'authenticated',
  PONG: 'pong',
  RESUMED: 'resumed',
  RESYNC: 'resync',
  ERROR: 'error',
  MESSAGE_CREATED: 'message.created',
  MESSAGE_UPDATED: 'message.updated',
  MESSAGE_DELETED: 'message.deleted',
  READ_UPDATED: 'read.updated',
  TYPING: 'typing',
  PRESENCE: 'presence',
  ROOM_UPDATED: 'room.updated',
  PARTICIPANT_ADDED: 'participant.added',
  PARTICIPANT_REMOVED: 'participant.removed',
  REACTION_ADDED: 'reaction.added',
  REACTION_REMOVED: 'reaction.removed',
  USER_UPDATED: 'user.updated',
  INVITATION_CREATED: 'invitation.created',
  INVITATION_REMOVED: 'invitation.removed',
  RELATIONS_CHANGED: 'relations.changed',
  MESSAGE_PINNED: 'message.pinned',
  MESSAGE_UNPINNED: 'message.unpinned',
  MESSAGE_SAVED: 'message.saved',
  MESSAGE_UNSAVED: 'message.unsaved',
});

/** Commands the page sends on the socket. */
export const Command = Object.freeze({
  RESUME: 'resume',
  PING: 'ping',
  TYPING: 'typing',
  AUTH: 'auth',
});

/** Close codes of the socket: the servers' and the page's own. */
export const CloseCode = Object.freeze({
  /** The page closed it (signed out). */
  NORMAL: 1000,
  /** A frame over the size limit. */
  TOO_BIG: 1009,
  /** ui-service reached no chat-service replica: try again later. */
  TRY_AGAIN_LATER: 1013,
  /** The connection fell behind (its queue overflowed): reconnect at once and resume. */
  FELL_BEHIND: 4000,
  /** The page drops the connection to reconnect at once (the network came back). */
  RECONNECTING: 4001,
  /** The page heard no pong in time. */
  NO_PONG: 4002,
  /** The token or ticket was refused, expired or its session signed out: refresh, then reconnect. */
  REFUSED: 4401,
  /** Too many sockets for this person on the replica. */
  TOO_MANY: 4429,
});

/**
 * Close codes after which the page reconnects at once rather than backing off.
 * @param {number} code
 */
export function reconnectsAtOnce(code) {
  return code === CloseCode.FELL_BEHIND || code === CloseCode.RECONNECTING;
}

/**
 * @typedef {object} PublicUser
 * @property {string} id
 * @property {string} [username]
 * @property {string} [displayName]
 * @property {string|null} [avatarUrl]
 * @property {boolean} [online]
 * @property {string|null} [lastSeenAt]
 * @property {string|null} [status] what they are up to, in a line
 * @property {string|null} [bio] "about", a few lines
 * @property {string|null} [doNotDisturbUntil] (my own profile only) until when I paused notifications
 * @property {string} [email]
 */

/**
 * @typedef {object} Participant
 * @property {string} userId
 * @property {string} [role] 'owner' | 'admin' | 'member'
 * @property {number} [lastReadSeq]
 */

/**
 * @typedef {object} Attachment
 * @property {string} id
 * @property {string} filename
 * @property {number} size
 * @property {string} [contentType]
 * @property {number} [width]
 * @property {number} [height]
 */

/**
 * @typedef {object} Reaction
 * @property {string} emoji
 * @property {number} count
 * @property {string[]} userIds
 */

/**
 * @typedef {object} Quote
 * @property {string} id
 * @property {string} senderId
 * @property {string} [excerpt]
 * @property {string} [messageType]
 * @property {boolean} [deleted]
 */

/**
 * @typedef {object} SystemEvent
 * @property {string} kind 'member_added' | 'member_removed' | 'member_left' | 'member_joined' | 'renamed' | 'created'
 * @property {string} [userId]
 * @property {string} [name]
 */

/**
 * @typedef {object} Message
 * @property {string} id
 * @property {string} roomId
 * @property {number} seq
 * @property {string} senderId
 * @property {string|null} content
 * @property {string} messageType 'text' | 'image' | 'file' | 'system'
 * @property {string} [clientMessageId]
 * @property {string} createdAt
 * @property {string|null} [updatedAt]
 * @property {string|null} [deletedAt]
 * @property {Attachment[]} [attachments]
 * @property {string|null} [replyToId]
 * @property {Quote|null} [replyTo]
 * @property {string[]} [mentions]
 * @property {Reaction[]} [reactions]
 * @property {SystemEvent} [system]
 * @property {string|null} [threadRootId] a reply in a thread: the message that started it
 * @property {{ replyCount: number, lastReplyAt: string, participantIds: string[] }|null} [thread] a thread's first message: its replies summed up
 * @property {boolean} [linkPreview] whether a card is shown for its first link (the sender may turn it off)
 */

/**
 * The card for a message's first link (`GET /api/rooms/{id}/messages/{id}/preview`).
 * @typedef {object} LinkPreview
 * @property {string} url
 * @property {'ok' | 'empty' | 'refused' | 'unavailable' | 'off'} status ok: the card; otherwise why there is none
 * @property {string|null} detail
 * @property {string|null} finalUrl
 * @property {string|null} title
 * @property {string|null} description
 * @property {string|null} siteName
 * @property {{ url: string, contentType: string, width: number, height: number }|null} image
 */

/**
 * A pinned message of a room (`GET /api/rooms/{id}/pins`, `message.pinned`).
 * @typedef {object} PinnedMessage
 * @property {Message} message
 * @property {string} pinnedBy
 * @property {string} pinnedAt
 */

/**
 * A message I saved (`GET /api/saved`, `message.saved`).
 * @typedef {object} SavedMessage
 * @property {Message} message
 * @property {string} savedAt
 */

/**
 * A message the page sent and the server has not stored yet.
 * @typedef {object} PendingMessage
 * @property {string} clientMessageId
 * @property {string} roomId
 * @property {string} content
 * @property {string|null} replyToId
 * @property {string} senderId
 * @property {string} createdAt
 * @property {'sending'|'failed'} state
 * @property {string} [error]
 */

/**
 * @typedef {object} Room
 * @property {string} id
 * @property {string} roomType 'direct' | 'group'
 * @property {string|null} [name]
 * @property {string|null} [description]
 * @property {Participant[]} [participants]
 * @property {string[]} [invitedUserIds]
 * @property {Message|null} [lastMessage]
 * @property {number} [unreadCount]
 * @property {number} [mentionCount]
 * @property {boolean} [muted]
 * @property {'default'|'all'|'mentions'|'none'} [notificationLevel] my notification level for the room
 * @property {'public'|'private'} [visibility] a group's: public ones are in the directory
 * @property {string} [createdAt]
 * @property {string} [updatedAt]
 * @property {string} [createdBy]
 * @property {number} [knownSeq] the highest seq the page has heard of (not from the server)
 */

/**
 * @typedef {object} Invitation
 * @property {Room} room
 * @property {PublicUser} [invitedBy]
 * @property {string} [createdAt]
 */

/**
 * @typedef {object} Block
 * @property {PublicUser} user
 * @property {string} createdAt
 */

/**
 * @typedef {object} Contact
 * @property {PublicUser} user
 * @property {string|null} [nickname]
 */

/**
 * A page of a room's messages (`GET /api/rooms/{id}/messages`), oldest first.
 * @typedef {object} MessagePage
 * @property {Message[]} messages
 * @property {boolean} hasMore
 */

/**
 * What the socket delivers: `{"type","roomId","seq","data"}`.
 * @typedef {object} ServerEvent
 * @property {string} type one of EventType
 * @property {string} [roomId]
 * @property {number} [seq]
 * @property {any} [data]
 */
