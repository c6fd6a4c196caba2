/// What a message is. People send `text` and `emoji`; `system` messages are
/// the service's own (people cannot send them).
enum MessageType: String, Sendable, CaseIterable {
    case text, emoji, system

    /// Whether a person may send a message of this type.
    var sentByPeople: Bool { self != .system }
}
