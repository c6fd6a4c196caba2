import Foundation

/// A stored chat message. `seq` is the room's ordering key: it increases in
/// commit order within a room, so "everything after seq N" is a complete answer.
public struct ChatMessage: Codable, Sendable, Equatable {
    public var id: UUID
    public var roomId: UUID
    public var seq: Int64
    public var senderId: UUID
    /// nil once the message is deleted (it keeps its place in the timeline).
    public var content: String?
    public var messageType: MessageType
    public var clientMessageId: String?
    public var createdAt: Date
    public var updatedAt: Date?
    public var deletedAt: Date?
    /// The files and images of a `file` or `image` message (empty for others, and once deleted).
    public var attachments: [MessageAttachment]
    /// The message this one answers (same room), and a short quote of it.
    public var replyToId: UUID?
    public var replyTo: MessageQuote?
    /// The room members its `@username`s named when it was sent (or last edited).
    public var mentions: [UUID]
    /// Emoji reactions, in the order each emoji was first used.
    public var reactions: [MessageReaction]
    /// For a `system` message: the change it records (nil for every other type).
    public var system: SystemEvent?
    /// A reply in a thread: the message that started it (same room). Thread replies take
    /// the room's seqs like any message, and the page shows them in the thread, not the room.
    public var threadRootId: UUID?
    /// A message that started a thread: how many replies it has and the newest one's time.
    public var thread: ThreadSummary?
    /// Whether the page shows a card for the first link in `content` (the sender can turn it off);
    /// the card itself is read from `GET …/messages/{id}/preview`.
    public var linkPreview: Bool

    public init(
        id: UUID, roomId: UUID, seq: Int64, senderId: UUID, content: String?, messageType: MessageType,
        clientMessageId: String?, createdAt: Date, updatedAt: Date?, deletedAt: Date?, attachments: [MessageAttachment] = [],
        replyToId: UUID? = nil, replyTo: MessageQuote? = nil, mentions: [UUID] = [], reactions: [MessageReaction] = [],
        system: SystemEvent? = nil, threadRootId: UUID? = nil, thread: ThreadSummary? = nil, linkPreview: Bool = true
    ) {
        self.id = id
        self.roomId = roomId
        self.seq = seq
        self.senderId = senderId
        self.content = content
        self.messageType = messageType
        self.clientMessageId = clientMessageId
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deletedAt = deletedAt
        self.attachments = attachments
        self.replyToId = replyToId
        self.replyTo = replyTo
        self.mentions = mentions
        self.reactions = reactions
        self.system = system
        self.threadRootId = threadRootId
        self.thread = thread
        self.linkPreview = linkPreview
    }

    enum CodingKeys: String, CodingKey {
        case id, roomId, seq, senderId, content, messageType, clientMessageId, createdAt, updatedAt, deletedAt, attachments, replyToId,
            replyTo, mentions, reactions, system, threadRootId, thread, linkPreview
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(UUID.self, forKey: .id)
        roomId = try container.decode(UUID.self, forKey: .roomId)
        seq = try container.decode(Int64.self, forKey: .seq)
        senderId = try container.decode(UUID.self, forKey: .senderId)
        content = try container.decodeIfPresent(String.self, forKey: .content)
        messageType = try container.decode(MessageType.self, forKey: .messageType)
        clientMessageId = try container.decodeIfPresent(String.self, forKey: .clientMessageId)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        updatedAt = try container.decodeIfPresent(Date.self, forKey: .updatedAt)
        deletedAt = try container.decodeIfPresent(Date.self, forKey: .deletedAt)
        attachments = try container.decodeIfPresent([MessageAttachment].self, forKey: .attachments) ?? []
        replyToId = try container.decodeIfPresent(UUID.self, forKey: .replyToId)
        replyTo = try container.decodeIfPresent(MessageQuote.self, forKey: .replyTo)
        mentions = try container.decodeIfPresent([UUID].self, forKey: .mentions) ?? []
        reactions = try container.decodeIfPresent([MessageReaction].self, forKey: .reactions) ?? []
        system = try container.decodeIfPresent(SystemEvent.self, forKey: .system)
        threadRootId = try container.decodeIfPresent(UUID.self, forKey: .threadRootId)
        thread = try container.decodeIfPresent(ThreadSummary.self, forKey: .thread)
        linkPreview = try container.decodeIfPresent(Bool.self, forKey: .linkPreview) ?? true
    }

    /// Every key is always present (null when empty), so a deleted message says `"content": null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(roomId, forKey: .roomId)
        try container.encode(seq, forKey: .seq)
        try container.encode(senderId, forKey: .senderId)
        try container.encode(content, forKey: .content)
        try container.encode(messageType, forKey: .messageType)
        try container.encode(clientMessageId, forKey: .clientMessageId)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(deletedAt, forKey: .deletedAt)
        try container.encode(attachments, forKey: .attachments)
        try container.encode(replyToId, forKey: .replyToId)
        try container.encode(replyTo, forKey: .replyTo)
        try container.encode(mentions, forKey: .mentions)
        try container.encode(reactions, forKey: .reactions)
        try container.encode(system, forKey: .system)
        try container.encode(threadRootId, forKey: .threadRootId)
        try container.encode(thread, forKey: .thread)
        try container.encode(linkPreview, forKey: .linkPreview)
    }
}

/// What a thread's first message shows of it: "3 replies · last 12:04 · by these people".
public struct ThreadSummary: Codable, Sendable, Equatable {
    public var replyCount: Int
    public var lastReplyAt: Date
    /// The people who replied, most recent first (at most five).
    public var participantIds: [UUID]

    public init(replyCount: Int, lastReplyAt: Date, participantIds: [UUID]) {
        self.replyCount = replyCount
        self.lastReplyAt = lastReplyAt
        self.participantIds = participantIds
    }
}
