import CHiredis
import Foundation

/// Where a Redis server listens, parsed from `redis://host:port`.
public struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// Sent with `AUTH` right after connecting, when set (an ACL user name with it, when given).
    public var username: String?
    public var password: String?
    /// `rediss://`: the connection is TLS, the server verified against `caFile` (or the system's roots).
    public var tls: Bool
    public var caFile: String?

    public init(host: String, port: Int, username: String? = nil, password: String? = nil, tls: Bool = false, caFile: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.tls = tls
        self.caFile = caFile
    }

    /// Accepts `redis://[[user]:password@]host:port` and, for TLS,
    /// `rediss://…?sslrootcert=/path/ca.crt` (the database number, if any, is
    /// ignored: pub/sub spans databases).
    public init?(url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme, ["redis", "rediss"].contains(scheme),
            let host = components.host, !host.isEmpty
        else { return nil }
        let user = components.user.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding }
        let password = components.password.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding }
        let caFile = components.queryItems?.first { $0.name == "sslrootcert" }?.value
        self.init(host: host, port: components.port ?? 6379, username: user, password: password, tls: scheme == "rediss", caFile: caFile)
    }

    /// The address, never the password.
    public var description: String { "\(tls ? "rediss" : "redis")://\(host):\(port)" }

    /// The tunnel a TLS endpoint is reached through (nil for plain TCP); a bad CA file is reported when connecting.
    func makeTunnel() -> Result<RedisTLSTunnel, any Error>? {
        guard tls else { return nil }
        return Result { try RedisTLSTunnel(host: host, port: port, caFile: caFile) }
    }
}

/// One hiredis connection (`redisContext*`), owned by exactly one instance and
/// freed once. Its calls block, so it lives on a worker or subscriber thread,
/// never on an event loop; it is not `Sendable` and is handed around under a lock.
final class RedisConnection {
    let context: UnsafeMutablePointer<redisContext>

    /// Connects to `endpoint`, through `tunnel` when the endpoint is TLS.
    init(endpoint: RedisEndpoint, tunnel: Result<RedisTLSTunnel, any Error>? = nil, timeout: Duration = .seconds(2)) throws {
        let seconds = Int(timeout.components.seconds)
        let micros = Int(timeout.components.attoseconds / 1_000_000_000_000)
        let tv = timeval(tv_sec: seconds, tv_usec: micros)
        var (host, port) = (endpoint.host, endpoint.port)
        if let tunnel {
            do {
                (host, port) = ("127.0.0.1", try tunnel.get().localPort())
            } catch {
                throw RedisError(kind: .connection, message: "\(endpoint): cannot set up TLS: \(error)")
            }
        }
        guard let context = redisConnectWithTimeout(host, Int32(port), tv) else {
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

    private func withArgv<R>(
        _ arguments: [[UInt8]], _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int>?) -> R
    ) throws -> R {
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
