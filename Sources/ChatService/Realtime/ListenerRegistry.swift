import Foundation

/// Who listens to what on one replica, as a value with no I/O: each room's
/// listening connections, each person's connections, and the newest message
/// seq routed per room. It answers what the gateway must do on Redis — which
/// channels a change starts or ends needing — and the gateway does it.
struct ListenerRegistry: Sendable, Equatable {
    /// What registering a connection changed.
    struct Registered: Equatable, Sendable {
        /// The person had no other connection here (their own channel is now needed).
        var firstOfPerson: Bool
        /// Rooms nobody here listened to before (their channels are now needed).
        var newRooms: Set<UUID>
    }

    /// What unregistering a connection changed.
    struct Unregistered: Equatable, Sendable {
        /// That was the person's last connection here (their channel is no longer needed).
        var lastOfPerson: Bool
        /// Rooms nobody here listens to any more.
        var emptiedRooms: Set<UUID>
    }

    private(set) var roomListeners: [UUID: Set<UUID>] = [:]
    private(set) var personConnections: [UUID: Set<UUID>] = [:]
    /// The newest message seq routed per room with listeners.
    private(set) var routed: [UUID: Int64] = [:]

    func connections(of person: UUID) -> Set<UUID> { personConnections[person] ?? [] }
    func listeners(of room: UUID) -> Set<UUID> { roomListeners[room] ?? [] }
    var rooms: [UUID] { Array(roomListeners.keys) }

    /// Adds a connection of `person` listening to `rooms`, unless the person already has `limit` here (nil).
    mutating func register(_ connection: UUID, of person: UUID, rooms: Set<UUID>, limit: Int = .max) -> Registered? {
        guard connections(of: person).count < limit else { return nil }
        var newRooms: Set<UUID> = []
        for room in rooms {
            if roomListeners[room, default: []].isEmpty { newRooms.insert(room) }
            roomListeners[room, default: []].insert(connection)
        }
        let first = connections(of: person).isEmpty
        personConnections[person, default: []].insert(connection)
        return Registered(firstOfPerson: first, newRooms: newRooms)
    }

    mutating func unregister(_ connection: UUID, of person: UUID, rooms: Set<UUID>) -> Unregistered {
        var emptied: Set<UUID> = []
        for room in rooms where stopListening(connection, to: room) { emptied.insert(room) }
        personConnections[person]?.remove(connection)
        let last = personConnections[person]?.isEmpty ?? true
        if last { personConnections[person] = nil }
        return Unregistered(lastOfPerson: last, emptiedRooms: emptied)
    }

    /// `connection` starts hearing `room`; true when it is the room's first listener here.
    mutating func listen(_ connection: UUID, to room: UUID) -> Bool {
        let first = roomListeners[room, default: []].isEmpty
        roomListeners[room, default: []].insert(connection)
        return first
    }

    /// `connection` stops hearing `room`; true when nobody here listens to it any more (its position is forgotten).
    @discardableResult
    mutating func stopListening(_ connection: UUID, to room: UUID) -> Bool {
        roomListeners[room]?.remove(connection)
        guard roomListeners[room]?.isEmpty == true else { return false }
        roomListeners[room] = nil
        routed[room] = nil
        return true
    }

    /// A message of `room` is being routed to its listeners: remember how far the room got (rooms with listeners only).
    mutating func routedMessage(_ seq: Int64, in room: UUID) {
        guard roomListeners[room] != nil else { return }
        routed[room] = max(seq, routed[room] ?? seq)
    }
}
