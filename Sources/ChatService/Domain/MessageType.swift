/// What a message is. People send `text`, `emoji`, and `file` or `image`
/// (which carry attachments); `system` messages are the service's own.
enum MessageType: String, Sendable, CaseIterable {
    case text, emoji, file, image, system

    /// Whether a person may send a message of this type.
    var sentByPeople: Bool { self != .system }

    /// Whether the message carries uploaded attachments (and may have no text).
    var carriesAttachments: Bool { self == .file || self == .image }
}
