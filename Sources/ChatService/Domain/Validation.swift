import Foundation
import Shared

/// chat-service's limits on what people send, and the checks that apply them, in one place.
enum Validation {
    static let roomNameLength = 1...100
    static let roomDescriptionMaxLength = 1000
    static let maxParticipantsAtCreation = 500
    static let clientMessageIdLength = 1...100
    static let pageSize = 1...200
    static let defaultPageSize = 50
    /// How many ids one internal question may carry.
    static let maxIdsPerLookup = 500

    /// A new group's name (already trimmed).
    static func groupName(_ name: String?, into errors: inout [FieldError]) {
        if !roomNameLength.contains(name?.count ?? 0) {
            errors.append(FieldError(field: "name", code: "invalid_length", detail: "a group needs a name of 1 to 100 characters"))
        }
    }

    /// A rename: `.clear` is refused, since a room keeps a name.
    static func rename(_ name: Patch<String>, into errors: inout [FieldError]) {
        switch name {
        case let .set(text) where text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || text.count > roomNameLength.upperBound:
            errors.append(FieldError(field: "name", code: "invalid_length", detail: "1 to 100 characters"))
        case .clear:
            errors.append(FieldError(field: "name", code: "invalid_length", detail: "a room keeps a name"))
        default:
            break
        }
    }

    static func description(_ text: String?, into errors: inout [FieldError]) {
        if let text, text.count > roomDescriptionMaxLength {
            errors.append(FieldError(field: "description", code: "invalid_length", detail: "at most 1000 characters"))
        }
    }

    static func participantCount(_ count: Int, into errors: inout [FieldError]) {
        if count > maxParticipantsAtCreation {
            errors.append(FieldError(field: "participantIds", code: "too_many", detail: "at most 500 participants"))
        }
    }

    /// Message text: not blank, no NUL (PostgreSQL text cannot hold it, and a
    /// message that silently lost its tail would be worse), at most `maxLength`.
    static func content(_ content: String, maxLength: Int) throws -> String {
        let trimmed = content.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw AppError.validation([FieldError(field: "content", code: "invalid_length", detail: "must not be empty")])
        }
        guard !content.unicodeScalars.contains("\u{0}") else {
            throw AppError.validation([FieldError(field: "content", code: "invalid_value", detail: "must not contain NUL characters")])
        }
        guard content.count <= maxLength else {
            throw AppError.validation([FieldError(field: "content", code: "invalid_length", detail: "at most \(maxLength) characters")])
        }
        return content
    }

    /// The type a person may send (system messages are the service's own).
    static func sentMessageType(_ text: String?) throws -> MessageType {
        guard let type = MessageType(rawValue: text ?? MessageType.text.rawValue), type.sentByPeople else {
            throw AppError.validation([FieldError(field: "messageType", code: "invalid_value", detail: "must be text or emoji")])
        }
        return type
    }

    static func clientMessageId(_ id: String?) throws {
        if let id, !clientMessageIdLength.contains(id.count) {
            throw AppError.validation([FieldError(field: "clientMessageId", code: "invalid_length", detail: "1 to 100 characters")])
        }
    }

    static func role(_ text: String) throws -> RoomRole {
        guard let role = RoomRole(rawValue: text) else {
            throw AppError.validation([FieldError(field: "role", code: "invalid_value", detail: "must be owner, admin or member")])
        }
        return role
    }

    /// `limit` of a history page.
    static func pageLimit(_ text: String?) throws -> Int {
        guard let limit = Int(text ?? String(defaultPageSize)), pageSize.contains(limit) else {
            throw AppError.badRequest("invalid_limit", "limit must be an integer from 1 to 200.")
        }
        return limit
    }
}
