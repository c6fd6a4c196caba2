/// How much of a room reaches one person (their choice, per room): what notifies them and what
/// counts in their unread badge.
/// - `default`: a direct room notifies for every message, a group for mentions of them and
///   replies to them; every unread message counts.
/// - `all`: every message notifies and counts.
/// - `mentions`: only mentions of them and replies to them notify (every message in a direct
///   room is addressed to them); only unread mentions count.
/// - `none`: muted — nothing notifies, nothing counts.
public enum NotificationLevel: String, Codable, Sendable, CaseIterable {
    case `default`, all, mentions, none
}
