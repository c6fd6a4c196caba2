import Foundation
import Hummingbird
import ServiceKit
import ChatProtocol

struct CreateRoomRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = ["name", "description", "roomType", "participantIds", "visibility"]
    var name: String?
    var description: String?
    var roomType: String
    var participantIds: [UUID]
    /// A group's: `public` or `private` (the default).
    var visibility: String?
}

struct UpdateRoomRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = ["name", "description", "visibility"]
    var name: Patch<String>
    var description: Patch<String>
    var visibility: String?
    enum CodingKeys: String, CodingKey { case name, description, visibility }
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodePatch(String.self, forKey: .name)
        description = try container.decodePatch(String.self, forKey: .description)
        visibility = try container.decodeIfPresent(String.self, forKey: .visibility)
    }
}

/// `{"userId"}` adds one person (answer: the participant); `{"userIds":[…]}`
/// or `{"participantIds":[…]}` adds several at once (answer: `{"participants":[…]}`).
struct AddParticipantRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = ["userId", "userIds", "participantIds", "role"]
    static let maxAtOnce = 100
    var userId: UUID?
    var userIds: [UUID]?
    var participantIds: [UUID]?
    var role: String?

    /// The people to add, and whether they were given as a list.
    func targets() throws -> (ids: [UUID], asList: Bool) {
        let given = [userId.map { [$0] }, userIds, participantIds].compactMap { $0 }
        if given.isEmpty { throw AppError.badRequest("missing_field", "Say who to add: userId, or userIds for several.") }
        guard given.count == 1, let ids = given.first else {
            throw AppError.validation([
                FieldError(
                    field: "userId", code: "invalid_value",
                    detail: "give only one of userId, userIds or participantIds")
            ])
        }
        var seen = Set<UUID>()
        let unique = ids.filter { seen.insert($0).inserted }
        guard !unique.isEmpty, unique.count <= Self.maxAtOnce else {
            throw AppError.validation([
                FieldError(
                    field: userIds != nil ? "userIds" : "participantIds", code: "invalid_length",
                    detail: "1 to \(Self.maxAtOnce) user ids")
            ])
        }
        return (unique, userId == nil)
    }
}

struct ParticipantListResponse: Codable, Sendable {
    var participants: [RoomParticipant]
    /// Those who were invited instead (they do not have the adder as a contact).
    var invitations: [RoomInvitation]
}

/// The answer when the one person added was invited rather than made a participant (202).
struct InvitationResponse: Codable, Sendable {
    var invitation: RoomInvitation
}

struct ChangeRoleRequest: StrictDecodable, Sendable {
    static let fields: Set<String> = ["role"]
    var role: String
}

struct RoomListResponse: Codable, Sendable {
    var rooms: [ChatRoom]
}

/// Rooms and their participants. Anyone who is not a participant is told the
/// room does not exist (404), so room ids reveal nothing.
struct RoomsController: Sendable {
    let rooms: RoomStore
    let directory: UserDirectory
    let gateway: Gateway
    /// Where joins, departures and renames are recorded as system messages.
    let messages: MessageStore
    let creations: RoomCreationLimit

    func addRoutes(to group: RouterGroup<ChatRequestContext>) {
        group.post(use: create)
        group.get(use: list)
        group.get("{roomId}", use: show)
        group.patch("{roomId}", use: update)
        group.delete("{roomId}", use: delete)
        group.post("{roomId}/participants", use: addParticipant)
        group.patch("{roomId}/participants/{userId}", use: changeRole)
        group.delete("{roomId}/participants/{userId}", use: removeParticipant)
        group.post("{roomId}/leave", use: leave)
        group.put("{roomId}/mute", use: mute)
        group.delete("{roomId}/mute", use: unmute)
        group.put("{roomId}/notifications", use: setNotificationLevel)
    }

    /// Who calls, about which room, in what role.
    struct RoomAccess {
        var identity: Identity
        var roomId: UUID
        var role: RoomRole
        var roomType: RoomType
        /// The caller muted the room.
        var muted: Bool = false
        /// The caller's notification level for the room.
        var level: NotificationLevel = .default

        /// Owners and admins of a group manage it; a direct room has no managers.
        var managesGroup: Bool { roomType.isGroup && role.managesGroup }
    }

