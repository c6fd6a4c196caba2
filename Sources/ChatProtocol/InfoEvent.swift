import Foundation

public struct InfoEvent: Codable, Sendable, Equatable {
    public var message: String?
    public var code: String?
    public var userId: UUID?
    public var replicaId: String?
    /// Seconds to wait before trying again (an `error` with code `rate_limited`).
    public var retryAfter: Int?
    /// When the connection's access token expires (`ready` and `authenticated`).
    public var expiresAt: Date?
    public init(message: String? = nil, code: String? = nil, userId: UUID? = nil, replicaId: String? = nil) {
        self.message = message
        self.code = code
        self.userId = userId
        self.replicaId = replicaId
    }
}
