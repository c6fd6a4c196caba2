import Foundation
import Hummingbird
import ServiceKit
import ChatProtocol

struct InvitationListResponse: Codable, Sendable {
    var invitations: [PendingInvitation]
}

/// `/api/rooms/invitations`: the rooms the caller was asked into by someone
/// who is not their contact, to accept (they join) or decline (it goes).
/// Invitations from someone with a block between them and the caller are not
/// listed.
struct InvitationsController: Sendable {
    let rooms: RoomStore
    let directory: UserDirectory
    let gateway: Gateway
    let announcer: RoomsController

    func addRoutes(to group: RouterGroup<ChatRequestContext>) {
        group.get("invitations", use: list)
        group.post("invitations/{roomId}/accept", use: accept)
        group.post("invitations/{roomId}/decline", use: decline)
    }

    @Sendable func list(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<InvitationListResponse> {
        let identity = try context.requireIdentity()
        let pending = try await rooms.invitations(for: identity.userId)
        guard !pending.isEmpty else { return JSONResponse(InvitationListResponse(invitations: [])) }
        let inviters = Array(Set(pending.map(\.invitedBy)))
        let blocked = try await directory.blockedPeople(as: identity, requestId: context.requestId)
        let profiles = try await directory.profiles(inviters, as: identity, requestId: context.requestId)
        var listed: [PendingInvitation] = []
        for invitation in pending where !blocked.contains(invitation.invitedBy) {
            guard let room = try await rooms.room(invitation.roomId) else { continue }
            let profile = profiles[invitation.invitedBy]
            listed.append(
                PendingInvitation(
                    room: room.asInvitationView,
                    invitedBy: InvitationSender(
                        id: invitation.invitedBy, username: profile?.username,
                        displayName: profile?.displayName),
                    createdAt: invitation.createdAt))
        }
        return JSONResponse(InvitationListResponse(invitations: listed))
    }

    @Sendable func accept(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<ChatRoom> {
        let identity = try context.requireIdentity()
        let roomId = try context.parameters.requireUUID("roomId", what: "room")
        guard let inviter = try await rooms.inviter(of: identity.userId, in: roomId) else { throw ChatError.invitationNotFound }
        // A block made after the invitation voids it (whichever of the two made it).
        guard try await directory.relations([inviter], as: identity, requestId: context.requestId).blocked.isEmpty else {
            _ = try await rooms.decline(invitationTo: roomId, user: identity.userId)
            await gateway.publish(ChatEvent(type: .invitationRemoved, roomId: roomId), toUser: identity.userId)
            throw ChatError.blocked
        }
        switch try await rooms.accept(invitationTo: roomId, user: identity.userId) {
        case .missing:
            throw ChatError.invitationNotFound
        case .void:
            await gateway.publish(ChatEvent(type: .invitationRemoved, roomId: roomId), toUser: identity.userId)
            throw AppError.notFound(
                "invitation_not_found",
                "That invitation no longer stands: whoever sent it is no longer in the room or may no longer add people.")
        case let .joined(_, invitedBy):
            await announcer.announceJoin(identity.userId, into: roomId, invitedBy: invitedBy, context)
        }
        guard var room = try await rooms.room(roomId) else { throw ChatError.roomNotFound }
        room.invitedUserIds = try await rooms.invitees(of: roomId)
        return JSONResponse(room)
    }

    @Sendable func decline(_ request: Request, context: ChatRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let roomId = try context.parameters.requireUUID("roomId", what: "room")
        guard try await rooms.decline(invitationTo: roomId, user: identity.userId) else { throw ChatError.invitationNotFound }
        await gateway.publish(ChatEvent(type: .invitationRemoved, roomId: roomId), toUser: identity.userId)
        return Response(status: .noContent)
    }
}
