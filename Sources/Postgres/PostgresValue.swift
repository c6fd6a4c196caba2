import Foundation
import ServiceKit
import ChatProtocol

/// A Swift value that can be sent to PostgreSQL as a text-format statement parameter.
///
/// Values travel separately from the SQL text (`PQexecParams`), so nothing a
/// user types is ever spliced into a statement.
public protocol PostgresBindable: Sendable {
    /// The parameter in PostgreSQL's text format, or nil for SQL NULL.
    var postgresText: String? { get }
}

/// A Swift value that can be read from a text-format result column.
public protocol PostgresDecodable: Sendable {
    init(postgresText text: String) throws
}

extension String: PostgresBindable, PostgresDecodable {
    public var postgresText: String? { self }
    public init(postgresText text: String) { self = text }
}

extension Int: PostgresBindable, PostgresDecodable {
    public var postgresText: String? { String(self) }
    public init(postgresText text: String) throws {
        guard let value = Int(text) else { throw PostgresError.decoding(text, as: Int.self) }
        self = value
    }
}

extension Int64: PostgresBindable, PostgresDecodable {
    public var postgresText: String? { String(self) }
    public init(postgresText text: String) throws {
        guard let value = Int64(text) else { throw PostgresError.decoding(text, as: Int64.self) }
        self = value
    }
}

extension Double: PostgresBindable, PostgresDecodable {
    public var postgresText: String? { String(self) }
    public init(postgresText text: String) throws {
        guard let value = Double(text) else { throw PostgresError.decoding(text, as: Double.self) }
        self = value
    }
}

extension Bool: PostgresBindable, PostgresDecodable {
    public var postgresText: String? { self ? "t" : "f" }
    public init(postgresText text: String) throws {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw PostgresError.decoding(text, as: Bool.self)
        }
    }
}

extension UUID: PostgresBindable, PostgresDecodable {
    public var postgresText: String? { uuidString.lowercased() }
    public init(postgresText text: String) throws {
        guard let value = UUID(uuidString: text) else { throw PostgresError.decoding(text, as: UUID.self) }
        self = value
    }
}

extension Date: PostgresBindable, PostgresDecodable {
    /// Sent as an ISO 8601 instant in UTC with microseconds, which `timestamptz` accepts exactly.
    public var postgresText: String? { ISO8601.format(self) }
    public init(postgresText text: String) throws {
        guard let value = ISO8601.parse(text) else { throw PostgresError.decoding(text, as: Date.self) }
        self = value
    }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    public var postgresText: String? { self.flatMap { $0.postgresText } }
}

extension PostgresError {
    static func decoding<T>(_ text: String, as type: T.Type) -> PostgresError {
        PostgresError(kind: .decoding, message: "cannot read \(text.prefix(64).debugDescription) as \(T.self)")
    }
}
