/// A participant's role in a room, with the rules that follow from it.
/// Stored and sent as its raw value (`owner`, `admin`, `member`).
enum RoomRole: String, Sendable, CaseIterable {
    case owner, admin, member

    /// Owners and admins run a group: rename it, add and remove people.
    var managesGroup: Bool { self == .owner || self == .admin }

    /// Only owners hand out roles, add owners and delete a group.
    var isOwner: Bool { self == .owner }

    /// Whether this role may remove someone holding `other` from a group: managers may, but an admin never removes an owner.
    func mayRemove(_ other: RoomRole?) -> Bool { managesGroup && !(self == .admin && other == .owner) }
}
