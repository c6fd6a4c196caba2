/// Who can find and join a group by themselves: anyone (`public`, listed in the directory) or
/// nobody (`private`: an invitation, or an invite link an owner or admin made).
enum RoomVisibility: String, Sendable, CaseIterable {
    case `public`, `private`
}
