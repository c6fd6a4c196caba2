import Foundation

/// The one way each message event is built, wherever it is sent from (the
/// gateway's publish, its refills, the degraded poll, a socket's gap fill).
extension ChatEvent {
    public static func messageCreated(_ message: ChatMessage) -> ChatEvent {
        ChatEvent(type: .messageCreated, roomId: message.roomId, seq: message.seq, data: .message(message))
    }

    public static func messageUpdated(_ message: ChatMessage) -> ChatEvent {
        ChatEvent(type: .messageUpdated, roomId: message.roomId, seq: message.seq, data: .message(message))
    }

    public static func messageDeleted(_ message: ChatMessage) -> ChatEvent {
        ChatEvent(type: .messageDeleted, roomId: message.roomId, seq: message.seq, data: .message(message))
    }
}
