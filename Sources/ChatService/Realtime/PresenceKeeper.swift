import Foundation
import Logging
import Redis
import ServiceLifecycle
import ServiceKit
import ChatProtocol

/// Keeps this replica's sockets counted in the presence registry (renewed
/// every third of their lifetime), and announces `presence` offline for
/// people whose sockets all ran out — those a dead replica held. Every
/// replica looks; the registry hands each such person to one of them.
struct PresenceKeeper: Service {
    let registry: PresenceRegistry
    let gateway: Gateway
    let rooms: RoomStore
    let logger: Logger

    func run() async throws {
        let interval = registry.lifetime / 3
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await pass()
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
        }
    }

    func pass() async {
        do {
            try await registry.renew(gateway.liveSockets())
            for user in try await registry.expired() {
                await PresenceAnnouncer(gateway: gateway, rooms: rooms).announce(user, online: false, lastSeenAt: Date())
            }
        } catch {
            logger.warning("cannot renew presence in Redis; people may show offline until it answers", metadata: ["error": "\(error)"])
        }
    }
}

/// Tells the rooms a person is in that they came online or went offline.
struct PresenceAnnouncer: Sendable {
    let gateway: Gateway
    let rooms: RoomStore

    func announce(_ user: UUID, online: Bool, lastSeenAt: Date?, in known: Set<UUID>? = nil) async {
        let roomIds: Set<UUID>
        if let known {
            roomIds = known
        } else {
            guard let read = try? await rooms.roomIds(for: user) else { return }
            roomIds = Set(read)
        }
        for room in roomIds {
            await gateway.publish(
                ChatEvent(type: .presence, roomId: room, data: .user(UserEvent(userId: user, online: online, lastSeenAt: lastSeenAt))),
                toRoom: room)
        }
    }
}
