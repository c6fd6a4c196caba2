import Foundation
import Hummingbird
import NIOCore
import ChatProtocol

extension Request {
    /// Reads and decodes a JSON body with clear errors: 415 for a non-JSON
    /// content type, 413 above the context's size limit, 400 for malformed
    /// JSON, unknown fields, or fields of the wrong type.
    public mutating func decodeJSON<T: StrictDecodable>(as type: T.Type, context: some RequestContext) async throws -> T {
        if let contentType = headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw AppError(.unsupportedMediaType, code: "unsupported_media_type", detail: "Send the body as application/json.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await collectBody(upTo: context.maxUploadSize)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw AppError(.contentTooLarge, code: "payload_too_large", detail: "The body is larger than \(context.maxUploadSize) bytes.")
        }
        return try JSONBody.decode(T.self, from: Data(buffer: buffer))
    }
}

public enum JSONBody {
    /// True when `value` is, or holds anywhere inside, a string with U+0000.
    static func containsNul(_ value: Any?) -> Bool {
        switch value {
        case let text as String: return text.unicodeScalars.contains("\u{0}")
        case let list as [Any]: return list.contains { containsNul($0) }
        case let object as [String: Any]: return object.keys.contains { containsNul($0) } || object.values.contains { containsNul($0) }
        default: return false
        }
    }

    public static func decode<T: StrictDecodable>(_ type: T.Type, from data: Data) throws -> T {
        guard !data.isEmpty else { throw AppError.badRequest("malformed_json", "The request needs a JSON body.") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw AppError.badRequest("malformed_json", "The body is not valid JSON.")
        }
        guard let dictionary = object as? [String: Any] else {
            throw AppError.badRequest("malformed_json", "The body must be a JSON object.")
        }
        let unknown = Set(dictionary.keys).subtracting(T.fields).sorted()
        if !unknown.isEmpty {
            throw AppError(
                .badRequest, code: "unknown_field", detail: "Unknown field(s): \(unknown.joined(separator: ", ")).",
                errors: unknown.map { FieldError(field: $0, code: "unknown_field", detail: "not a field of this request") }
            )
        }
        // PostgreSQL text cannot hold U+0000: such a string is refused here, for every field of every body.
        let withNul = dictionary.keys.filter { containsNul(dictionary[$0]) }.sorted()
        if !withNul.isEmpty {
            throw AppError.validation(
                withNul.map { FieldError(field: $0, code: "invalid_character", detail: "must not contain the NUL character (U+0000)") })
        }
        do {
            return try JSONCoding.decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw describe(error)
        }
    }

    static func describe(_ error: DecodingError) -> AppError {
        func path(_ context: DecodingError.Context, _ extra: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (extra.map { [$0] } ?? [])
            let text = keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return text.isEmpty ? "body" : text
        }
        switch error {
        case let .typeMismatch(type, context):
            let field = path(context)
            return AppError(
                .badRequest, code: "wrong_type", detail: "\(field) must be \(describe(type)).",
                errors: [FieldError(field: field, code: "wrong_type", detail: "expected \(describe(type))")])
        case let .valueNotFound(type, context):
            let field = path(context)
            return AppError(
                .badRequest, code: "wrong_type", detail: "\(field) must be \(describe(type)), not null.",
                errors: [FieldError(field: field, code: "wrong_type", detail: "expected \(describe(type))")])
        case let .keyNotFound(key, context):
            let field = path(context, key)
            return AppError(
                .badRequest, code: "missing_field", detail: "\(field) is required.",
                errors: [FieldError(field: field, code: "missing_field", detail: "required")])
        case let .dataCorrupted(context):
            let field = path(context)
            return AppError(
                .badRequest, code: "invalid_value", detail: "\(field): \(context.debugDescription)",
                errors: [FieldError(field: field, code: "invalid_value", detail: context.debugDescription)])
        @unknown default:
            return AppError.badRequest("malformed_json", "The body could not be read.")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is UUID.Type: "a UUID string"
        default: "\(type)".hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
