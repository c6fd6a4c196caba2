import Foundation
import ServiceKit
import ChatProtocol

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
            throw AppError.validation([
                FieldError(field: "messageType", code: "invalid_value", detail: "must be text, emoji, file or image")
            ])
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

    /// A `limit` query parameter: a whole number in `range`, `fallback` when absent.
    /// `before` of a list paged by message id (mentions, saved messages): the `nextBefore` of the previous page.
    static func messageCursor(_ text: String?) throws -> UUID? {
        guard let text else { return nil }
        guard let id = UUID(uuidString: text) else {
            throw AppError.badRequest("invalid_cursor", "before must be a message id (nextBefore).")
        }
        return id
    }

    static func limit(_ text: String?, in range: ClosedRange<Int>, default fallback: Int) throws -> Int {
        guard let limit = Int(text ?? String(fallback)), range.contains(limit) else {
            throw AppError.badRequest("invalid_limit", "limit must be an integer from \(range.lowerBound) to \(range.upperBound).")
        }
        return limit
    }

    /// Attachments one message may carry.
    static let attachmentsPerMessage = 1...10

    /// An upload's name as the uploader gave it: a plain name (no folders), no
    /// control characters, at most 255 bytes. Without one, "file".
    static func filename(_ text: String?) throws -> String {
        guard let text else { return "file" }
        let name = text.trimmingCharacters(in: .whitespaces)
        func refuse(_ detail: String) -> AppError {
            AppError.validation([FieldError(field: "filename", code: "invalid_filename", detail: detail)])
        }
        guard !name.isEmpty, name.utf8.count <= 255 else { throw refuse("must be 1 to 255 bytes") }
        guard !name.contains("/"), !name.contains("\\"), name != ".", name != ".." else { throw refuse("must be a file name, not a path") }
        guard
            !name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) || $0.properties.generalCategory == .format }
            )
        else {
            throw refuse("must not contain control or invisible formatting characters")
        }
        return name
    }

    /// The uploads a `file` or `image` message names: 1 to 10, no repeats.
    static func attachmentIds(_ ids: [UUID]?, for type: MessageType) throws -> [UUID] {
        let ids = ids ?? []
        guard type.carriesAttachments else {
            guard ids.isEmpty else {
                throw AppError.validation([
                    FieldError(field: "attachmentIds", code: "invalid_value", detail: "only file and image messages carry attachments")
                ])
            }
            return []
        }
        guard attachmentsPerMessage.contains(ids.count) else {
            throw AppError.validation([
                FieldError(field: "attachmentIds", code: "invalid_length", detail: "a \(type.rawValue) message carries 1 to 10 uploads")
            ])
        }
        guard Set(ids).count == ids.count else {
            throw AppError.validation([FieldError(field: "attachmentIds", code: "duplicate", detail: "each upload once")])
        }
        return ids
    }

    /// Distinct emoji one message may carry.
    static let maxEmojiPerMessage = 20

    /// A reaction: exactly one emoji — a single grapheme (flags, skin tones and
    /// ZWJ sequences included) that is drawn as an emoji: one with emoji
    /// presentation, or asked for with U+FE0F, or a keycap. Plain letters,
    /// digits, punctuation and text symbols are refused.
    static func emoji(_ text: String?) throws -> String {
        func refuse() -> AppError {
            AppError.validation([FieldError(field: "emoji", code: "invalid_emoji", detail: "must be exactly one emoji")])
        }
        guard let text, text.count == 1, text.utf8.count <= 64, let character = text.first else { throw refuse() }
        let scalars = character.unicodeScalars
        let drawnAsEmoji =
            scalars.contains { $0.properties.isEmojiPresentation }
            || (scalars.contains("\u{FE0F}") && scalars.contains { $0.properties.isEmoji && !$0.isASCII })
            || scalars.contains("\u{20E3}")
        guard drawnAsEmoji,
            !scalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " })
        else { throw refuse() }
        return text
    }

    /// A search: 1 to 200 characters once trimmed.
    static func searchQuery(_ text: String?) throws -> String {
        let query = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(query.count), !query.unicodeScalars.contains("\u{0}") else {
            throw AppError.badRequest("invalid_query", "q must be 1 to 200 characters of search text.")
        }
        return query
    }

    /// Results per search or mentions page.
    static let resultPageSize = 1...50
    static let defaultResultPageSize = 20
}
