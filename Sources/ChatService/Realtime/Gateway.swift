import Foundation
import Tracing
import Logging
import Metrics
import NIOCore
import ServiceKit
import ServiceLifecycle
import Synchronization
import Redis
import ChatProtocol
import ServiceAuth

/// The fan-out hub of one replica. Events are published to Redis after commit,
/// one channel per room (`chat:room:<id>`) plus one per user for membership
/// changes (`chat:user:<id>`); this replica subscribes to exactly the channels
/// its connected clients need and drops them when the last listener leaves.
///
/// When Redis cannot carry events (the subscriber is disconnected, or a
/// publish failed moments ago), messages still arrive live: the replica polls
/// PostgreSQL for the rooms its clients listen to (one query for all of them,
/// every `degradedPollInterval`) and routes what is new, as a gap fill does.
/// Clients drop what they already have by seq, so switching to and from this
/// path neither loses nor repeats a message.
final class Gateway: Sendable {
    private struct State {
        var connections: [UUID: ClientConnection] = [:]
        /// Who listens to which room, and how far each room was routed (the rules; no I/O).
        var registry = ListenerRegistry()
        /// When publishing to Redis last failed.
        var lastPublishFailure: ContinuousClock.Instant?
    }

    /// How long a room's early events wait for the messages before them (ReorderHold).
    static let reorderWait: Duration = .milliseconds(10)

    let replicaId: String
    /// Signed-out sessions: re-checked with memberships, so a lost `session.revoked` ends its sockets within the same bound.
    let revocations: (any SessionRevocationList)?
    private let redis: RedisClient
    private let subscriber: RedisSubscriber
    private let gapFills: GapFillReads
    /// Membership as PostgreSQL has it, read again when notifications may have been lost.
    private let rooms: RoomStore
    /// New messages for the degraded path, read from PostgreSQL.
    private let messages: MessageStore
    private let degradedPollInterval: Duration
    /// How often every connected person's rooms are read again, so a removal whose
    /// `participant.removed` was lost stops delivery within this bound.
    private let membershipRecheckInterval: Duration
    private let degraded = Atomic<Bool>(false)
    private let state = Mutex(State())
    /// Events of rooms that came before the messages preceding them; routing from Redis
    /// and releasing what waited too long both happen under this lock, so in order.
    private let reorder = Mutex(ReorderHold())
    /// When each wait began, for the task that ends waits (`releaseLateWaits`).
    private let waitsStarted: AsyncStream<ContinuousClock.Instant>
    private let waitsStartedInput: AsyncStream<ContinuousClock.Instant>.Continuation
    private let reorderedCounter = Counter(label: "chat_reorder_waits_total")
    private let logger: Logger
    private let connectionsGauge = Gauge(label: "ws_connections")
    private let deliveredCounter = Counter(label: "ws_events_delivered_total")
    private let publishFailures = Counter(label: "redis_publish_failures_total")
    private let degradedGauge = Gauge(label: "chat_delivery_degraded")
    private let degradedPolls = Counter(label: "chat_degraded_polls_total")
    /// Profile changes heard on the profiles channel, passed on by `forwardProfileChanges`.
    private let profileChanges: AsyncStream<(PublicProfile, ByteBuffer)>
    private let profileChangesInput: AsyncStream<(PublicProfile, ByteBuffer)>.Continuation

