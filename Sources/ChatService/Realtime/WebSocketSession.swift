import Foundation
import Tracing
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOPosix
import NIOWebSocket
import Redis
import ServiceKit
import Synchronization
import ChatProtocol
import ServiceAuth

/// One client's WebSocket: a reader for its commands and a writer that sends
/// every event in order, filling gaps from PostgreSQL so that, per room, the
/// client sees each message exactly once and in seq order.
struct WebSocketSession {
    let identity: Identity
    let verifier: TokenVerifier
    let gateway: Gateway
    let messages: MessageStore
    /// Live gaps are filled through here: one read per replica for listeners that miss the same messages.
    let gapFills: GapFillReads
    let rooms: RoomStore
    /// Asked who has a block with this person (their presence is not passed on).
    let directory: UserDirectory
    /// Where open sockets are counted for presence, across replicas.
    let presence: PresenceRegistry
    let limits: WebSocketLimits
    /// Typing events of one person in one room reach others at most once per window, across replicas.
    let typing: TypingCoalescer
    let logger: Logger

    /// Close code telling the client it fell behind: reconnect and resume.
    static let fellBehind = WebSocketErrorCode.unknown(4000)
    /// Close code for a connection over the per-person limit (the HTTP 429 of a socket).
    static let tooManyConnections = WebSocketErrorCode.unknown(4429)
    /// Close code for a socket whose token expired without a fresh one (`auth`), or whose session was signed out.
    static let tokenExpired = WebSocketErrorCode.unknown(4401)

    /// What opening a socket set up: its connection, registered with the gateway, where each of its rooms
    /// stood, and its name in the presence registry.
    private struct Opened: Sendable {
        let connection: ClientConnection
        let positions: [UUID: Int64]
        let socket: String
    }

    // A socket lives long and mostly idle: this task (the writer) and the reader below only
    // loop, and what goes deep — opening (PostgreSQL, Redis, user-service), each command,
    // each replay or gap fill — runs `inChildTask`, its memory freed when it returns.
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        guard let opened = try await inChildTask({ try await open(outbound) }) else { return }
        let connection = opened.connection
        defer { close(opened) }
        let expiry = SocketExpiry(identity.expiresAt, loop: MultiThreadedEventLoopGroup.singleton.any()) {
            connection.enqueue(.expired)
        }
        expiry.arm()
        defer { expiry.stop() }
        var ready = InfoEvent(userId: identity.userId, replicaId: gateway.replicaId)
        ready.expiresAt = identity.expiresAt
        try await send(ChatEvent(type: .ready, data: .info(ready)), outbound)

