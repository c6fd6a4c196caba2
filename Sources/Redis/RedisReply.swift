import CHiredis

/// A Redis reply copied out of hiredis's `redisReply` tree.
public enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    case string([UInt8])
    case null
    case array([RedisReply])

    init(_ reply: UnsafePointer<redisReply>) {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STATUS:
            self = .status(Self.text(value))
        case REDIS_REPLY_ERROR:
            self = .error(Self.text(value))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int64(value.integer))
        case REDIS_REPLY_STRING:
            self = .string(Self.bytes(value))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            if let children = value.element {
                for index in 0..<Int(value.elements) {
                    if let child = children[index] { elements.append(RedisReply(child)) }
                }
            }
            self = .array(elements)
        default:
            self = .null
        }
    }

    private static func bytes(_ value: redisReply) -> [UInt8] {
        guard let pointer = value.str, value.len > 0 else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: Int(value.len)) {
            Array(UnsafeBufferPointer(start: $0, count: Int(value.len)))
        }
    }

    private static func text(_ value: redisReply) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// The reply as text, for bulk strings and status replies.
    public var text: String? {
        switch self {
        case let .string(bytes): String(decoding: bytes, as: UTF8.self)
        case let .status(text): text
        default: nil
        }
    }
}

public struct RedisError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case connection, server }
    public var kind: Kind
    public var message: String
    public var description: String { "RedisError(\(kind)): \(message)" }
}
