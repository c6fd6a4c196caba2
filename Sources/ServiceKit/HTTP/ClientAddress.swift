import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Address ranges (CIDR) whose `X-Forwarded-For` is believed: the proxies in
/// front of a service. Everyone else's header is ignored, so a client cannot
/// pick the address it is counted under.
public struct TrustedProxies: Sendable, Equatable {
    struct Range: Sendable, Equatable {
        var bytes: [UInt8]
        var prefix: Int
    }

    let ranges: [Range]

    /// A comma-separated list like `10.0.0.0/8, ::1/128, 192.168.1.7`; `none` (or an empty list) trusts no one.
    public init(_ list: String) throws {
        var ranges: [Range] = []
        if list.trimmingCharacters(in: .whitespaces).lowercased() == "none" { self.ranges = []; return }
        for item in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: "/", maxSplits: 1).map(String.init)
            guard let bytes = Self.bytes(of: parts[0]) else { throw InvalidRange(text: item) }
            let prefix = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
            guard let prefix, prefix >= 0, prefix <= bytes.count * 8 else { throw InvalidRange(text: item) }
            ranges.append(Range(bytes: bytes, prefix: prefix))
        }
        self.ranges = ranges
    }

    public struct InvalidRange: Error, CustomStringConvertible {
        public var text: String
        public var description: String { "not an address or CIDR range: \(text)" }
    }

    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address) else { return false }
        return ranges.contains { range in
            guard range.bytes.count == bytes.count else { return false }
            var remaining = range.prefix
            for index in bytes.indices where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if bytes[index] & mask != range.bytes[index] & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    /// An IPv4 or IPv6 address in network byte order (an IPv4-mapped IPv6 address as IPv4).
    public static func bytes(of text: String) -> [UInt8]? {
        var address = text
        if address.hasPrefix("[") && address.hasSuffix("]") { address = String(address.dropFirst().dropLast()) }
        if let v4 = try? SocketAddress(ipAddress: address, port: 0), case let .v4(inner) = v4 {
            return withUnsafeBytes(of: inner.address.sin_addr.s_addr) { Array($0) }
        }
        if let v6 = try? SocketAddress(ipAddress: address, port: 0), case let .v6(inner) = v6 {
            let bytes = withUnsafeBytes(of: inner.address.sin6_addr) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes[12...]) }
            return bytes
        }
        return nil
    }

    /// The client's address: the peer, unless the peer is a trusted proxy, then the
    /// nearest address in `X-Forwarded-For` (read from the right) that is not one.
    public func clientAddress(peer: String?, forwardedFor: String?) -> String? {
        guard let peer else { return nil }
        guard contains(peer), let forwardedFor else { return peer }
        let chain = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var client = peer
        for hop in chain.reversed() {
            guard Self.bytes(of: hop) != nil else { break }  // garbage: stop at the last address we could read
            client = hop
            if !contains(hop) { break }
        }
        return client
    }
}
