import CHiredis
import Foundation

/// Where a Redis server listens, parsed from `redis://host:port`.
public struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// Sent with `AUTH` right after connecting, when set (an ACL user name with it, when given).
    public var username: String?
    public var password: String?

    public init(host: String, port: Int, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }

    /// Accepts `redis://[[user]:password@]host:port` (the database number, if any, is ignored: pub/sub spans databases).
    public init?(url: String) {
        guard let components = URLComponents(string: url), components.scheme == "redis",
              let host = components.host, !host.isEmpty else { return nil }
        let user = components.user.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding }
        let password = components.password.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding }
        self.init(host: host, port: components.port ?? 6379, username: user, password: password)
    }

    /// The address, never the password.
    public var description: String { "redis://\(host):\(port)" }
}

/// One hiredis connection (`redisContext*`), owned by exactly one instance and
/// freed once. Its calls block, so it lives on a worker or subscriber thread,
/// never on an event loop; it is not `Sendable` and is handed around under a lock.
final class RedisConnection {
    let context: UnsafeMutablePointer<redisContext>

    init(endpoint: RedisEndpoint, timeout: Duration = .seconds(2)) throws {
        let seconds = Int(timeout.components.seconds)
        let micros = Int(timeout.components.attoseconds / 1_000_000_000_000)
        let tv = timeval(tv_sec: seconds, tv_usec: micros)
        guard let context = redisConnectWithTimeout(endpoint.host, Int32(endpoint.port), tv) else {
            throw RedisError(kind: .connection, message: "hiredis could not allocate a context")
        }
        if context.pointee.err != 0 {
            let message = Self.errorText(context)
            redisFree(context)
            throw RedisError(kind: .connection, message: "\(endpoint): \(message)")
        }
        // Commands time out too, so a stalled server cannot hang a worker thread forever.
        _ = redisSetTimeout(context, tv)
        self.context = context
        if let password = endpoint.password {
            let arguments = [Array("AUTH".utf8)] + (endpoint.username.map { [Array($0.utf8)] } ?? []) + [Array(password.utf8)]
            do {
                _ = try command(arguments)
            } catch let error as RedisError where error.kind == .server {
                throw RedisError(kind: .server, message: "\(endpoint) refused the credentials: \(error.message)")
            }
        }
    }

    deinit {
        redisFree(context)
    }

    var fileDescriptor: Int32 { context.pointee.fd }

    /// Sends one command and waits for its reply.
    func command(_ arguments: [[UInt8]]) throws -> RedisReply {
        let raw = try withArgv(arguments) { count, argv, lengths in
            redisCommandArgv(context, count, argv, lengths)
        }
        guard let raw else { throw connectionError() }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        let value = RedisReply(reply)
        if case let .error(message) = value { throw RedisError(kind: .server, message: message) }
        return value
    }

    /// Sends several commands at once and reads their replies in order: one
    /// round trip for all of them. A server error answers its own command only.
    func pipeline(_ commands: [[[UInt8]]]) throws -> [RedisReply] {
        for arguments in commands { try append(arguments) }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw connectionError() }
            replies.append(RedisReply(raw.assumingMemoryBound(to: redisReply.self)))
            freeReplyObject(raw)
        }
        return replies
    }

    /// Queues a command in hiredis's output buffer without waiting (subscriber mode).
    func append(_ arguments: [[UInt8]]) throws {
        let status = try withArgv(arguments) { count, argv, lengths in
            redisAppendCommandArgv(context, count, argv, lengths)
        }
        guard status == REDIS_OK else { throw connectionError() }
    }

    /// Writes everything queued by `append`.
    func flush() throws {
        var done: Int32 = 0
        while done == 0 {
            guard redisBufferWrite(context, &done) == REDIS_OK else { throw connectionError() }
        }
    }

    /// Reads what the socket has (call only when it is readable) and returns the complete replies.
    func readAvailable() throws -> [RedisReply] {
        guard redisBufferRead(context) == REDIS_OK else { throw connectionError() }
        var replies: [RedisReply] = []
        while true {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReplyFromReader(context, &raw) == REDIS_OK else { throw connectionError() }
            guard let raw else { break }
            replies.append(RedisReply(raw.assumingMemoryBound(to: redisReply.self)))
            freeReplyObject(raw)
        }
        return replies
    }

    private func connectionError() -> RedisError {
        RedisError(kind: .connection, message: context.pointee.err != 0 ? Self.errorText(context) : "connection lost")
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private func withArgv<R>(_ arguments: [[UInt8]], _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int>?) -> R) throws -> R {
        guard !arguments.isEmpty else { throw RedisError(kind: .server, message: "empty command") }
        let buffers: [UnsafeMutablePointer<CChar>] = arguments.map { argument in
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, argument.count))
            argument.withUnsafeBytes { raw in
                if let base = raw.baseAddress { UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: argument.count) }
            }
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        var pointers: [UnsafePointer<CChar>?] = buffers.map { UnsafePointer($0) }
        let lengths: [Int] = arguments.map(\.count)
        return pointers.withUnsafeMutableBufferPointer { argv in
            lengths.withUnsafeBufferPointer { lengthBuffer in
                body(Int32(arguments.count), argv.baseAddress, lengthBuffer.baseAddress)
            }
        }
    }
}