        let opening = OpeningResume()
        // The reader is the one child task; this task writes. The reader's end (the client closed)
        // ends the writer's queue; the writer's end (a close it sent, a failed write) cancels the reader.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer {
                    opening.commandHandled()
                    connection.finish()
                }
                try await readLoop(connection, inbound, expiry: expiry, opening: opening)
            }
            try await writeLoop(connection, outbound, starting: opened.positions, opening: opening, expiry: expiry)
            group.cancelAll()
            // When the reader's end ended the queue, its error (a message too large, bad UTF-8) is
            // what hummingbird-websocket closes with (1009, 1007); a reader cancelled here ends quietly.
            do { try await group.next() } catch is CancellationError {}
        }
    }

    /// Registers the socket and finds where each of its rooms stands (nil: refused, and the socket closed).
    private func open(_ outbound: WebSocketOutboundWriter) async throws -> Opened? {
        let roomIds = Set(try await rooms.roomIds(for: identity.userId))
        let connection = ClientConnection(
            userId: identity.userId, sessionId: identity.sessionId, rooms: roomIds, queueLimit: limits.queueLimit)
        await readBlocks(into: connection)
        // Subscriptions are confirmed before `ready`, and each room's position is taken
        // after that: every message committed later reaches this client, live or by gap fill.
        guard case let .registered(firstConnection) = await gateway.register(connection, limit: limits.connectionsPerPerson) else {
            logger.notice("refused a WebSocket over the per-person limit", metadata: ["user_id": "\(identity.userId)"])
            try await outbound.close(Self.tooManyConnections, reason: "too many connections; close one and retry")
            return nil
        }
        // A logout between the handshake's check and this registration sent its `session.revoked`
        // before this socket could hear it: look once more now that it would.
        if await verifier.isSignedOut(identity) {
            gateway.unregister(connection)
            try await outbound.close(Self.tokenExpired, reason: "signed out")
            return nil
        }
        let positions: [UUID: Int64]
        do {
            positions = try await rooms.lastSeqs(Array(roomIds))
        } catch {
            gateway.unregister(connection)
            throw error
        }
        connection.start(at: positions)
        // Online is decided across replicas (the registry in Redis); without Redis, by this replica's sockets.
        let socket = gateway.socketName(connection)
        let firstAnywhere = (try? await presence.opened(user: identity.userId, socket: socket)) ?? firstConnection
        if firstAnywhere {
            await PresenceAnnouncer(gateway: gateway, rooms: rooms).announce(identity.userId, online: true, lastSeenAt: nil, in: roomIds)
        }
        return Opened(connection: connection, positions: positions, socket: socket)
    }

    /// The socket ended: it leaves the gateway, and its person goes offline if this was their last socket anywhere.
    private func close(_ opened: Opened) {
        let lastConnection = gateway.unregister(opened.connection)
        let announcer = PresenceAnnouncer(gateway: gateway, rooms: rooms), presence = self.presence
        let userId = identity.userId, rooms = opened.connection.rooms, socket = opened.socket
        Task {
            let lastAnywhere = (try? await presence.closed(user: userId, socket: socket)) ?? lastConnection
            if lastAnywhere { await announcer.announce(userId, online: false, lastSeenAt: Date(), in: rooms) }
        }
    }

    // MARK: reading

    private func readLoop(
        _ connection: ClientConnection, _ inbound: WebSocketInboundStream, expiry: SocketExpiry, opening: OpeningResume
    )
        async throws
    {
        var budget = CommandBudget(perSecond: limits.commandsPerSecond, burst: limits.commandBurst)
        opening.readerListening()
        for try await message in inbound.messages(maxSize: limits.maxFrameSize) {
            opening.frameArrived()
            defer { opening.commandHandled() }
            switch budget.spend(at: .now) {
            case .allowed:
                break
            case let .refused(retryAfter, tell):
                // One error per window tells the client; the rest are dropped without an answer.
                if tell {
                    connection.enqueue(.reply(Self.error("rate_limited", "Too many commands; slow down.", retryAfter: retryAfter)))
                }
                continue
            }
            guard case let .text(text) = message else {
                connection.enqueue(.reply(Self.error("unsupported_frame", "Send JSON text frames.")))
                continue
            }
            let command: ClientCommand
            do {
                command = try JSONDecoder().decode(ClientCommand.self, from: Data(text.utf8))
            } catch let error as ClientCommand.Malformed {
                connection.enqueue(.reply(Self.error("malformed_command", error.detail)))
                continue
            } catch {
                connection.enqueue(.reply(Self.error("malformed_command", "Commands are JSON like {\"type\":\"ping\"}.")))
                continue
            }
            // Past the token's expiry the writer is closing the socket: nothing more is done for it.
            if expiry.hasPassed { continue }
            await inChildTask { await handle(command, connection, expiry, opening) }
        }
    }

    private func handle(_ command: ClientCommand, _ connection: ClientConnection, _ expiry: SocketExpiry, _ opening: OpeningResume) async {
        switch command.type {
        case .auth:
            guard let token = command.accessToken, !token.isEmpty else {
                connection.enqueue(.reply(Self.error("malformed_command", "auth takes {\"accessToken\":\"…\"}.")))
                return
            }
            do {
                let fresh = try await verifier.verify(token)
                guard fresh.userId == identity.userId else {
                    connection.enqueue(.reply(Self.error("wrong_user", "That token is someone else's; this socket stays as it was.")))
                    return
                }
                expiry.extend(to: fresh.expiresAt)
                var info = InfoEvent(userId: identity.userId)
                info.expiresAt = expiry.value
                connection.enqueue(.reply(ChatEvent(type: .authenticated, data: .info(info))))
            } catch let error as AppError {
                connection.enqueue(.reply(Self.error(error.code, error.detail)))
            } catch {
                connection.enqueue(.reply(Self.error("unavailable", "Could not check that token; try again.")))
            }
        case .ping:
            connection.enqueue(.reply(ChatEvent(type: .pong)))
        case .typing:
            guard let room = command.roomId, connection.isIn(room) else {
                connection.enqueue(.reply(Self.error("room_not_found", "No such room.")))
                return
            }
            // Coalesced: at most one typing event per person and room per window reaches the others.
            guard await typing.shouldAnnounce(user: identity.userId, room: room) else { return }
            await gateway.publish(ChatEvent(type: .typing, roomId: room, data: .user(UserEvent(userId: identity.userId))), toRoom: room)
        case .read:
            guard let room = command.roomId, let messageId = command.messageId, connection.isIn(room) else {
                connection.enqueue(.reply(Self.error("room_not_found", "No such room or message.")))
                return
            }
            do {
                guard let (receipt, _) = try await messages.markRead(roomId: room, userId: identity.userId, messageId: messageId) else {
                    connection.enqueue(.reply(Self.error("message_not_found", "No such message in that room.")))
                    return
                }
                await gateway.publish(ChatEvent(type: .readUpdated, roomId: room, seq: receipt.seq, data: .read(receipt)), toRoom: room)
            } catch {
                connection.enqueue(.reply(Self.error("unavailable", "Could not record the read marker; try again.")))
            }
        case .resume:
            // Membership is read again from PostgreSQL: a removal whose event was missed counts.
            do {
                await gateway.reconcile(connection, rooms: Set(try await rooms.roomIds(for: identity.userId)))
            } catch {
                connection.enqueue(.reply(Self.error("unavailable", "Could not check your rooms; resume again.")))
                return
            }
            var positions: [UUID: Int64] = [:]
            for (room, point) in command.resumePoints {
                switch point {
                case let .seq(seq):
                    positions[room] = seq
                case let .message(messageId):
                    // A message id stands for its seq; rooms the client is not in are refused by the writer.
                    guard connection.isIn(room) else { positions[room] = 0; continue }
                    do {
                        guard let message = try await messages.find(roomId: room, messageId: messageId) else {
                            connection.enqueue(.reply(Self.error("message_not_found", "No such message in that room.", room: room)))
                            continue
                        }
                        positions[room] = message.seq
                    } catch {
                        connection.enqueue(.reply(Self.error("unavailable", "Could not look up that message; resume again.", room: room)))
                    }
                }
            }
            if !opening.offer(positions) { connection.enqueue(.resume(positions)) }
        }
    }

    // MARK: writing

    /// How long the writer waits for a client's first command before live delivery starts (OpeningResume).
    static let openingGrace: Duration = .milliseconds(20)

    /// Writes everything the socket is sent, in order; once its token expired, closes it (4401) instead —
    /// also in the middle of a replay, so an expired token does not keep a socket reading history.
    private func writeLoop(
        _ connection: ClientConnection, _ outbound: WebSocketOutboundWriter, starting connectPoints: [UUID: Int64],
        opening: OpeningResume, expiry: SocketExpiry
    ) async throws {
        do {
            try await deliver(connection, outbound, starting: connectPoints, opening: opening, expiry: expiry)
        } catch is SocketExpiry.Passed {
            logger.info("closing a WebSocket whose token expired", metadata: ["user_id": "\(identity.userId)"])
            try await send(Self.error("token_expired", "Your access token expired; reconnect with a fresh one."), outbound)
            try await outbound.close(Self.tokenExpired, reason: "token expired")
        }
    }

    private func deliver(
        _ connection: ClientConnection, _ outbound: WebSocketOutboundWriter, starting connectPoints: [UUID: Int64],
        opening: OpeningResume, expiry: SocketExpiry
    ) async throws {
        var cursor = DeliveryCursor(connectPoints: connectPoints)
        // The opening wait runs child tasks of its own (OpeningResume); their bookkeeping goes with it.
        if let requested = await inChildTask({ await opening.start(grace: Self.openingGrace) }) {
            try expiry.check()
            let before = cursor
            cursor = try await inChildTask { try await replay(requested, connection, before, outbound, expiry) }
        }
        for await delivery in connection.deliveries {
            try expiry.check()
            switch delivery {
            case let .reply(event):
                try await send(event, outbound)
            case let .event(event, frame):
                if event.type == .messageCreated, let room = event.roomId, let seq = event.seq {
                    guard connection.isIn(room) else { continue }
                    switch cursor.decide(room: room, seq: seq) {
                    case .skip:
                        continue
                    case let .fill(after, through):
                        let before = cursor
                        let filled = try await inChildTask {
                            try await fillGap(room, after: after, through: through, connection, before, outbound, expiry)
                        }
                        guard let filled else { continue }
                        cursor = filled
                    case .send:
                        break
                    }
                    if let parent = event.traceParent {
                        try await tracedWrite(frame, parent: parent, room: room, seq: seq, outbound)
                    } else {
                        try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: frame)))
                    }
                    cursor.sent(room: room, seq: seq)
                    // Sampled: one delivery in 16 is timed, so the metric does not cost every delivery a histogram update.
                    if seq % 16 == 0, let createdAt = event.createdAt {
                        ChatMetrics.fanoutLag.recordSeconds(max(0, Date().timeIntervalSince(createdAt)))
                    }
                } else {
                    if let room = event.roomId, !Self.aboutThePerson.contains(event.type), !connection.isIn(room) { continue }
                    // Presence, typing and read positions of someone blocked either way are not passed on.
                    if [.presence, .typing, .readUpdated].contains(event.type), let person = event.personId,
                        connection.hidesPresence(of: person)
                    {
                        continue
                    }
                    if event.type == .relationsChanged {
                        await inChildTask { await readBlocks(into: connection) }
                    }
                    if event.type == .participantAdded, event.personId == identity.userId, let room = event.roomId, let seq = event.seq {
                        cursor.start(room: room, at: seq)
                    }
                    try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: frame)))
                }
            case let .resume(requested):
                let before = cursor
                cursor = try await inChildTask { try await replay(requested, connection, before, outbound, expiry) }
            case .revoked:
                logger.info("closing a WebSocket whose session was signed out", metadata: ["user_id": "\(identity.userId)"])
                try await send(Self.error("session_revoked", "You were signed out; sign in again."), outbound)
                try await outbound.close(Self.tokenExpired, reason: "signed out")
                return
            case .resync:
                // The gateway refills every room once for all its listeners; those events follow in this queue.
                try await send(ChatEvent(type: .resync), outbound)
            case .expired:
                // Still valid (checked above): an `auth` moved the time on since the timer fired.
                expiry.arm()
            }
        }
        if connection.overflowed {
            logger.warning("closing a client that fell behind", metadata: ["user_id": "\(identity.userId)"])
            try await outbound.close(Self.fellBehind, reason: "fell behind; reconnect and resume")
        }
    }

    /// `resume` run where its reads' memory is freed afterwards (the writer calls it in a child task): the cursor after it.
    private func replay(
        _ requested: [UUID: Int64], _ connection: ClientConnection, _ cursor: DeliveryCursor, _ outbound: WebSocketOutboundWriter,
        _ expiry: SocketExpiry
    ) async throws -> DeliveryCursor {
        var cursor = cursor
        try await resume(requested, connection, &cursor, outbound, expiry)
        return cursor
    }

    /// Live messages after `after` up to `through` were missed — perhaps this person's removal, so PostgreSQL
    /// is asked first. The cursor after the fill, or nil when the person is no longer in the room.
    private func fillGap(
        _ room: UUID, after: Int64, through: Int64, _ connection: ClientConnection, _ cursor: DeliveryCursor,
        _ outbound: WebSocketOutboundWriter, _ expiry: SocketExpiry
    ) async throws -> DeliveryCursor? {
        guard try await rooms.membership(of: identity.userId, in: room) != nil else {
            gateway.reconcile(connection, dropping: room)
            return nil
        }
        var cursor = cursor
        try await fill(room, after: after, through: through, &cursor, outbound, expiry, shared: true)
        return cursor
    }

    /// A traced send: the write to this socket is the trace's last span.
    private func tracedWrite(_ frame: ByteBuffer, parent: String, room: UUID, seq: Int64, _ outbound: WebSocketOutboundWriter) async throws
    {
        try await withSpan("socket write", context: TraceParent.context(parent), ofKind: .producer) { span in
            span.attributes["chat.room_id"] = room.uuidString
            span.attributes["chat.seq"] = Int(seq)
            try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: frame)))
        }
    }

    /// Replays what the client missed in each room it asked for, then reports where it stands.
    private func resume(
        _ requested: [UUID: Int64], _ connection: ClientConnection, _ cursor: inout DeliveryCursor, _ outbound: WebSocketOutboundWriter,
        _ expiry: SocketExpiry
    ) async throws {
        for (room, seq) in requested.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            guard connection.isIn(room) else {
                try await send(Self.error("room_not_found", "No such room.", room: room), outbound)
                continue
            }
            let plan = cursor.resume(room: room, from: seq)
            if let replay = plan.replay {
                var untouched = cursor  // a replay does not move where the socket stands
                try await fill(room, after: replay.after, through: replay.through, &untouched, outbound, expiry)
            }
            try await fill(room, after: plan.fillAfter, through: nil, &cursor, outbound, expiry)
            try await send(ChatEvent(type: .resumed, roomId: room, seq: cursor.position(of: room)), outbound)
        }
    }

    /// Sends the stored messages of `room` after `after` (up to `through`), in seq order, telling `cursor` each one.
    private func fill(
        _ room: UUID, after: Int64, through: Int64?, _ cursor: inout DeliveryCursor, _ outbound: WebSocketOutboundWriter,
        _ expiry: SocketExpiry, shared: Bool = false
    ) async throws {
        var position = after
        while true {
            try expiry.check()
            let batch =
                shared
                ? try await gapFills.after(room: room, seq: position, through: through, limit: 500)
                : try await messages.after(roomId: room, seq: position, through: through, limit: 500)
            for message in batch {
                if let through, message.seq > through { return }
                try await send(ChatEvent.messageCreated(message), outbound)
                position = message.seq
                cursor.sent(room: room, seq: message.seq)
            }
            if batch.count < 500 { return }
        }
    }

    private func send(_ event: ChatEvent, _ outbound: WebSocketOutboundWriter) async throws {
        let data = try JSONCoding.encoder.encode(event)
        try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
    }

    /// Who has a block with this person, either way. If user-service does not answer, every
    /// co-member's presence is withheld until it does (at the next change or reconnect) rather than leaked.
    private func readBlocks(into connection: ClientConnection) async {
        do {
            connection.hidePresence(of: try await directory.blockedPeople(as: identity, requestId: UUID().uuidString.lowercased()))
        } catch {
            logger.warning("cannot read blocks; presence withheld from this socket", metadata: ["error": "\(error)"])
            connection.withholdAllPresence()
        }
    }

    /// Events that name a room but are sent to a person (their own channel) whether or not they are in it.
    static let aboutThePerson: Set<ChatEvent.Kind> = [.participantAdded, .participantRemoved, .invitationCreated, .invitationRemoved]

    static func error(_ code: String, _ message: String, room: UUID? = nil, retryAfter: Int? = nil) -> ChatEvent {
        var info = InfoEvent(message: message, code: code)
        info.retryAfter = retryAfter
        return ChatEvent(type: .error, roomId: room, data: .info(info))
    }
}