    init(
        replicaId: String, redis: RedisClient, subscriber: RedisSubscriber, gapFills: GapFillReads, rooms: RoomStore,
        messages: MessageStore, degradedPollInterval: Duration = .milliseconds(250),
        membershipRecheckInterval: Duration = .seconds(30), revocations: (any SessionRevocationList)? = nil, logger: Logger
    ) {
        self.replicaId = replicaId
        self.revocations = revocations
        self.redis = redis
        self.subscriber = subscriber
        self.gapFills = gapFills
        self.rooms = rooms
        self.messages = messages
        self.degradedPollInterval = degradedPollInterval
        self.membershipRecheckInterval = membershipRecheckInterval
        self.logger = logger
        (profileChanges, profileChangesInput) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1000))
        (waitsStarted, waitsStartedInput) = AsyncStream.makeStream()
        degradedGauge.record(0)
    }

    /// True while live delivery runs through PostgreSQL because Redis cannot carry it.
    var isDegraded: Bool { degraded.load(ordering: .relaxed) }

    static func roomChannel(_ id: UUID) -> String { RealtimeChannel.room(id) }
    static func userChannel(_ id: UUID) -> String { RealtimeChannel.user(id) }

    var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Every socket open here, as the presence registry names them (`<replica>:<connection>`).
    func liveSockets() -> [(user: UUID, socket: String)] {
        state.withLock { state in state.connections.values.map { ($0.userId, socketName($0)) } }
    }

    func socketName(_ connection: ClientConnection) -> String { replicaId + ":" + connection.id.uuidString.lowercased() }

    /// How many WebSockets `user` has open on this replica.
    func connectionCount(of user: UUID) -> Int { state.withLock { $0.registry.connections(of: user).count } }

    /// What registering a connection found.
    enum Registration: Equatable {
        /// Registered; `first` when it is the user's first connection on this replica.
        case registered(first: Bool)
        /// The user already has `limit` connections here: this one is refused.
        case overLimit
    }

    /// Registers a connection unless its user already has `limit` open here, and
    /// returns once Redis has confirmed the subscriptions the connection needs.
    func register(_ connection: ClientConnection, limit: Int = .max) async -> Registration {
        var channels: [String] = []
        let admitted = state.withLock { state -> Bool? in
            guard let change = state.registry.register(connection.id, of: connection.userId, rooms: connection.rooms, limit: limit) else {
                return nil
            }
            state.connections[connection.id] = connection
            channels = change.newRooms.map(Self.roomChannel)
            if change.firstOfPerson { channels.append(Self.userChannel(connection.userId)) }
            return change.firstOfPerson
        }
        guard let first = admitted else { return .overLimit }
        // Channels already held by other connections count as confirmed at once.
        await subscriber.subscribeConfirmed(channels + connection.rooms.map(Self.roomChannel))
        connectionsGauge.record(connectionCount)
        return .registered(first: first)
    }

    /// Returns true when that was the user's last connection on this replica.
    @discardableResult
    func unregister(_ connection: ClientConnection) -> Bool {
        var channels: [String] = []
        let last = state.withLock { state -> Bool in
            state.connections[connection.id] = nil
            let change = state.registry.unregister(connection.id, of: connection.userId, rooms: connection.rooms)
            channels = change.emptiedRooms.map(Self.roomChannel)
            if change.lastOfPerson { channels.append(Self.userChannel(connection.userId)) }
            return change.lastOfPerson
        }
        channels.forEach(subscriber.unsubscribe)
        connection.finish()
        connectionsGauge.record(connectionCount)
        return last
    }

    private func listen(_ connectionId: UUID, to room: UUID) {
        let subscribe = state.withLock { state -> Bool in
            guard let connection = state.connections[connectionId] else { return false }
            connection.join(room)
            return state.registry.listen(connectionId, to: room)
        }
        if subscribe { subscriber.subscribe(Self.roomChannel(room)) }
    }

    private func stopListening(_ connectionId: UUID, to room: UUID) {
        let unsubscribe = state.withLock { state -> Bool in
            state.connections[connectionId]?.leave(room)
            return state.registry.stopListening(connectionId, to: room)
        }
        if unsubscribe { subscriber.unsubscribe(Self.roomChannel(room)) }
    }

    /// Makes a connection hear exactly `current` (its rooms as PostgreSQL has them
    /// now): rooms it was removed from are dropped, rooms it joined are added.
    func reconcile(_ connection: ClientConnection, rooms current: Set<UUID>) async {
        let heard = connection.rooms
        for room in heard.subtracting(current) { stopListening(connection.id, to: room) }
        let joined = current.subtracting(heard)
        for room in joined { listen(connection.id, to: room) }
        if !joined.isEmpty { await subscriber.subscribeConfirmed(joined.map(Self.roomChannel)) }
    }

    /// Stops a connection hearing a room it turned out not to be in.
    func reconcile(_ connection: ClientConnection, dropping room: UUID) {
        stopListening(connection.id, to: room)
    }

    /// Every `membershipRecheckInterval`, what each connection hears is held against
    /// PostgreSQL: the delivery path (Redis and the degraded poll alike) then serves
    /// no one a room they were removed from, even if the removal's event was lost.
    private func recheckMemberships() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: membershipRecheckInterval) } catch { return }
            await reconcileAll()
        }
    }

    /// Every connected person's rooms read again in one query (after Redis came back,
    /// and every `membershipRecheckInterval`).
    private func reconcileAll() async {
        let connections = state.withLock { Array($0.connections.values) }
        guard !connections.isEmpty else { return }
        do {
            let memberships = try await rooms.roomIds(of: Array(Set(connections.map(\.userId))))
            for connection in connections {
                await reconcile(connection, rooms: memberships[connection.userId] ?? [])
            }
            if let revocations {
                for session in Set(connections.compactMap(\.sessionId)) where await revocations.isRevoked(session: session) {
                    for connection in connections where connection.sessionId == session { connection.enqueue(.revoked) }
                }
            }
        } catch {
            logger.warning("could not re-read memberships after Redis came back", metadata: ["error": "\(error)"])
        }
    }

    // MARK: publishing (after commit)

    /// Publishes to a room's channel. A failure is logged, not thrown: the data is
    /// committed, and clients catch up from PostgreSQL when they resume.
    func publish(_ event: ChatEvent, toRoom room: UUID) async {
        await publish([event], channel: Self.roomChannel(room))
    }

    /// The one path for newly committed messages: counted once (people's messages, not the
    /// system's records), then published in seq order, in one round trip, on the Redis
    /// connection this room always uses — so one room's events reach Redis in order, and
    /// listeners see no gap they must fill from PostgreSQL. Called after the commit.
    /// `traceParents`: for a traced send, its publishing span's `traceparent`, carried in the envelope.
    /// `repeated`: sends found already stored (retries), published again but not counted again.
    func announceCreated(
        _ messages: [ChatMessage], repeated: [ChatMessage] = [], inRoom room: UUID, traceParents: [UUID: String] = [:]
    ) async {
        let sent = messages.filter { $0.messageType != .system }.count
        if sent > 0 { ChatMetrics.messagesSent.increment(by: sent) }
        let ordered = (messages + repeated).sorted { $0.seq < $1.seq }
        await publish(
            ordered.map(ChatEvent.messageCreated), channel: Self.roomChannel(room),
            traceParents: traceParents.isEmpty ? [] : ordered.map { traceParents[$0.id] })
    }

    func publish(_ event: ChatEvent, toUser user: UUID) async {
        await publish([event], channel: Self.userChannel(user))
    }

    /// On the channel's own connection, so a room's events keep their order on the way to Redis.
    private func publish(_ events: [ChatEvent], channel: String, traceParents: [String?] = []) async {
        do {
            // Each with its routing header, so replicas route it without decoding it.
            let payloads = try events.enumerated().map { index, event in
                let traceParent = index < traceParents.count ? traceParents[index] : nil
                return (
                    channel: channel,
                    payload: RoutingHeader.envelope(event, json: Array(try JSONCoding.encoder.encode(event)), traceParent: traceParent)
                )
            }
            try await redis.publishInOrder(payloads, orderKey: channel)
        } catch {
            publishFailures.increment()
            state.withLock { $0.lastPublishFailure = .now }
            // Once degraded, every send would fail the same way: said once, on the switch.
            if !isDegraded {
                logger.warning("publish failed; delivery switches to PostgreSQL", metadata: ["channel": "\(channel)", "error": "\(error)"])
            }
        }
    }

    // MARK: delivering

    /// Routes what the subscriber hears to the connections that listen.
    func routeEvents() async {
        for await event in subscriber.events {
            switch event {
            case let .message(channel, payload):
                deliver(channel: channel, payload: payload)
            case .reconnected:
                let all = state.withLock { Array($0.connections.values) }
                logger.info("redis is back; resyncing connections", metadata: ["connections": "\(all.count)"])
                for connection in all { connection.enqueue(.resync) }
                await reconcileAll()
                await refillRooms()
            }
        }
    }

    private func deliver(channel: String, payload: [UInt8]) {
        let split = RoutingHeader.split(payload)
        // A room's events are routed by their header alone; the JSON after it is each listener's frame as it is.
        if let (header, jsonStart) = split, channel.hasPrefix(RealtimeChannel.roomPrefix) {
            guard let room = header.roomId else { return }
            routeInOrder(ReorderHold.Item(header: header, frame: ByteBuffer(bytes: payload[jsonStart...])), toRoom: room)
            return
        }
        // A person's events and profile changes (rare, and acted on here), and events without a
        // header (user-service publishes plain JSON), are read in full.
        let json = split.map { Array(payload[$0.jsonStart...]) } ?? payload
        guard let event = try? JSONCoding.decoder.decode(ChatEvent.self, from: Data(json)) else {
            logger.warning("ignoring an unreadable event", metadata: ["channel": "\(channel)"])
            return
        }
        let frame = ByteBuffer(bytes: json)
        if channel == RealtimeChannel.profiles {
            if event.type == .userUpdated, case let .profile(profile)? = event.data { profileChangesInput.yield((profile, frame)) }
            return
        }
        if let user = RealtimeChannel.userId(ofChannel: channel) {
            let targets = state.withLock { state in state.registry.connections(of: user).compactMap { state.connections[$0] } }
            if event.type == .sessionRevoked {
                // Sockets of that login end; a revocation without a session id ends all of the person's.
                guard case let .user(revoked)? = event.data else { return }
                let sessionId = revoked.sessionId
                for connection in targets where sessionId == nil || connection.sessionId == sessionId {
                    connection.enqueue(.revoked)
                }
                return
            }
            for connection in targets {
                if let room = event.roomId {
                    if event.type == .participantAdded { listen(connection.id, to: room) }
                    if event.type == .participantRemoved { stopListening(connection.id, to: room) }
                }
                connection.enqueue(.event(RoutingHeader(of: event), frame: frame))
            }
            deliveredCounter.increment(by: targets.count)
            return
        }
        guard let room = event.roomId else { return }
        route(RoutingHeader(of: event), frame: frame, toRoom: room)
    }

    /// Routes a room's event from Redis, unless messages before it are still on their way:
    /// then it waits for them, at most `reorderWait` (ReorderHold).
    private func routeInOrder(_ item: ReorderHold.Item, toRoom room: UUID) {
        reorder.withLock { hold in
            let now = ContinuousClock.now
            let routed = state.withLock { $0.registry.routed[room] }
            let (ready, started) = hold.arrive(item, room: room, routed: routed, now: now)
            if started {
                reorderedCounter.increment()
                waitsStartedInput.yield(now)
            }
            for item in ready { route(item.header, frame: item.frame, toRoom: room) }
        }
    }

    /// Ends each wait `reorderWait` after it began, if the missing messages never came
    /// (their publish failed): what waited is routed, and listeners fill the gap from PostgreSQL.
    private func releaseLateWaits() async {
        for await started in waitsStarted {
            let deadline = started + Self.reorderWait
            do { try await Task.sleep(until: deadline) } catch { return }
            reorder.withLock { hold in
                for (room, items) in hold.expire(waitingSince: started) {
                    for item in items { route(item.header, frame: item.frame, toRoom: room) }
                }
            }
        }
    }

    /// How many of a traced message's socket writes on one replica are spans of their own.
    static let tracedWritesPerRoute = 8

    private func route(_ header: RoutingHeader, frame: ByteBuffer, toRoom room: UUID) {
        var header = header
        // A traced send continues here: this replica's routing is a span, and each socket's write its child.
        let span = header.traceParent.map { startSpan("route", context: TraceParent.context($0), ofKind: .consumer) }
        defer { span?.end() }
        if let span { header.traceParent = TraceParent.of(span.context) }
        let targets = state.withLock { state -> [ClientConnection] in
            if header.type == .messageCreated, let seq = header.seq { state.registry.routedMessage(seq, in: room) }
            return state.registry.listeners(of: room).compactMap { state.connections[$0] }
        }
        span?.attributes["chat.replica"] = replicaId
        span?.attributes["chat.listeners"] = targets.count
        if span != nil && targets.count > Self.tracedWritesPerRoute {
            // A room of thousands would be thousands of spans: the first writes show the hop, the count says the rest.
            var untraced = header
            untraced.traceParent = nil
            for (index, connection) in targets.enumerated() {
                connection.enqueue(.event(index < Self.tracedWritesPerRoute ? header : untraced, frame: frame))
            }
        } else {
            for connection in targets { connection.enqueue(.event(header, frame: frame)) }
        }
        deliveredCounter.increment(by: targets.count)
    }

    /// Passes each profile change to the sockets here of the person and of
    /// everyone who shares a live room with them (one membership read per change,
    /// only when this replica has sockets).
    private func forwardProfileChanges() async {
        for await (profile, frame) in profileChanges {
            guard connectionCount > 0 else { continue }
            do {
                let roomsOfUser = Set(try await rooms.roomIds(for: profile.id))
                let targets = state.withLock { state -> [ClientConnection] in
                    var ids = state.registry.connections(of: profile.id)
                    for room in roomsOfUser { ids.formUnion(state.registry.listeners(of: room)) }
                    return ids.compactMap { state.connections[$0] }
                }
                let event = ChatEvent(type: .userUpdated, data: .profile(profile))
                for connection in targets { connection.enqueue(.event(RoutingHeader(of: event), frame: frame)) }
                deliveredCounter.increment(by: targets.count)
            } catch {
                logger.warning("could not pass on a profile change", metadata: ["error": "\(error)"])
            }
        }
    }

    /// After Redis came back, notifications sent while it was away are lost:
    /// each room with listeners here is read once from PostgreSQL, from the
    /// newest message routed (or the earliest point a listener started at), and
    /// what is found is routed like live events — one read per room for all
    /// its listeners, who drop what they already have.
    private func refillRooms() async {
        for (room, from) in positions() {
            var position = from
            do {
                while true {
                    let batch = try await gapFills.after(room: room, seq: position, limit: 500)
                    for message in batch {
                        let event = ChatEvent.messageCreated(message)
                        route(RoutingHeader(of: event), frame: ByteBuffer(bytes: try JSONCoding.encoder.encode(event)), toRoom: room)
                        position = message.seq
                    }
                    if batch.count < 500 { break }
                }
            } catch {
                logger.warning(
                    "could not refill a room after Redis came back; its clients catch up on resume",
                    metadata: ["room": "\(room)", "error": "\(error)"])
            }
        }
    }
}

