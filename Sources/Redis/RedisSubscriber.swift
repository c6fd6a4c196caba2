import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// What a subscriber hands to its consumer.
public enum RedisSubscriberEvent: Sendable, Equatable {
    /// A message published on a subscribed channel.
    case message(channel: String, payload: [UInt8])
    /// The connection was lost and is back, with every channel subscribed again.
    /// Messages published in between were not seen: consumers fill the gap from
    /// the database (Redis carries notifications, never the only copy).
    case reconnected
}

/// A Redis SUBSCRIBE connection on a dedicated thread (hiredis blocks), which
/// reconnects with back-off and resubscribes to every channel it holds.
///
/// Subscription changes are queued and a self-pipe wakes the thread, so
/// `subscribe`/`unsubscribe` never block the caller.
public final class RedisSubscriber: Sendable {
    private struct State {
        var wanted: Set<String> = []
        var pending: [(subscribe: Bool, channel: String)] = []
        var stopping = false
        var connected = false
        /// Set at the first connection: from then on, not `connected` means an outage.
        var everConnected = false
        /// Channels Redis has confirmed on the current connection.
        var confirmed: Set<String> = []
        var confirmationWaiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    }

    public let endpoint: RedisEndpoint
    /// For `rediss://`: the TLS tunnel the subscription connection goes through.
    private let tunnel: Result<RedisTLSTunnel, any Error>?
    public let events: AsyncStream<RedisSubscriberEvent>
    private let continuation: AsyncStream<RedisSubscriberEvent>.Continuation
    private let state = Mutex(State())
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let logger: Logger
    private let finished = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let hasFinished = Atomic<Bool>(false)

    public init(endpoint: RedisEndpoint, logger: Logger, bufferLimit: Int = 100_000) throws {
        self.endpoint = endpoint
        self.tunnel = endpoint.makeTunnel()
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(of: RedisSubscriberEvent.self, bufferingPolicy: .bufferingOldest(bufferLimit))
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw RedisError(kind: .connection, message: "cannot create wake pipe: errno \(errno)") }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, fcntl(wakeWrite, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Whether the subscriber currently holds a live connection.
    public var isConnected: Bool { state.withLock { $0.connected } }

    /// The channels the subscriber holds (or will hold once connected).
    public var channels: Set<String> { state.withLock { $0.wanted } }

    public func subscribe(_ channel: String) {
        let changed = state.withLock { state in
            guard state.wanted.insert(channel).inserted else { return false }
            state.pending.append((true, channel))
            return true
        }
        if changed { wake() }
    }

    /// Subscribes and returns once Redis has confirmed every channel, so a caller
    /// can promise its client that anything published from now on will arrive.
    /// Gives up waiting after `timeout` (Redis down): the subscription stays queued.
    /// During an outage it does not wait at all: no confirmation can come before
    /// the reconnect, which subscribes every queued channel and says so (`.reconnected`).
    public func subscribeConfirmed(_ channels: [String], timeout: Duration = .seconds(3)) async {
        for channel in channels { subscribe(channel) }
        guard !state.withLock({ $0.everConnected && !$0.connected }) else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for channel in channels { await self.confirmation(of: channel) }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
            self.releaseWaiters(for: channels)
        }
    }

