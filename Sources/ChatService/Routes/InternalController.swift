import Foundation
import Hummingbird
import ServiceKit
import ChatProtocol

/// Questions other services ask about rooms (not routed publicly).
struct InternalController: Sendable {
    let rooms: RoomStore
    let messages: MessageStore
    let gateway: Gateway

    func addRoutes(to group: RouterGroup<ChatRequestContext>) {
        group.post("rooms/shared", use: shared)
        group.get("users/me/messages", use: sentMessages)
        group.post("users/me/depart", use: depart)
    }

    /// Every message the caller sent and the rooms they were sent in: for their data export (user-service).
    @Sendable func sentMessages(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<SentMessagesExport> {
        let identity = try context.requireIdentity()
        return JSONResponse(try await messages.export(sentBy: identity.userId))
    }

    /// The caller's account is being erased (user-service asks, with their token, before it
    /// erases them): they leave every group — each sees it, as when someone leaves — a last
    /// owner hands the group on, and their saved list goes. What they wrote stays, shown as
    /// a deleted person's. Safe to repeat.
    @Sendable func depart(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<DepartureReport> {
        let identity = try context.requireIdentity()
        let userId = identity.userId
        let departures = try await rooms.depart(userId)
        try await messages.forgetSaved(by: userId)
        for departure in departures {
            let roomId = departure.roomId
            if let owner = departure.newOwner {
                await gateway.publish(
                    ChatEvent(type: .roomUpdated, roomId: roomId, data: .user(UserEvent(userId: owner, role: RoomRole.owner.rawValue))),
                    toRoom: roomId)
            }
            let removed = ChatEvent(type: .participantRemoved, roomId: roomId, data: .user(UserEvent(userId: userId)))
            await gateway.publish(removed, toRoom: roomId)
            await gateway.publish(removed, toUser: userId)
            do {
                if let message = try await messages.recordSystemEvent(
                    roomId: roomId, actorId: userId, event: SystemEvent(kind: .memberLeft))
                {
                    await gateway.announceCreated([message], inRoom: roomId)
                }
            } catch {
                context.logger.warning("could not record a departure in its timeline", metadata: ["error": "\(error)"])
            }
        }
        context.logger.info("account departed its rooms", metadata: ["user_id": "\(userId)", "groups": "\(departures.count)"])
        return JSONResponse(
            DepartureReport(groupsLeft: departures.count, ownersNamed: departures.filter { $0.newOwner != nil }.count))
    }

    /// Which of `userIds` share a live room with the caller (user-service shows them the caller's presence).
    @Sendable func shared(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<SharedRoomsResponse> {
        let identity = try context.requireIdentity()
        var request = request
        let body = try await request.decodeJSON(as: SharedRoomsRequest.self, context: context)
        guard body.userIds.count <= Validation.maxIdsPerLookup else {
            throw AppError.badRequest("too_many_ids", "Ask about at most 500 ids at a time.")
        }
        return JSONResponse(SharedRoomsResponse(userIds: try await rooms.sharingARoom(with: identity.userId, among: body.userIds)))
    }
}
