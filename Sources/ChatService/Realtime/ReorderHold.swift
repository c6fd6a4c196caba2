import Foundation
import NIOCore
import ChatProtocol

/// Puts a room's events back in seq order on one replica when two replicas'
/// publishes cross on the way through Redis: replica A commits seq 10, B
/// commits 11 a moment later but publishes first. Without this, every listener
/// here would see a gap at 11 and the replica would read 10 from PostgreSQL,
/// then drop A's 10 when it arrives. So an event that comes early is held,
/// with everything after it in that room, until the missing messages arrive
/// (usually within a millisecond), or until the wait runs out (a publish that
/// failed): then all of it is routed and the listeners fill the gap from
/// PostgreSQL as before. The rules only; the gateway routes and keeps time.
struct ReorderHold {
    struct Item {
        var header: RoutingHeader
        var frame: ByteBuffer
    }

    private struct Waiting {
        var since: ContinuousClock.Instant
        var items: [Item]
    }

    private var waiting: [UUID: Waiting] = [:]

    /// Rooms holding events now.
    var heldRooms: Int { waiting.count }

    /// What to route now, in order, for an event of `room` that just arrived;
    /// `routed` is the newest message seq routed in the room here (nil: none yet,
    /// so nothing is awaited). An empty answer with `startedWaiting` means the
    /// room began to wait at `now`.
    mutating func arrive(_ item: Item, room: UUID, routed: Int64?, now: ContinuousClock.Instant) -> (
        route: [Item], startedWaiting: Bool
    ) {
        if var held = waiting[room] {
            held.items.append(item)
            if Self.isComplete(held.items, after: routed) {
                waiting[room] = nil
                return (Self.ordered(held.items), false)
            }
            waiting[room] = held
            return ([], false)
        }
        guard let seq = Self.messageSeq(item), let routed, seq > routed + 1 else { return ([item], false) }
        waiting[room] = Waiting(since: now, items: [item])
        return ([], true)
    }

    /// Every room that began waiting at or before `deadline`, with what it held, in order.
    mutating func expire(waitingSince deadline: ContinuousClock.Instant) -> [(room: UUID, route: [Item])] {
        let due = waiting.filter { $0.value.since <= deadline }
        for room in due.keys { waiting[room] = nil }
        return due.map { ($0.key, Self.ordered($0.value.items)) }
    }

    private static func messageSeq(_ item: Item) -> Int64? {
        item.header.type == .messageCreated ? item.header.seq : nil
    }

    /// True when the held messages newer than `routed` run on from it with no seq missing.
    private static func isComplete(_ items: [Item], after routed: Int64?) -> Bool {
        guard let routed else { return true }
        let seqs = Set(items.compactMap(messageSeq).filter { $0 > routed })
        guard let highest = seqs.max() else { return true }
        return Int64(seqs.count) == highest - routed
    }

    /// The held messages in seq order, then the other events as they came: anything about a
    /// message (a reaction, an edit) comes after the message itself.
    private static func ordered(_ items: [Item]) -> [Item] {
        let messages = items.filter { messageSeq($0) != nil }.sorted { (messageSeq($0) ?? 0) < (messageSeq($1) ?? 0) }
        return messages + items.filter { messageSeq($0) == nil }
    }
}