    private func confirmation(of channel: String) async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.confirmed.contains(channel) || !state.wanted.contains(channel) { return true }
                state.confirmationWaiters[channel, default: []].append(waiter)
                return false
            }
            if done { waiter.resume() }
        }
    }

    /// Resumes anyone still waiting on these channels (after a timeout).
    private func releaseWaiters(for channels: [String]) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            channels.flatMap { state.confirmationWaiters.removeValue(forKey: $0) ?? [] }
        }
        waiters.forEach { $0.resume() }
    }

    private func confirmed(_ channel: String) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.confirmed.insert(channel)
            return state.confirmationWaiters.removeValue(forKey: channel) ?? []
        }
        waiters.forEach { $0.resume() }
    }

    public func unsubscribe(_ channel: String) {
        let changed = state.withLock { state in
            guard state.wanted.remove(channel) != nil else { return false }
            state.pending.append((false, channel))
            return true
        }
        if changed { wake() }
    }

    /// Starts the subscriber thread; returns at once.
    public func start() {
        let thread = Thread { [self] in
            self.loop()
            self.continuation.finish()
            self.hasFinished.store(true, ordering: .sequentiallyConsistent)
            let waiter = self.finished.withLock { value -> CheckedContinuation<Void, Never>? in
                defer { value = nil }
                return value
            }
            waiter?.resume()
        }
        thread.name = "redis-subscriber"
        thread.start()
    }

    /// Stops the thread and waits for it to end.
    public func stop() async {
        state.withLock { $0.stopping = true }
        wake()
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let alreadyDone = finished.withLock { value -> Bool in
                if hasFinished.load(ordering: .sequentiallyConsistent) { return true }
                value = waiter
                return false
            }
            if alreadyDone { waiter.resume() }
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    private func loop() {
        var backoff = 0.05
        var everConnected = false
        while !isStopping {
            let connection: RedisConnection
            var initialChannels = 0
            do {
                connection = try RedisConnection(endpoint: endpoint, tunnel: tunnel)
                // Take every wanted channel; queued changes are folded into this snapshot.
                let channels = state.withLock { state -> [String] in
                    state.pending.removeAll()
                    state.confirmed.removeAll()
                    state.connected = true
                    state.everConnected = true
                    return Array(state.wanted)
                }
                initialChannels = channels.count
                if !channels.isEmpty {
                    try connection.append([Array("SUBSCRIBE".utf8)] + channels.map { Array($0.utf8) })
                    try connection.flush()
                }
            } catch {
                state.withLock { $0.connected = false }
                logger.warning("redis subscriber cannot connect", metadata: ["error": "\(error)", "retry_in_s": "\(backoff)"])
                sleepOrWake(seconds: backoff)
                backoff = min(backoff * 2, 2)
                continue
            }
            // After a reconnect, consumers are told only once every channel is confirmed
            // subscribed again, so a gap they fill from the database cannot reopen behind them.
            let announce = everConnected
            everConnected = true
            backoff = 0.05
            do {
                try serve(connection, announceAfter: announce ? initialChannels : nil)
            } catch {
                logger.warning("redis subscriber lost its connection", metadata: ["error": "\(error)"])
            }
            state.withLock { $0.connected = false }
        }
    }

    /// Reads messages and applies subscription changes until the connection fails or stop is asked.
    private func serve(_ connection: RedisConnection, announceAfter confirmations: Int?) throws {
        var awaiting = confirmations
        if awaiting == 0 {
            announceReconnect()
            awaiting = nil
        }
        while !isStopping {
            var descriptors = [
                pollfd(fd: connection.fileDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 2, 1000)
            if ready < 0 {
                if errno == EINTR { continue }
                throw RedisError(kind: .connection, message: "poll failed: errno \(errno)")
            }
            if descriptors[1].revents != 0 {
                drainWakePipe()
                let changes = state.withLock { state -> [(subscribe: Bool, channel: String)] in
                    defer { state.pending.removeAll() }
                    return state.pending
                }
                for change in changes {
                    try connection.append([Array((change.subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE").utf8), Array(change.channel.utf8)])
                }
                if !changes.isEmpty { try connection.flush() }
            }
            if descriptors[0].revents != 0 {
                for reply in try connection.readAvailable() {
                    if let remaining = awaiting, isSubscribeConfirmation(reply) {
                        awaiting = remaining > 1 ? remaining - 1 : nil
                        if awaiting == nil { announceReconnect() }
                    }
                    handle(reply)
                }
            }
        }
    }

    private func announceReconnect() {
        logger.info("redis subscriber reconnected", metadata: ["endpoint": "\(endpoint)"])
        continuation.yield(.reconnected)
    }

    private func isSubscribeConfirmation(_ reply: RedisReply) -> Bool {
        guard case let .array(parts) = reply, let kind = parts.first?.text else { return false }
        return kind == "subscribe"
    }

    private func handle(_ reply: RedisReply) {
        if case let .array(parts) = reply, parts.count == 3, let kind = parts[0].text, let channel = parts[1].text {
            if kind == "subscribe" { confirmed(channel) }
            if kind == "unsubscribe" { _ = state.withLock { $0.confirmed.remove(channel) } }
        }
        guard case let .array(parts) = reply, parts.count == 3, parts[0].text == "message",
            let channel = parts[1].text, case let .string(payload) = parts[2]
        else { return }
        continuation.yield(.message(channel: channel, payload: payload))
    }

    private func sleepOrWake(seconds: Double) {
        var descriptor = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
        _ = poll(&descriptor, 1, Int32(seconds * 1000))
        if descriptor.revents != 0 {
            // Keep queued subscription changes; they are folded in on reconnect.
            drainWakePipe()
        }
    }
}

extension RedisSubscriber: Service {
    public func run() async throws {
        start()
        try? await gracefulShutdown()
        await stop()
    }
}
