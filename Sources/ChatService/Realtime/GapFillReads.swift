import Foundation
import Metrics
import ServiceKit
import Synchronization
import ChatProtocol

/// The history reads that fill gaps in live delivery, shared: when several
/// listeners of one replica miss the same messages at once, they wait for one
/// query instead of each sending its own. Counted, so a dashboard (and the
/// tests) can see how many reads fan-out really costs.
final class GapFillReads: Sendable {
    private struct Key: Hashable {
        var room: UUID
        var after: Int64
        var through: Int64?
        var limit: Int
    }

    private let messages: MessageStore
    private let inFlight = Mutex<[Key: Task<[ChatMessage], any Error>]>([:])
    static let queries = Counter(label: "chat_gap_fill_queries_total")

    init(messages: MessageStore) {
        self.messages = messages
    }

    /// The stored messages of `room` after `seq` (up to `through`, if given), at most `limit`, in seq order.
    func after(room: UUID, seq: Int64, through: Int64? = nil, limit: Int) async throws -> [ChatMessage] {
        let key = Key(room: room, after: seq, through: through, limit: limit)
        let messages = self.messages
        let (task, owner) = inFlight.withLock { running -> (Task<[ChatMessage], any Error>, Bool) in
            if let shared = running[key] { return (shared, false) }
            let task = Task { try await messages.after(roomId: room, seq: seq, through: through, limit: limit) }
            running[key] = task
            return (task, true)
        }
        guard owner else { return try await task.value }
        Self.queries.increment()
        defer { _ = inFlight.withLock { $0.removeValue(forKey: key) } }
        return try await task.value
    }
}