    /// The caller and their role in the path's room: 401 without a caller, 400 for
    /// a malformed id, 404 when they are not in the room (whether or not it exists).
    static func access(_ rooms: RoomStore, _ context: ChatRequestContext) async throws -> RoomAccess {
        let identity = try context.requireIdentity()
        let roomId = try context.parameters.requireUUID("roomId", what: "room")
        guard let membership = try await rooms.membership(of: identity.userId, in: roomId) else {
            throw ChatError.roomNotFound
        }
        guard let role = RoomRole(rawValue: membership.role), let roomType = RoomType(rawValue: membership.roomType) else {
            throw AppError(.internalServerError, code: "internal_error", detail: "Something went wrong on our side.")
        }
        return RoomAccess(
            identity: identity, roomId: roomId, role: role, roomType: roomType, muted: membership.muted, level: membership.level)
    }

    @Sendable func create(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<ChatRoom> {
        let identity = try context.requireIdentity()
        var request = request
        let body = try await request.decodeJSON(as: CreateRoomRequest.self, context: context)
        let others = Array(Set(body.participantIds.filter { $0 != identity.userId }))
        var errors: [FieldError] = []
        let name = body.name?.trimmingCharacters(in: .whitespacesAndNewlines)
        let description = body.description?.trimmingCharacters(in: .whitespacesAndNewlines)
        switch RoomType(rawValue: body.roomType) {
        case .direct:
            if others.count != 1 {
                errors.append(
                    FieldError(field: "participantIds", code: "invalid_value", detail: "a direct room has exactly one other person"))
            }
        case .group:
            Validation.groupName(name, into: &errors)
            Validation.participantCount(others.count, into: &errors)
        case nil:
            errors.append(FieldError(field: "roomType", code: "invalid_value", detail: "must be direct or group"))
        }
        Validation.description(description, into: &errors)
        let visibility = Self.visibility(body.visibility, into: &errors)
        if visibility == .public && body.roomType != RoomType.group.rawValue {
            errors.append(FieldError(field: "visibility", code: "invalid_value", detail: "only a group can be public"))
        }
        guard errors.isEmpty else { throw AppError.validation(errors) }
        let missing = try await directory.missing(others, as: identity, requestId: context.requestId)
        guard missing.isEmpty else {
            throw AppError(
                .unprocessableContent, code: "unknown_participants",
                detail: "No such user(s): \(missing.map { $0.uuidString }.joined(separator: ", ")).",
                errors: missing.map { FieldError(field: "participantIds", code: "user_not_found", detail: $0.uuidString) })
        }
        // Consent: people who have the caller as a contact join; everyone else is invited and decides.
        let relation = try await directory.relations(others, as: identity, requestId: context.requestId)
        guard relation.blocked.isEmpty else { throw ChatError.blocked }
        let contacts = Set(relation.contactOf)
        let invitees = others.filter { !contacts.contains($0) }
        try await creations.admit(identity.userId)
        if body.roomType == RoomType.direct.rawValue, let other = others.first {
            switch try await rooms.findOrCreateDirect(creator: identity.userId, other: other, inviteOther: !invitees.isEmpty) {
            case let .created(room, invited):
                await announceNewRoom(room)
                var answer = room
                if invited {
                    answer.invitedUserIds = [other]
                    await announceInvitations([other], into: room, by: identity)
                }
                return JSONResponse(answer, status: .created)
            case var .existing(room):
                await creations.takeBack(identity.userId)
                room.invitedUserIds = try await rooms.invitees(of: room.id)
                return JSONResponse(room, status: .ok)
            case let .joined(room, invitedBy):
                await creations.takeBack(identity.userId)
                await announceJoin(identity.userId, into: room.id, invitedBy: invitedBy, context)
                return JSONResponse(room, status: .ok)
            case .left:
                await creations.takeBack(identity.userId)
                throw AppError.notFound(
                    "room_not_found", "You left your conversation with that person; they can add you back by asking again after they leave."
                )
            }
        }
        var room = try await rooms.createGroup(
            name: name ?? "", description: description?.isEmpty == true ? nil : description,
            creator: identity.userId, members: others.filter { contacts.contains($0) }, invitees: invitees,
            visibility: visibility ?? .private)
        await announceNewRoom(room)
        await announceInvitations(invitees, into: room, by: identity)
        room.invitedUserIds = invitees
        return JSONResponse(room, status: .created)
    }

    /// A group's visibility as the body gives it (nil when absent); anything else is a field error.
    static func visibility(_ text: String?, into errors: inout [FieldError]) -> RoomVisibility? {
        guard let text else { return nil }
        guard let visibility = RoomVisibility(rawValue: text) else {
            errors.append(FieldError(field: "visibility", code: "invalid_value", detail: "public or private"))
            return nil
        }
        return visibility
    }

    /// Tells each invitee's sockets (every tab, every replica) about their new invitation.
    func announceInvitations(_ invitees: [UUID], into room: ChatRoom, by inviter: Identity) async {
        guard !invitees.isEmpty else { return }
        let sender = InvitationSender(id: inviter.userId, username: inviter.username, displayName: inviter.displayName)
        let pending = PendingInvitation(room: room.asInvitationView, invitedBy: sender, createdAt: Date())
        for invitee in invitees {
            await gateway.publish(
                ChatEvent(type: .invitationCreated, roomId: room.id, data: .invitation(InvitationNotice(invitation: pending))),
                toUser: invitee)
        }
    }

    /// Someone joined — by accepting an invitation from `invitedBy`, or by themselves (a public
    /// group, an invite link: `invitedBy` nil): their sockets start listening, the room hears of
    /// them, a system message records it.
    func announceJoin(_ user: UUID, into roomId: UUID, invitedBy: UUID?, _ context: ChatRequestContext) async {
        // Where the room stands now: the joiner's sockets take every message after it (DeliveryCursor.start).
        let joinedAt = try? await rooms.lastSeqs([roomId])[roomId]
        let joined = ChatEvent(
            type: .participantAdded, roomId: roomId, seq: joinedAt, data: .user(UserEvent(userId: user, role: RoomRole.member.rawValue)))
        await gateway.publish(joined, toUser: user)
        await gateway.publish(joined, toRoom: roomId)
        await gateway.publish(ChatEvent(type: .invitationRemoved, roomId: roomId), toUser: user)
        if let invitedBy {
            await record(SystemEvent(kind: .memberAdded, userId: user), by: invitedBy, in: roomId, context)
        } else {
            await record(SystemEvent(kind: .memberJoined), by: user, in: roomId, context)
        }
    }

    /// Tells every participant's connections about the room so they start listening to it, from its first message (seq 0).
    private func announceNewRoom(_ room: ChatRoom) async {
        for participant in room.participants ?? [] {
            await gateway.publish(
                ChatEvent(
                    type: .participantAdded, roomId: room.id, seq: 0,
                    data: .user(UserEvent(userId: participant.userId, role: participant.role))),
                toUser: participant.userId)
        }
    }

    @Sendable func list(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<RoomListResponse> {
        let identity = try context.requireIdentity()
        return JSONResponse(RoomListResponse(rooms: try await rooms.rooms(for: identity.userId)))
    }

    @Sendable func show(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<ChatRoom> {
        let access = try await RoomsController.access(rooms, context)
        let roomId = access.roomId
        guard var room = try await rooms.room(roomId) else { throw ChatError.roomNotFound }
        room.muted = access.muted
        room.notificationLevel = access.level
        room.invitedUserIds = try await rooms.invitees(of: roomId)
        return JSONResponse(room)
    }

    @Sendable func update(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<ChatRoom> {
        let access = try await RoomsController.access(rooms, context)
        let (roomId, role) = (access.roomId, access.role)
        var request = request
        let body = try await request.decodeJSON(as: UpdateRoomRequest.self, context: context)
        guard access.roomType.isGroup else {
            throw AppError.forbidden("direct_room", "A direct room has no name or description to change.")
        }
        guard role.managesGroup else { throw AppError.forbidden("not_room_admin", "Only owners and admins can change the room.") }
        var errors: [FieldError] = []
        Validation.rename(body.name, into: &errors)
        if case let .set(text) = body.description { Validation.description(text, into: &errors) }
        let visibility = Self.visibility(body.visibility, into: &errors)
        guard errors.isEmpty else { throw AppError.validation(errors) }
        let before = try await rooms.room(roomId)
        guard let room = try await rooms.update(roomId, name: body.name, description: body.description, visibility: visibility) else {
            throw ChatError.roomNotFound
        }
        await gateway.publish(ChatEvent(type: .roomUpdated, roomId: roomId, data: .room(room)), toRoom: roomId)
        if let name = room.name, name != before?.name {
            await record(SystemEvent(kind: .renamed, name: name), by: access.identity.userId, in: roomId, context)
        }
        return JSONResponse(room)
    }

    @Sendable func delete(_ request: Request, context: ChatRequestContext) async throws -> Response {
        let access = try await RoomsController.access(rooms, context)
        let (roomId, role) = (access.roomId, access.role)
        // A group is deleted by an owner; a direct room by either of its two people.
        guard role.isOwner || access.roomType == .direct else {
            throw AppError.forbidden("not_room_owner", "Only an owner can delete the room.")
        }
        let participants = try await rooms.participantIds(roomId)
        try await rooms.delete(roomId)
        for user in participants {
            await gateway.publish(ChatEvent(type: .participantRemoved, roomId: roomId, data: .user(UserEvent(userId: user))), toUser: user)
        }
        return Response(status: .noContent)
    }

    @Sendable func addParticipant(_ request: Request, context: ChatRequestContext) async throws -> Response {
        let access = try await RoomsController.access(rooms, context)
        let (identity, roomId, role) = (access.identity, access.roomId, access.role)
        var request = request
        let body = try await request.decodeJSON(as: AddParticipantRequest.self, context: context)
        let (targets, asList) = try body.targets()
        guard let room = try await rooms.room(roomId), room.roomType == RoomType.group.rawValue else {
            throw AppError.conflict("direct_room", "A direct room always has exactly two people.")
        }
        guard role.managesGroup else { throw AppError.forbidden("not_room_admin", "Only owners and admins can add people.") }
        let newRole = try Validation.role(body.role ?? RoomRole.member.rawValue)
        if newRole.isOwner && !role.isOwner { throw AppError.forbidden("not_room_owner", "Only an owner can add an owner.") }
        let missing = try await directory.missing(targets, as: identity, requestId: context.requestId)
        guard missing.isEmpty else {
            throw AppError.notFound("user_not_found", "There is no user with the id \(missing[0].uuidString.lowercased()).")
        }
        let present = Set((room.participants ?? []).map(\.userId))
        let candidates = targets.filter { !present.contains($0) }
        let relation = try await directory.relations(candidates, as: identity, requestId: context.requestId)
        guard relation.blocked.isEmpty else { throw ChatError.blocked }
        let contacts = Set(relation.contactOf)
        var added: [RoomParticipant] = []
        for userId in candidates where contacts.contains(userId) {
            do {
                added.append(try await rooms.addParticipant(roomId, userId: userId, role: newRole))
            } catch ChatError.alreadyParticipant {
                continue  // joined meanwhile through another request
            }
            let event = ChatEvent(type: .participantAdded, roomId: roomId, data: .user(UserEvent(userId: userId, role: newRole.rawValue)))
            await gateway.publish(event, toUser: userId)
            await gateway.publish(event, toRoom: roomId)
            await record(SystemEvent(kind: .memberAdded, userId: userId), by: identity.userId, in: roomId, context)
        }
        // The others are asked first; an invitation already pending is not sent again. Asking
        // strangers in counts like making a room, so invitations cannot be sent without end.
        let strangers = candidates.filter { !contacts.contains($0) }
        if !strangers.isEmpty { try await creations.admit(identity.userId) }
        let invitations = try await rooms.invite(strangers, to: roomId, by: identity.userId, role: newRole)
        await announceInvitations(invitations.map(\.userId), into: room, by: identity)
        if asList {
            guard !added.isEmpty || !invitations.isEmpty else {
                throw AppError.conflict("already_participant", "Everyone listed is already in the room or invited.")
            }
            return try JSONResponse(
                ParticipantListResponse(participants: added, invitations: invitations), status: added.isEmpty ? .accepted : .created
            )
            .response(from: request, context: context)
        }
        if let first = added.first {
            return try JSONResponse(first, status: .created).response(from: request, context: context)
        }
        if let invitation = invitations.first {
            return try JSONResponse(InvitationResponse(invitation: invitation), status: .accepted).response(from: request, context: context)
        }
        throw AppError.conflict("already_participant", "That user is already in the room or invited.")
    }

    @Sendable func changeRole(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<RoomParticipant> {
        let access = try await RoomsController.access(rooms, context)
        let (roomId, role) = (access.roomId, access.role)
        let target = try context.parameters.requireUUID("userId", what: "user")
        var request = request
        let body = try await request.decodeJSON(as: ChangeRoleRequest.self, context: context)
        let newRole = try Validation.role(body.role)
        guard access.roomType.isGroup else {
            throw AppError.forbidden("direct_room", "Both people of a direct room are members; there are no roles to change.")
        }
        guard role.isOwner else { throw AppError.forbidden("not_room_owner", "Only an owner can change roles.") }
        let participant = try await rooms.setRole(roomId, userId: target, role: newRole)
        await gateway.publish(
            ChatEvent(type: .roomUpdated, roomId: roomId, data: .user(UserEvent(userId: target, role: newRole.rawValue))), toRoom: roomId)
        return JSONResponse(participant)
    }

    @Sendable func removeParticipant(_ request: Request, context: ChatRequestContext) async throws -> Response {
        let access = try await RoomsController.access(rooms, context)
        let (identity, roomId, role) = (access.identity, access.roomId, access.role)
        let target = try context.parameters.requireUUID("userId", what: "user")
        if target != identity.userId {
            guard access.roomType.isGroup else {
                throw AppError.forbidden("direct_room", "No one is removed from a direct room; leave it instead.")
            }
            guard role.managesGroup else { throw AppError.forbidden("not_room_admin", "Only owners and admins can remove people.") }
            if !role.mayRemove(try await rooms.role(of: target, in: roomId).flatMap(RoomRole.init(rawValue:))) {
                throw AppError.forbidden("not_room_owner", "An admin cannot remove an owner.")
            }
        }
        try await remove(target, from: roomId, by: identity.userId, context)
        return Response(status: .noContent)
    }

    @Sendable func leave(_ request: Request, context: ChatRequestContext) async throws -> Response {
        let access = try await RoomsController.access(rooms, context)
        let (identity, roomId) = (access.identity, access.roomId)
        try await remove(identity.userId, from: roomId, by: identity.userId, context)
        return Response(status: .noContent)
    }

    private func remove(_ user: UUID, from roomId: UUID, by actor: UUID, _ context: ChatRequestContext) async throws {
        try await rooms.removeParticipant(roomId, userId: user)
        let event = ChatEvent(type: .participantRemoved, roomId: roomId, data: .user(UserEvent(userId: user)))
        await gateway.publish(event, toRoom: roomId)
        await gateway.publish(event, toUser: user)
        let change = actor == user ? SystemEvent(kind: .memberLeft) : SystemEvent(kind: .memberRemoved, userId: user)
        await record(change, by: actor, in: roomId, context)
    }

    /// Puts a change in the timeline as a system message, after the change itself
    /// is done; a failure is logged (the change stands, only its line is missing).
    func record(_ change: SystemEvent, by actor: UUID, in roomId: UUID, _ context: ChatRequestContext) async {
        do {
            if let message = try await messages.recordSystemEvent(roomId: roomId, actorId: actor, event: change) {
                await gateway.announceCreated([message], inRoom: roomId)
            }
        } catch {
            context.logger.warning(
                "could not record a room change in its timeline", metadata: ["kind": "\(change.kind.rawValue)", "error": "\(error)"])
        }
    }

    struct MuteState: Codable, Sendable {
        var roomId: UUID
        var muted: Bool
    }

    struct NotificationLevelRequest: StrictDecodable, Sendable {
        static let fields: Set<String> = ["level"]
        var level: String
    }

    struct NotificationState: Codable, Sendable {
        var roomId: UUID
        var level: NotificationLevel
        var muted: Bool
    }

    /// `PUT /api/rooms/{id}/notifications {"level"}`: the caller's level for the room (idempotent).
    @Sendable func setNotificationLevel(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<NotificationState> {
        let identity = try context.requireIdentity()
        let roomId = try context.parameters.requireUUID("roomId", what: "room")
        var request = request
        let body = try await request.decodeJSON(as: NotificationLevelRequest.self, context: context)
        guard let level = NotificationLevel(rawValue: body.level) else {
            throw AppError.validation([
                FieldError(field: "level", code: "invalid_value", detail: "one of default, all, mentions, none")
            ])
        }
        guard try await rooms.setLevel(level, userId: identity.userId, roomId: roomId) else { throw ChatError.roomNotFound }
        await announceOwnChange(in: roomId, to: identity.userId)
        return JSONResponse(NotificationState(roomId: roomId, level: level, muted: level == .none))
    }

    /// The person's other pages and devices read the room again (and see their new choice).
    private func announceOwnChange(in roomId: UUID, to userId: UUID) async {
        await gateway.publish(ChatEvent(type: .roomUpdated, roomId: roomId, data: .user(UserEvent(userId: userId))), toUser: userId)
    }

    /// A muted room sends no notifications and stays out of the page's unread total (idempotent).
    @Sendable func mute(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<MuteState> {
        try await setMuted(true, context)
    }

    @Sendable func unmute(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<MuteState> {
        try await setMuted(false, context)
    }

    private func setMuted(_ muted: Bool, _ context: ChatRequestContext) async throws -> JSONResponse<MuteState> {
        let identity = try context.requireIdentity()
        let roomId = try context.parameters.requireUUID("roomId", what: "room")
        guard try await rooms.setMuted(muted, userId: identity.userId, roomId: roomId) else { throw ChatError.roomNotFound }
        await announceOwnChange(in: roomId, to: identity.userId)
        return JSONResponse(MuteState(roomId: roomId, muted: muted))
    }
}
