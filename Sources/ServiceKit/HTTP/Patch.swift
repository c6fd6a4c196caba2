import Foundation
import Hummingbird
import NIOCore

/// A PATCH field: absent (leave alone), null (clear) or a new value.
public enum Patch<Value: Decodable & Sendable>: Sendable {
    case absent
    case clear
    case set(Value)
}

extension KeyedDecodingContainer {
    public func decodePatch<Value: Decodable & Sendable>(_ type: Value.Type, forKey key: Key) throws -> Patch<Value> {
        guard contains(key) else { return .absent }
        if try decodeNil(forKey: key) { return .clear }
        return .set(try decode(Value.self, forKey: key))
    }
}