extension Gateway {
    /// Where each room with listeners here stands: the newest message routed,
    /// or else the earliest point one of its listeners started at.
    private func positions() -> [(room: UUID, seq: Int64)] {
        state.withLock { state in
            state.registry.roomListeners.compactMap { room, listeners in
                if let routed = state.registry.routed[room] { return (room, routed) }
                let starts = listeners.compactMap { state.connections[$0]?.startingPosition(in: room) }
                return starts.min().map { (room, $0) }
            }
        }
    }

    /// Redis cannot carry events when the subscriber is not connected, or when a
    /// publish failed within the last two seconds (a publish can notice first).
    private var redisIsAway: Bool {
        guard subscriber.isConnected else { return true }
        let failed = state.withLock { $0.lastPublishFailure }
        return failed.map { ContinuousClock.now - $0 < .seconds(2) } ?? false
    }

    /// Every `degradedPollInterval`: while Redis is away, the rooms listened to
    /// here are read from PostgreSQL and what is new is routed; once more after
    /// Redis is back, for what committed while the switch was being made.
    func deliverWhileRedisIsAway() async {
        var wasAway = false
        while true {
            do { try await Task.sleep(for: degradedPollInterval) } catch { return }
            let away = redisIsAway
            if away != wasAway {
                degraded.store(away, ordering: .relaxed)
                degradedGauge.record(away ? 1 : 0)
                if away {
                    logger.warning(
                        "redis cannot carry events; delivering through PostgreSQL",
                        metadata: ["poll_ms": "\(Int(degradedPollInterval / .milliseconds(1)))"])
                } else {
                    logger.info("redis carries events again; PostgreSQL polling stops")
                }
            }
            if away || wasAway { await pollRooms() }
            wasAway = away
        }
    }

    /// One read of every listened room's new messages, routed like live events.
    private func pollRooms() async {
        let plan = positions()
        guard !plan.isEmpty else { return }
        degradedPolls.increment()
        do {
            let found = try await messages.after(positions: plan, limit: 2000)
            for message in found {
                let event = ChatEvent.messageCreated(message)
                route(RoutingHeader(of: event), frame: ByteBuffer(bytes: try JSONCoding.encoder.encode(event)), toRoom: message.roomId)
            }
        } catch {
            logger.warning("could not poll PostgreSQL for new messages", metadata: ["error": "\(error)"])
        }
    }
}

extension Gateway: Service {
    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.routeEvents() }
            group.addTask { await self.deliverWhileRedisIsAway() }
            group.addTask { await self.forwardProfileChanges() }
            group.addTask { await self.recheckMemberships() }
            group.addTask { await self.releaseLateWaits() }
            self.subscriber.subscribe(RealtimeChannel.profiles)
            try? await gracefulShutdown()
            self.profileChangesInput.finish()
            self.waitsStartedInput.finish()
            group.cancelAll()
        }
    }
}
