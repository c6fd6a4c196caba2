import Foundation
import Logging
import ServiceKit
import ServiceLifecycle
import Synchronization
import Tracing
import ChatProtocol

/// Group commit per room. Sends queue by room; a room whose previous commit is
/// still in flight gathers what arrives meanwhile, and its next commit stores
/// all of it in one statement (`MessageStore.sendBatch`): one round trip, one
/// fsync. Different rooms commit in parallel, one worker each, up to the
/// worker count. A lone send goes at once; no timer adds latency. Each room
/// has at most one commit in flight, and its sends are taken in arrival order,
/// so a room's seqs follow the order its sends arrived in. After each commit
/// `published` hands the new messages on (to Redis, in seq order) before the
/// senders are answered and before the room's next commit starts: one ordered
/// path per room from commit to fan-out. A repeat (a client message id already
/// stored: a retry after a lost answer) is handed on again beside them, since the
/// first try may have committed on a replica that died before it published;
/// listeners that have it already skip it by its seq.
final class SendBatcher: Service, Sendable {
    /// `created`: stored by this commit; `repeated`: found stored under their client message ids.
    /// `traceParents`: the publishing span of each traced send (by message id), to carry on to the replicas that deliver it.
    typealias Published =
        @Sendable (_ roomId: UUID, _ created: [ChatMessage], _ repeated: [ChatMessage], _ traceParents: [UUID: String]) async -> Void
    typealias Outcome = (ChatMessage, created: Bool)

    private struct Pending: Sendable {
        var request: MessageStore.SendRequest
        var continuation: CheckedContinuation<Outcome, any Error>
        /// The sender's request span, when the send is traced: its commit and publish become its children.
        var trace: ServiceContext?
    }

    private struct State {
        var queue = SendQueue<Pending>()
        var idleWorkers: [CheckedContinuation<Void, Never>] = []
    }

    private let store: MessageStore
    private let published: Published
    private let workers: Int
    private let maxBatch: Int
    private let logger: Logger
    private let state = Mutex(State())

    init(store: MessageStore, workers: Int, maxBatch: Int = 256, logger: Logger, published: @escaping Published) {
        self.store = store
        self.published = published
        self.workers = max(1, workers)
        self.maxBatch = max(1, maxBatch)
        self.logger = logger
    }

    /// Stores one message (or finds the one already stored under its client message id).
    func send(_ request: MessageStore.SendRequest) async throws -> Outcome {
        let trace = ServiceContext.current.flatMap { TraceParent.of($0) == nil ? nil : $0 }
        return try await withCheckedThrowingContinuation { continuation in
            let (accepted, worker) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                switch state.queue.enqueue(Pending(request: request, continuation: continuation, trace: trace), room: request.roomId) {
                case .refused: return (false, nil)
                case let .queued(roomBecameReady): return (true, roomBecameReady ? state.idleWorkers.popLast() : nil)
                }
            }
            if !accepted { continuation.resume(throwing: ChatError.shuttingDown) }
            worker?.resume()
        }
    }

    func run() async throws {
        await withDiscardingTaskGroup { group in
            for _ in 0..<workers {
                group.addTask { await self.work() }
            }
            group.addTask {
                try? await gracefulShutdown()
                self.stop()
            }
        }
    }

    private enum Next {
        case batch(UUID, [Pending])
        case wait
        case finish
    }

    private func work() async {
        while true {
            let next = state.withLock { state -> Next in
                guard let (roomId, batch) = state.queue.nextBatch(limit: maxBatch) else { return state.queue.isDrained ? .finish : .wait }
                return .batch(roomId, batch)
            }
            switch next {
            case .finish:
                return
            case .wait:
                await withCheckedContinuation { continuation in
                    let wake = state.withLock { state -> Bool in
                        if state.queue.hasReady || state.queue.isDrained { return true }
                        state.idleWorkers.append(continuation)
                        return false
                    }
                    if wake { continuation.resume() }
                }
            case let .batch(roomId, batch):
                await commit(roomId, batch)
                let wake = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                    if state.queue.finish(roomId), let worker = state.idleWorkers.popLast() { return [worker] }
                    // The last commit of a stopping batcher: let waiting workers see that they may end.
                    if state.queue.isDrained {
                        defer { state.idleWorkers = [] }
                        return state.idleWorkers
                    }
                    return []
                }
                for worker in wake { worker.resume() }
            }
        }
    }

    private func commit(_ roomId: UUID, _ batch: [Pending]) async {
        // A traced send's commit is a span (the batch's statement, shared with whatever else it carried).
        let commits = batch.map { pending in
            pending.trace.map { startSpan("commit", context: $0, ofKind: .client) }
        }
        let outcomes = await store.sendBatch(roomId: roomId, batch.map(\.request))
        let created = outcomes.compactMap { outcome -> ChatMessage? in
            if case let .success((message, true)) = outcome { return message } else { return nil }
        }
        let repeated = outcomes.compactMap { outcome -> ChatMessage? in
            if case let .success((message, false)) = outcome { return message } else { return nil }
        }
        var publishes: [any Span] = []
        var traceParents: [UUID: String] = [:]
        for (span, outcome) in zip(commits, outcomes) {
            guard let span else { continue }
            span.attributes["chat.batch_size"] = batch.count
            span.end()
            guard case let .success((message, true)) = outcome else { continue }
            let publish = startSpan("publish", context: span.context, ofKind: .producer)
            publish.attributes["chat.seq"] = Int(message.seq)
            if let parent = TraceParent.of(publish.context) { traceParents[message.id] = parent }
            publishes.append(publish)
        }
        if !created.isEmpty || !repeated.isEmpty { await published(roomId, created, repeated, traceParents) }
        for span in publishes { span.end() }
        for (pending, outcome) in zip(batch, outcomes) {
            pending.continuation.resume(with: outcome)
        }
        ChatMetrics.sendBatchSize.record(batch.count)
        // A refused send (room_not_found: not a participant) is the sender's answer, not a fault.
        let faults = outcomes.compactMap { outcome -> (any Error)? in
            if case let .failure(error) = outcome, (error as? ChatError) != .roomNotFound { return error } else { return nil }
        }
        if let first = faults.first {
            logger.warning(
                "sends failed", metadata: ["room": "\(roomId)", "failed": "\(faults.count) of \(batch.count)", "error": "\(first)"])
        }
    }

    /// Stops taking sends; workers finish what is queued, then end.
    private func stop() {
        let idle = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.queue.stop()
            defer { state.idleWorkers = [] }
            return state.idleWorkers
        }
        for worker in idle { worker.resume() }
    }
}
