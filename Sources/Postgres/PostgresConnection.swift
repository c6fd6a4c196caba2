import CLibPQ
import Foundation

/// One libpq connection (`PGconn*`), owned by exactly one instance and freed once.
///
/// Every method blocks the calling thread on network I/O, so a connection is
/// only ever used from a `PostgresPool` worker thread, never from an event
/// loop. The type is deliberately not `Sendable`: the pool hands it to one
/// closure at a time under a lock.
public final class PostgresConnection {
    private let handle: OpaquePointer
    /// Statements prepared on this session (SQL → name): parsed and planned once, then only executed.
    private var prepared: [String: String] = [:]

    /// Opens a connection described by a libpq URL (`postgresql://…?sslmode=verify-full&sslrootcert=…`).
    /// The session is pinned to UTC and ISO dates so timestamps decode exactly.
    public static func connect(url: String) throws -> PostgresConnection {
        let keywords = ["application_name", "dbname"]
        let values = [ProcessInfo.processInfo.processName, url]
        let conn = withCStrings(keywords) { keywordPointers in
            withCStrings(values) { valuePointers in
                // expand_dbname=1 lets dbname be a full connection URL; keywords after it would override the URL's.
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let conn else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(conn)
            throw PostgresError(kind: .connection, message: message)
        }
        let connection = PostgresConnection(handle: conn)
        try connection.executeScript("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'")
        return connection
    }

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        PQfinish(handle)
    }

    /// False once the connection is known to be unusable. An idle connection
    /// that has data waiting was told something by the server (a restart
    /// sends a FATAL message and closes), so it is treated as broken too.
    public var isUsable: Bool {
        guard PQstatus(handle) == CONNECTION_OK, PQtransactionStatus(handle) == PQTRANS_IDLE else { return false }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        return ready == 0
    }

    /// True when the server reported TLS in use for this session.
    public var usesTLS: Bool { PQsslInUse(handle) == 1 }

