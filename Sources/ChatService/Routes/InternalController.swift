import Foundation
import Hummingbird
import ServiceKit
import ChatProtocol

/// Questions other services ask about rooms (not routed publicly).
struct InternalController: Sendable {
    let rooms: RoomStore

    func addRoutes(to group: RouterGroup<ChatRequestContext>) {
        group.post("rooms/shared", use: shared)
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
