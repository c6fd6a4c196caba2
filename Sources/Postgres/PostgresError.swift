/// A failure reported by libpq or the PostgreSQL server, with the server's own words.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The connection could not be made or was lost; the statement may not have run.
        case connection
        /// The server rejected the statement (see `sqlState`).
        case server
        /// A column could not be turned into the requested Swift type.
        case decoding
    }

    public var kind: Kind
    public var message: String
    /// The five-character SQLSTATE code, e.g. `23505` for a unique violation.
    public var sqlState: String?
    /// The constraint named by the server for integrity violations.
    public var constraint: String?
    public var detail: String?

    public init(kind: Kind, message: String, sqlState: String? = nil, constraint: String? = nil, detail: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.constraint = constraint
        self.detail = detail
    }

    public var isUniqueViolation: Bool { sqlState == "23505" }
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    public var isSerializationFailure: Bool { sqlState == "40001" || sqlState == "40P01" }

    public var description: String {
        var text = "PostgresError(\(kind)): \(message)"
        if let sqlState { text += " [\(sqlState)]" }
        if let constraint { text += " constraint=\(constraint)" }
        return text
    }
}
