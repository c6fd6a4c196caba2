import Foundation

/// What one WebSocket may do, from the configuration (see the README's table).
struct WebSocketLimits: Sendable {
    /// Events a connection may have waiting before it is cut off (code 4000).
    var queueLimit: Int
    /// Open WebSockets per person on one replica; the next is refused (429 / 4429).
    var connectionsPerPerson: Int
    /// Commands a connection may send per second on average, and in a burst.
    var commandsPerSecond: Double
    var commandBurst: Double
    /// The largest frame (and message) accepted; a larger one closes the socket with 1009.
    var maxFrameSize: Int
}
