import Foundation

/// What per-address limits count a client under. An IPv4 address is one client;
/// an IPv6 client usually holds a whole network (a /64 is one subscriber's line,
/// and addresses inside it rotate freely), so it is counted by its network of
/// `ipv6Prefix` bits: rotating inside the /64 buys no new allowance.
public enum ClientNetwork {
    /// `192.0.2.7` for an IPv4 (or IPv4-mapped) address, `2001:db8:1:2::/64` for
    /// an IPv6 one; text that is no address is its own key.
    public static func key(for address: String, ipv6Prefix: Int) -> String {
        guard let bytes = TrustedProxies.bytes(of: address) else { return address }
        if bytes.count == 4 { return bytes.map { String($0) }.joined(separator: ".") }
        let prefix = max(0, min(128, ipv6Prefix))
        var network = bytes
        for index in network.indices {
            let first = index * 8
            if first >= prefix {
                network[index] = 0
            } else if first + 8 > prefix {
                network[index] &= UInt8(truncatingIfNeeded: 0xFF << (8 - (prefix - first)))
            }
        }
        let groups = stride(from: 0, to: 16, by: 2).map { String(UInt16(network[$0]) << 8 | UInt16(network[$0 + 1]), radix: 16) }
        return compressed(groups) + "/\(prefix)"
    }

    /// RFC 5952's short form: the longest run of two or more zero groups becomes `::`.
    static func compressed(_ groups: [String]) -> String {
        var best: Range<Int>?
        var index = 0
        while index < groups.count {
            guard groups[index] == "0" else { index += 1; continue }
            var end = index
            while end < groups.count && groups[end] == "0" { end += 1 }
            if end - index >= 2 && end - index > (best?.count ?? 0) { best = index..<end }
            index = end
        }
        guard let run = best else { return groups.joined(separator: ":") }
        return groups[..<run.lowerBound].joined(separator: ":") + "::" + groups[run.upperBound...].joined(separator: ":")
    }
}
