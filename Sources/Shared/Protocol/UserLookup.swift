import Foundation

/// `POST /internal/users/lookup`: many ids to public profiles in one call (chat-service uses it).
public struct UserLookupRequest: Codable, Sendable, StrictDecodable {
    public static let fields: Set<String> = ["ids"]
    public var ids: [UUID]
    public init(ids: [UUID]) { self.ids = ids }
}

public struct UserLookupResponse: Codable, Sendable {
    /// The users that exist; ids with no user are listed in `missing`.
    public var users: [PublicProfile]
    public var missing: [UUID]
    public init(users: [PublicProfile], missing: [UUID]) {
        self.users = users
        self.missing = missing
    }
}
