import Foundation
import NIOCore
import ServiceKit
import Synchronization
import ChatProtocol

/// What a connection's writer task handles, strictly in order.
enum Delivery: Sendable {
    /// An event from Redis (or read back by the gateway), encoded once: every
    /// listener's frame shares this one buffer; the header says what it is.
    case event(RoutingHeader, frame: ByteBuffer)
    /// The client said where it was in each room: replay what it missed.
    case resume([UUID: Int64])
    /// Redis notifications may have been lost; the gateway refills every room (tell the client).
    case resync
    /// A direct answer to this client only (pong, errors).
    case reply(ChatEvent)
    /// The login behind this socket was signed out: close it.
    case revoked
    /// The socket's token expired (its timer fired): close it unless an `auth` moved the time on.
    case expired
}

/// One WebSocket client as the gateway sees it: who it is, the rooms it may
/// hear, and a bounded queue. A client too slow to drain its queue does not
/// slow anyone down: its queue overflows and the connection is closed with
/// code 4000, telling it to reconnect and resume.
final class ClientConnection: Sendable {
    let id = UUID()
    let userId: UUID
    /// The sign-in session (token `sid`) the socket was opened with.
    let sessionId: String?
    let deliveries: AsyncStream<Delivery>
    private let continuation: AsyncStream<Delivery>.Continuation
    private let roomSet: Mutex<Set<UUID>>
    private let startingPositions = Mutex<[UUID: Int64]>([:])
    private let overflowFlag = Atomic<Bool>(false)
    /// People with a block between them and this client: their presence events are not passed on.
    private let hiddenPresence = Mutex<Set<UUID>>([])
    /// Blocks could not be read: no presence at all is passed on.
    private let presenceWithheld = Atomic<Bool>(false)

    init(userId: UUID, sessionId: String? = nil, rooms: Set<UUID>, queueLimit: Int) {
        self.userId = userId
        self.sessionId = sessionId
        self.roomSet = Mutex(rooms)
        (deliveries, continuation) = AsyncStream.makeStream(of: Delivery.self, bufferingPolicy: .bufferingOldest(queueLimit))
    }

    var rooms: Set<UUID> { roomSet.withLock { $0 } }
    func isIn(_ room: UUID) -> Bool { roomSet.withLock { $0.contains(room) } }
    func join(_ room: UUID) { _ = roomSet.withLock { $0.insert(room) } }
    func leave(_ room: UUID) { _ = roomSet.withLock { $0.remove(room) } }

    /// Where each room stood when this client connected: it gets every message after that.
    func start(at positions: [UUID: Int64]) { startingPositions.withLock { $0 = positions } }
    func startingPosition(in room: UUID) -> Int64? { startingPositions.withLock { $0[room] } }

    func hidePresence(of people: Set<UUID>) {
        hiddenPresence.withLock { $0 = people }
        presenceWithheld.store(false, ordering: .relaxed)
    }
    func withholdAllPresence() { presenceWithheld.store(true, ordering: .relaxed) }
    func hidesPresence(of person: UUID) -> Bool {
        person != userId && (presenceWithheld.load(ordering: .relaxed) || hiddenPresence.withLock { $0.contains(person) })
    }

    /// True when the client fell behind and was cut off.
    var overflowed: Bool { overflowFlag.load(ordering: .relaxed) }

    func enqueue(_ delivery: Delivery) {
        if case .dropped = continuation.yield(delivery) {
            overflowFlag.store(true, ordering: .relaxed)
            continuation.finish()
        }
    }

    func finish() { continuation.finish() }
}
