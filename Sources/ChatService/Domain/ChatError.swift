import Foundation
import ServiceKit

/// What chat-service's rules refuse, and the problem+json answer for each.
/// Stores and controllers throw these; `ProblemMiddleware` answers with `problem`.
enum ChatError: Error, Equatable, ProblemConvertible {
    /// No such room, or the caller is not in it (the answer does not say which).
    case roomNotFound
    /// A block between the caller and someone they tried to put in a room.
    case blocked
    case invitationNotFound
    case messageNotFound
    case alreadyParticipant
    case participantNotFound
    /// The change would leave a group without an owner.
    case lastOwner
    /// This replica is shutting down; the same request to another one will do.
    case shuttingDown
    /// No such upload in this room (or it is someone else's that no message has shown yet).
    case attachmentNotFound(UUID?)
    case notAttachmentUploader(UUID)
    case attachmentAlreadyUsed(UUID)
    /// An `image` message names an upload that is not a PNG, JPEG, GIF or WebP image.
    case notAnImage(UUID)
    case uploadTooLarge(limit: Int)
    case emptyUpload
    /// The body ended before the length it announced.
    case truncatedUpload
    /// The object store cannot be reached.
    case storageUnavailable
    /// `replyToId` names no message of this room.
    case replyTargetNotFound
    /// Reacting to (or replying to) a message that was deleted.
    case messageDeleted
    case reactionNotFound
    /// A system message (a join, departure or rename) is the room's record: not edited or deleted.
    case systemMessage
    case tooManyReactions(limit: Int)
    case pinNotFound
    case tooManyPins(limit: Int)
    case notAllowedToPin
    case savedNotFound
    case tooManySaved(limit: Int)
    case inviteLinkNotFound
    case threadNotFound
    case notAThreadRoot
    /// `revoked`, `expired` or `used_up`.
    case inviteLinkUnusable(String)

    var problem: AppError {
        switch self {
        case .roomNotFound: .notFound("room_not_found", "There is no such room.")
        case .blocked: .forbidden("blocked", "There is a block between you and that person: you cannot put them in a room, nor they you.")
        case .invitationNotFound: .notFound("invitation_not_found", "You have no invitation into that room.")
        case .messageNotFound: .notFound("message_not_found", "There is no such message in this room.")
        case .alreadyParticipant: .conflict("already_participant", "That user is already in the room.")
        case .participantNotFound: .notFound("participant_not_found", "That user is not in the room.")
        case .lastOwner: .conflict("last_owner", "The room needs at least one owner; make someone else owner first.")
        case .shuttingDown:
            AppError(
                .serviceUnavailable, code: "shutting_down", detail: "This replica is shutting down; send again.",
                headers: [.retryAfter: "1"])
        case let .attachmentNotFound(id):
            .notFound(
                "attachment_not_found",
                id.map { "There is no upload \($0.uuidString.lowercased()) in this room." } ?? "There is no such upload in this room.")
        case let .notAttachmentUploader(id):
            .forbidden("not_attachment_uploader", "Only the person who uploaded \(id.uuidString.lowercased()) can send it.")
        case let .attachmentAlreadyUsed(id):
            .conflict(
                "attachment_already_used",
                "The upload \(id.uuidString.lowercased()) is already in a message; upload it again to send it again.")
        case let .notAnImage(id):
            AppError(
                .unprocessableContent, code: "not_an_image",
                detail: "The upload \(id.uuidString.lowercased()) is not a PNG, JPEG, GIF or WebP image; send it as a file.",
                errors: [FieldError(field: "attachmentIds", code: "not_an_image", detail: id.uuidString.lowercased())])
        case let .uploadTooLarge(limit):
            AppError(.contentTooLarge, code: "upload_too_large", detail: "Files can be at most \(Self.size(limit)).")
        case .emptyUpload:
            AppError(.unprocessableContent, code: "empty_upload", detail: "The file is empty.")
        case .truncatedUpload:
            .badRequest("truncated_upload", "The upload ended before the length it announced; nothing was stored.")
        case .replyTargetNotFound:
            AppError(
                .unprocessableContent, code: "reply_target_not_found", detail: "replyToId names no message in this room.",
                errors: [FieldError(field: "replyToId", code: "not_found", detail: "no such message in this room")])
        case .messageDeleted:
            .conflict("message_deleted", "That message was deleted.")
        case .systemMessage:
            .conflict("system_message", "A record of a room change cannot be edited or deleted.")
        case .reactionNotFound:
            .notFound("reaction_not_found", "You have not reacted to this message with that emoji.")
        case let .tooManyReactions(limit):
            .conflict("too_many_reactions", "A message can carry at most \(limit) different emoji; add to one already there.")
        case .pinNotFound:
            .notFound("pin_not_found", "That message is not pinned in this room.")
        case let .tooManyPins(limit):
            .conflict("too_many_pins", "A room can have at most \(limit) pinned messages; unpin one first.")
        case .notAllowedToPin:
            .forbidden("not_room_admin", "Only owners and admins pin and unpin messages in a group.")
        case .savedNotFound:
            .notFound("saved_not_found", "That message is not among your saved messages.")
        case let .tooManySaved(limit):
            .conflict("too_many_saved", "You can keep at most \(limit) saved messages; remove some first.")
        case .threadNotFound:
            .notFound("thread_not_found", "There is no such message in this room to start or show a thread.")
        case .notAThreadRoot:
            AppError(
                .unprocessableContent, code: "validation_failed",
                detail: "threadRootId: a reply in a thread, or a system message, cannot start a thread.",
                errors: [
                    FieldError(
                        field: "threadRootId", code: "not_a_thread_root", detail: "a thread reply or a system message starts no thread")
                ])
        case .inviteLinkNotFound:
            .notFound("invite_link_not_found", "There is no such invite link (or its group is gone).")
        case let .inviteLinkUnusable(reason):
            AppError(
                .gone, code: "invite_link_\(reason)",
                detail: reason == "revoked"
                    ? "This invite link was revoked."
                    : reason == "expired" ? "This invite link has expired." : "This invite link was used up.")
        case .storageUnavailable:
            AppError(
                .serviceUnavailable, code: "storage_unavailable", detail: "Files cannot be stored or read right now; try again shortly.",
                headers: [.retryAfter: "5"])
        }
    }

    /// 25 MiB, 512 KiB, 300 bytes.
    static func size(_ bytes: Int) -> String {
        if bytes >= 1024 * 1024, bytes % (1024 * 1024) == 0 { return "\(bytes / (1024 * 1024)) MiB" }
        if bytes >= 1024, bytes % 1024 == 0 { return "\(bytes / 1024) KiB" }
        return "\(bytes) bytes"
    }
}
