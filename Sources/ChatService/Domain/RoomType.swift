/// What kind of room it is. A direct room holds exactly two people who are
/// both plain members: no one renames it, adds to it or removes the other.
enum RoomType: String, Sendable {
    case direct, group

    var isGroup: Bool { self == .group }
}
