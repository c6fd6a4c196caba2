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

/// `POST /internal/users/by-username`: the users behind `@mentions` (case-insensitive), in one call.
public struct UsernameLookupRequest: Codable, Sendable, StrictDecodable {
    public static let fields: Set<String> = ["usernames"]
    public var usernames: [String]
    public init(usernames: [String]) { self.usernames = usernames }
}

public struct UsernameLookupResponse: Codable, Sendable {
    /// The users found, without presence.
    public var users: [PublicProfile]
    /// The names (as asked) that no user has.
    public var missing: [String]
    public init(users: [PublicProfile], missing: [String]) {
        self.users = users
        self.missing = missing
    }
}
