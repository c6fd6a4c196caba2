import Foundation

/// The group-commit queue's rules, as a value with no I/O: sends wait per room
/// in arrival order; a room is *ready* when it has sends waiting and no commit
/// in flight; a worker takes the oldest ready room's sends (up to a batch) and
/// the room stays in flight until that commit finishes, so each room has at
/// most one commit at a time and its seqs follow arrival order. `SendBatcher`
/// drives it: it holds it under a lock, commits, and wakes workers.
struct SendQueue<Item: Sendable>: Sendable {
    enum Enqueued: Equatable {
        /// Stopped: the send is refused.
        case refused
        /// Queued; `roomBecameReady` when a worker should be woken for it.
        case queued(roomBecameReady: Bool)
    }

    private(set) var waiting: [UUID: [Item]] = [:]
    /// Rooms with sends waiting and no commit in flight, in the order they became ready.
    private(set) var ready: [UUID] = []
    private(set) var inFlight: Set<UUID> = []
    private(set) var stopped = false

    mutating func enqueue(_ item: Item, room: UUID) -> Enqueued {
        guard !stopped else { return .refused }
        waiting[room, default: []].append(item)
        return .queued(roomBecameReady: markReady(room))
    }

    /// The oldest ready room and its first `limit` sends; the room is in flight until `finish`.
    mutating func nextBatch(limit: Int) -> (room: UUID, items: [Item])? {
        guard !ready.isEmpty else { return nil }
        let room = ready.removeFirst()
        var queue = waiting.removeValue(forKey: room) ?? []
        let batch = Array(queue.prefix(max(1, limit)))
        queue.removeFirst(batch.count)
        if !queue.isEmpty { waiting[room] = queue }
        inFlight.insert(room)
        return (room, batch)
    }

    /// The room's commit finished; true when it is ready again (more arrived meanwhile).
    mutating func finish(_ room: UUID) -> Bool {
        inFlight.remove(room)
        return waiting[room] != nil && markReady(room)
    }

    /// No more sends are taken; what is queued still goes.
    mutating func stop() { stopped = true }

    var hasReady: Bool { !ready.isEmpty }
    /// Stopped, and nothing waits or runs: workers may end.
    var isDrained: Bool { stopped && inFlight.isEmpty && ready.isEmpty }

    private mutating func markReady(_ room: UUID) -> Bool {
        guard !inFlight.contains(room), !ready.contains(room) else { return false }
        ready.append(room)
        return true
    }
}
