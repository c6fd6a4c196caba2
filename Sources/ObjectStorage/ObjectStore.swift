import NIOCore

/// Where uploaded files live: one interface, two real backends — the local
/// file system (`FileObjectStore`, the default for `./microchat up`) and any
/// S3-compatible service (`S3ObjectStore`: AWS, MinIO, Google Cloud Storage's
/// XML API with HMAC keys).
///
/// Objects are written through a writer, chunk by chunk as they arrive, so an
/// upload is never held in memory whole; a writer that is aborted (a refused or
/// broken upload) leaves nothing behind.
public protocol ObjectStore: Sendable {
    /// Starts writing the object `key`; it exists only once the writer finishes.
    func makeWriter(key: String, contentType: String) async throws -> any ObjectWriter
    /// Streams `range` (inclusive byte offsets) of the object to `consume`, in order.
    func read(key: String, range: ClosedRange<Int>, _ consume: (ByteBuffer) async throws -> Void) async throws
    /// Removes the object; removing one that is not there is not an error.
    func delete(key: String) async throws
}

/// One object being written. Used by one task at a time.
public protocol ObjectWriter: Sendable {
    func write(_ chunk: ByteBuffer) async throws
    /// Makes the object visible under its key; returns its size in bytes.
    func finish() async throws -> Int
    /// Drops everything written so far.
    func abort() async
}

public enum ObjectStoreError: Error, Equatable, CustomStringConvertible {
    case notFound(key: String)
    /// The backend cannot be reached or failed; the text is for the log, not for clients.
    case unavailable(String)
    case invalidKey(String)

    public var description: String {
        switch self {
        case let .notFound(key): "no object \(key)"
        case let .unavailable(reason): "object storage unavailable: \(reason)"
        case let .invalidKey(key): "not a storage key: \(key)"
        }
    }

    /// Keys are made by the services (`attachments/<room>/<id>`): letters, digits, `-`, `_`, `.`, `/` only, no `..`.
    static func check(_ key: String) throws {
        let allowed = key.utf8.allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || [45, 95, 46, 47].contains(byte)
        }
        guard !key.isEmpty, key.utf8.count <= 512, allowed, !key.hasPrefix("/"), !key.split(separator: "/").contains("..") else {
            throw ObjectStoreError.invalidKey(key)
        }
    }
}
