import NIOCore

/// Reads the few fields the load generator needs out of an event's JSON bytes
/// without decoding the document: this process must stay cheap next to the
/// services it measures.
struct FrameScan {
    static let created = Array(#""type":"message.created""#.utf8)
    static let seq = Array(#""seq":"#.utf8)
    static let clientId = Array(#""clientMessageId":""#.utf8)
    static let roomId = Array(#""roomId":""#.utf8)
    static let ready = Array(#""type":"ready""#.utf8)

    struct Delivery {
        var roomId: String
        var seq: Int64
        /// The send time this run wrote into the client message id (`<run>-<nanos>-<n>`), if it is one of ours.
        var sentAt: UInt64?
    }

    static func delivery(_ buffer: ByteBuffer, run: String) -> Delivery? {
        buffer.withUnsafeReadableBytes { raw -> Delivery? in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard find(created, in: bytes) != nil,
                let value = integer(after: seq, in: bytes), let roomAt = find(roomId, in: bytes)
            else { return nil }
            let room = String(decoding: bytes[roomAt..<min(bytes.count, roomAt + 36)], as: UTF8.self)
            var sentAt: UInt64?
            if let idAt = find(clientId, in: bytes) {
                var end = idAt
                while end < bytes.count, bytes[end] != 34 { end += 1 }
                let id = String(decoding: bytes[idAt..<end], as: UTF8.self).split(separator: "-")
                if id.count == 3, id[0] == run { sentAt = UInt64(id[1]) }
            }
            return Delivery(roomId: room, seq: value, sentAt: sentAt)
        }
    }

    /// True for the `ready` event a connection starts with.
    static func isReady(_ buffer: ByteBuffer) -> Bool {
        buffer.withUnsafeReadableBytes { find(ready, in: $0.bindMemory(to: UInt8.self)) != nil }
    }

    /// The digits right after the first occurrence of `pattern` (e.g. `"seq":`), as a number.
    static func integer(after pattern: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard var index = find(pattern, in: bytes) else { return nil }
        var value: Int64 = 0
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
            value = value * 10 + Int64(bytes[index] - 48)
            index += 1
        }
        return value
    }

    /// The index just after the first occurrence of `pattern`.
    static func find(_ pattern: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count >= pattern.count, let first = pattern.first else { return nil }
        var index = 0
        let last = bytes.count - pattern.count
        while index <= last {
            if bytes[index] == first {
                var matched = true
                for offset in 1..<pattern.count where bytes[index + offset] != pattern[offset] {
                    matched = false
                    break
                }
                if matched { return index + pattern.count }
            }
            index += 1
        }
        return nil
    }
}
