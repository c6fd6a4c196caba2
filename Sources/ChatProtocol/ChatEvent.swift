import Foundation

/// The real-time envelope pushed over the WebSocket and carried through Redis:
/// `{"type":"message.created","roomId":…,"seq":…,"data":{…}}`.
public struct ChatEvent: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case messageCreated = "message.created"
        case messageUpdated = "message.updated"
        case messageDeleted = "message.deleted"
        case readUpdated = "read.updated"
        case typing
        case presence
        case roomUpdated = "room.updated"
        case participantAdded = "participant.added"
        case participantRemoved = "participant.removed"
        case reactionAdded = "reaction.added"
        case reactionRemoved = "reaction.removed"
        /// A message was pinned in its room (`data`: the pin, message included).
        case messagePinned = "message.pinned"
        /// A pin was taken off (`data`: the message id and who unpinned it).
        case messageUnpinned = "message.unpinned"
        /// The receiver saved a message (sent on their own channel, to all their sockets).
        case messageSaved = "message.saved"
        /// The receiver took a message off their saved list.
        case messageUnsaved = "message.unsaved"
        /// A person's public profile changed (display name, avatar, status): sent to whoever shares a room with them.
        case userUpdated = "user.updated"
        /// Sent by the server: reconnecting to Redis may have lost notifications; resume to be sure.
        case resync
        case ready
        case resumed
        case pong
        case error
        /// The answer to `auth`: the socket now lives until the new token's `expiresAt`.
        case authenticated
        /// A login was signed out (user-service → chat-service, on the person's channel); not sent to clients.
        case sessionRevoked = "session.revoked"
        /// Someone invited the receiver into a room (`data.invitation`), sent to the invitee.
        case invitationCreated = "invitation.created"
        /// The invitation to `roomId` is gone: accepted, declined, or the room went away.
        case invitationRemoved = "invitation.removed"
        /// A block between the receiver and `data.userId` was made or undone (user-service → the sockets of both).
        case relationsChanged = "relations.changed"
    }

    public var type: Kind
    public var roomId: UUID?
    /// For message events, the message's seq.
    public var seq: Int64?
    public var data: EventData?

    public init(type: Kind, roomId: UUID? = nil, seq: Int64? = nil, data: EventData? = nil) {
        self.type = type
        self.roomId = roomId
        self.seq = seq
        self.data = data
    }

    enum CodingKeys: String, CodingKey { case type, roomId, seq, data }

    /// One decoder keyed on `type`: the payload is read as what that type carries, not
    /// tried against each payload in turn.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(Kind.self, forKey: .type)
        roomId = try container.decodeIfPresent(UUID.self, forKey: .roomId)
        seq = try container.decodeIfPresent(Int64.self, forKey: .seq)
        guard container.contains(.data), try !container.decodeNil(forKey: .data) else {
            data = nil
            return
        }
        let payload = try container.superDecoder(forKey: .data)
        switch type {
        case .messageCreated, .messageUpdated, .messageDeleted: data = .message(try ChatMessage(from: payload))
        case .readUpdated: data = .read(try ReadReceipt(from: payload))
        case .reactionAdded, .reactionRemoved: data = .reaction(try ReactionEvent(from: payload))
        case .messagePinned: data = .pin(try PinnedMessage(from: payload))
        case .messageSaved: data = .saved(try SavedMessage(from: payload))
        case .messageUnpinned, .messageUnsaved: data = .markRemoved(try MarkRemoved(from: payload))
        case .userUpdated: data = .profile(try PublicProfile(from: payload))
        case .invitationCreated: data = .invitation(try InvitationNotice(from: payload))
        case .typing, .presence, .participantAdded, .participantRemoved, .sessionRevoked, .relationsChanged:
            data = .user(try UserEvent(from: payload))
        // A room's new state, or (a role or mute change) the person it concerns.
        case .roomUpdated:
            if let room = try? ChatRoom(from: payload) { data = .room(room) } else { data = .user(try UserEvent(from: payload)) }
        case .resync, .ready, .resumed, .pong, .error, .authenticated, .invitationRemoved: data = .info(try InfoEvent(from: payload))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encodeIfPresent(roomId, forKey: .roomId)
        try container.encodeIfPresent(seq, forKey: .seq)
        try container.encodeIfPresent(data, forKey: .data)
    }
}

/// The payloads an event can carry. Encoded as the bare payload object.
/// Indirect: each payload is boxed, so a `ChatEvent` is a few words wherever it is held — in a
/// socket task's frame for as long as the socket is open, or copied along the delivery path —
/// instead of the size of its largest payload (a message with its quote, attachments and preview).
public indirect enum EventData: Codable, Sendable {
    case message(ChatMessage)
    case room(ChatRoom)
    case read(ReadReceipt)
    case user(UserEvent)
    case info(InfoEvent)
    case reaction(ReactionEvent)
    case profile(PublicProfile)
    case invitation(InvitationNotice)
    case pin(PinnedMessage)
    case saved(SavedMessage)
    case markRemoved(MarkRemoved)

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case let .message(value): try value.encode(to: encoder)
        case let .room(value): try value.encode(to: encoder)
        case let .read(value): try value.encode(to: encoder)
        case let .user(value): try value.encode(to: encoder)
        case let .info(value): try value.encode(to: encoder)
        case let .reaction(value): try value.encode(to: encoder)
        case let .profile(value): try value.encode(to: encoder)
        case let .invitation(value): try value.encode(to: encoder)
        case let .pin(value): try value.encode(to: encoder)
        case let .saved(value): try value.encode(to: encoder)
        case let .markRemoved(value): try value.encode(to: encoder)
        }
    }

    public init(from decoder: any Decoder) throws {
        // Consumers decode by the envelope's type; this is the generic fallback.
        if let invitation = try? InvitationNotice(from: decoder) { self = .invitation(invitation); return }
        if let pin = try? PinnedMessage(from: decoder) { self = .pin(pin); return }
        if let saved = try? SavedMessage(from: decoder) { self = .saved(saved); return }
        if let message = try? ChatMessage(from: decoder) { self = .message(message); return }
        if let read = try? ReadReceipt(from: decoder) { self = .read(read); return }
        if let room = try? ChatRoom(from: decoder) { self = .room(room); return }
        if let reaction = try? ReactionEvent(from: decoder) { self = .reaction(reaction); return }
        if let profile = try? PublicProfile(from: decoder) { self = .profile(profile); return }
        if let removed = try? MarkRemoved(from: decoder) { self = .markRemoved(removed); return }
        if let user = try? UserEvent(from: decoder) { self = .user(user); return }
        self = .info(try InfoEvent(from: decoder))
    }
}