    /// Runs one parameterized statement and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresBindable] = []) throws -> PostgresRows {
        let texts = parameters.map(\.postgresText)
        let result = withOptionalCStrings(texts) { pointers in
            PQexecParams(handle, sql, Int32(texts.count), nil, pointers, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Runs one parameterized statement as a prepared statement of this session: the first
    /// use parses it (`PQprepare`), every later one only binds and executes (`PQexecPrepared`),
    /// so a statement run on every request is not parsed and planned again each time.
    /// PostgreSQL plans it per call at first and keeps a generic plan only if that costs no more.
    @discardableResult
    public func queryPrepared(_ sql: String, _ parameters: [any PostgresBindable] = []) throws -> PostgresRows {
        let texts = parameters.map(\.postgresText)
        let name: String
        if let known = prepared[sql] {
            name = known
        } else {
            name = "microchat_\(prepared.count + 1)"
            _ = try consume(PQprepare(handle, name, sql, Int32(texts.count), nil))
            prepared[sql] = name
        }
        let result = withOptionalCStrings(texts) { pointers in
            PQexecPrepared(handle, name, Int32(texts.count), pointers, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Runs SQL that may hold several statements and no parameters (migrations).
    public func executeScript(_ sql: String) throws {
        _ = try consume(PQexec(handle, sql))
    }

    /// Runs `body` inside BEGIN … COMMIT, rolling back if it throws.
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try query("BEGIN")
        do {
            let value = try body(self)
            try query("COMMIT")
            return value
        } catch {
            if PQstatus(handle) == CONNECTION_OK {
                _ = try? query("ROLLBACK")
            }
            throw error
        }
    }

    /// Sends many parameterized statements in libpq pipeline mode: one network
    /// round trip for the whole batch instead of one per statement. Each
    /// statement's outcome is reported separately; a failed statement aborts
    /// the statements after it up to the next sync point, which is after each
    /// statement here, so one bad row does not sink the batch.
    public func pipeline(_ statements: [(sql: String, parameters: [any PostgresBindable])]) throws -> [Result<PostgresRows, PostgresError>]
    {
        guard !statements.isEmpty else { return [] }
        guard PQenterPipelineMode(handle) == 1 else { throw lastError(kind: .connection) }
        defer { _ = PQexitPipelineMode(handle) }
        for statement in statements {
            let texts = statement.parameters.map(\.postgresText)
            let sent = withOptionalCStrings(texts) { pointers in
                PQsendQueryParams(handle, statement.sql, Int32(texts.count), nil, pointers, nil, nil, 0)
            }
            guard sent == 1, PQpipelineSync(handle) == 1 else { throw lastError(kind: .connection) }
        }
        guard PQflush(handle) == 0 else { throw lastError(kind: .connection) }
        var outcomes: [Result<PostgresRows, PostgresError>] = []
        outcomes.reserveCapacity(statements.count)
        for _ in statements {
            var outcome: Result<PostgresRows, PostgresError>?
            while true {
                guard let result = PQgetResult(handle) else {
                    if PQstatus(handle) != CONNECTION_OK { throw lastError(kind: .connection) }
                    continue
                }
                let status = PQresultStatus(result)
                if status == PGRES_PIPELINE_SYNC {
                    PQclear(result)
                    break
                }
                if outcome == nil {
                    do {
                        outcome = .success(try consume(result))
                    } catch let error as PostgresError {
                        outcome = .failure(error)
                    }
                } else {
                    PQclear(result)
                }
            }
            outcomes.append(outcome ?? .failure(PostgresError(kind: .server, message: "statement returned no result")))
        }
        return outcomes
    }

    private func consume(_ result: OpaquePointer?) throws -> PostgresRows {
        guard let result else { throw lastError(kind: .connection) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE:
            return readRows(result)
        case PGRES_PIPELINE_ABORTED:
            throw PostgresError(kind: .server, message: "statement skipped: an earlier statement in the pipeline failed")
        default:
            if PQstatus(handle) != CONNECTION_OK {
                throw lastError(kind: .connection)
            }
            throw PostgresError(
                kind: .server,
                message: field(result, DiagnosticField.messagePrimary) ?? String(cString: PQresultErrorMessage(result)),
                sqlState: field(result, DiagnosticField.sqlState),
                constraint: field(result, DiagnosticField.constraintName),
                detail: field(result, DiagnosticField.messageDetail)
            )
        }
    }

    private func readRows(_ result: OpaquePointer) -> PostgresRows {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        var columns: [String] = []
        var index: [String: Int] = [:]
        for column in 0..<columnCount {
            let name = String(cString: PQfname(result, Int32(column)))
            columns.append(name)
            index[name] = index[name] ?? column
        }
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
            rows.append(PostgresRow(columnIndex: index, values: values))
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresRows(columns: columns, rows: rows, affectedRows: affected)
    }

    private func field(_ result: OpaquePointer, _ code: Int32) -> String? {
        guard let pointer = PQresultErrorField(result, code) else { return nil }
        return String(cString: pointer)
    }

    private func lastError(kind: PostgresError.Kind) -> PostgresError {
        let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
        let isBroken = PQstatus(handle) != CONNECTION_OK
        return PostgresError(kind: isBroken ? .connection : kind, message: message.isEmpty ? "unknown libpq error" : message)
    }
}

/// Calls `body` with a NULL-terminated array of C strings that live for the call.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let duplicated: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { duplicated.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = duplicated.map { $0.map { UnsafePointer($0) } }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { buffer in body(buffer.baseAddress) }
}

private func withOptionalCStrings<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    guard !strings.isEmpty else { return body(nil) }
    let duplicated: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { duplicated.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = duplicated.map { $0.map { UnsafePointer($0) } }
    return pointers.withUnsafeBufferPointer { buffer in body(buffer.baseAddress) }
}

/// libpq's `PG_DIAG_*` codes are character-literal macros, which Swift does not import.
private enum DiagnosticField {
    static let sqlState = Int32(UInt8(ascii: "C"))
    static let messagePrimary = Int32(UInt8(ascii: "M"))
    static let messageDetail = Int32(UInt8(ascii: "D"))
    static let constraintName = Int32(UInt8(ascii: "n"))
}
