/// The rows of one statement's result, copied out of libpq's buffers so they
/// can cross threads freely once the `PGresult` is gone.
public struct PostgresRows: Sendable, Sequence {
    public let columns: [String]
    public let rows: [PostgresRow]
    /// The number of rows the statement inserted, updated or deleted.
    public let affectedRows: Int

    public func makeIterator() -> IndexingIterator<[PostgresRow]> { rows.makeIterator() }
    public var first: PostgresRow? { rows.first }
    public var count: Int { rows.count }
    public var isEmpty: Bool { rows.isEmpty }
}

public struct PostgresRow: Sendable {
    let columnIndex: [String: Int]
    let values: [String?]

    /// Reads the named column as `T`; a NULL where `T` is not optional is a decoding error.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let text = try raw(column) else {
            throw PostgresError(kind: .decoding, message: "column \(column) is NULL, expected \(T.self)")
        }
        return try T(postgresText: text)
    }

    /// Reads the named column as `T`, mapping SQL NULL to nil.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T?.Type) throws -> T? {
        guard let text = try raw(column) else { return nil }
        return try T(postgresText: text)
    }

    /// The column's text as the server sent it, or nil for NULL.
    public func raw(_ column: String) throws -> String? {
        guard let index = columnIndex[column] else {
            throw PostgresError(kind: .decoding, message: "no column named \(column)")
        }
        return values[index]
    }
}
