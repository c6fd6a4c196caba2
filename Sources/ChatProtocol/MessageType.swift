/// What a message is. People send `text`, `emoji`, and `file` or `image`
/// (which carry attachments); `system` messages are the service's own.
public enum MessageType: String, Codable, Sendable, CaseIterable {
    case text, emoji, file, image, system

    /// Whether a person may send a message of this type.
    public var sentByPeople: Bool { self != .system }

    /// Whether the message carries uploaded attachments (and may have no text).
    public var carriesAttachments: Bool { self == .file || self == .image }
}
