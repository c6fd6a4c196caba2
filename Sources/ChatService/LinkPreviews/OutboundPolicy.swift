import Foundation
import NIOCore
import ServiceKit

/// Where the link-preview fetcher may connect: public unicast addresses on the web's
/// ports (80 and 443: the fetcher is no port scanner of the internet) only. The
/// check is made on the addresses a host name resolved to — the ones then connected
/// to — so neither a name pointing inside (DNS rebinding included) nor a redirect to
/// one gets through. `allowedTargets` lets named `address:port` pairs through anyway:
/// the tests' local servers, or an operator's intranet site.
struct OutboundPolicy: Sendable {
    /// Loopback, private, shared, link-local (cloud metadata), documentation, benchmarking,
    /// multicast and reserved ranges of both families, and the IPv6 forms that embed an
    /// IPv4 address (NAT64, 6to4, Teredo, IPv4-compatible) — IPv4-mapped ones are read as IPv4.
    static let nonPublic = """
        0.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12, 192.0.0.0/24, 192.0.2.0/24,
        192.88.99.0/24, 192.168.0.0/16, 198.18.0.0/15, 198.51.100.0/24, 203.0.113.0/24, 224.0.0.0/4, 240.0.0.0/4,
        ::/96, ::1/128, 64:ff9b::/96, 64:ff9b:1::/48, 100::/64, 2001::/23, 2001:db8::/32, 2002::/16, 3fff::/20,
        fc00::/7, fe80::/10, fec0::/10, ff00::/8
        """

    /// What a refused link is told, whether its host resolves inside or not at all (so neither can be told apart).
    static let notPublic = "the link's host is not on the public internet"
    /// The only ports asked on a public address.
    static let webPorts: Set<Int> = [80, 443]

    private let blocked: TrustedProxies
    /// `address:port` pairs (`[v6]:port` for IPv6) allowed although their address is not public.
    let allowedTargets: Set<String>

    init(allowedTargets: [String] = []) throws {
        blocked = try TrustedProxies(Self.nonPublic.replacingOccurrences(of: "\n", with: " "))
        var targets = Set<String>()
        for item in allowedTargets.map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            guard let colon = item.lastIndex(of: ":"), let port = Int(item[item.index(after: colon)...]), (1...65535).contains(port),
                let bytes = TrustedProxies.bytes(of: String(item[..<colon]))
            else { throw InvalidTarget(text: item) }
            targets.insert(Self.key(bytes, port))
        }
        self.allowedTargets = targets
    }

    /// Whether an address is a public unicast one.
    func isPublic(_ address: String) -> Bool {
        TrustedProxies.bytes(of: address) != nil && !blocked.contains(address)
    }

    /// Whether the fetcher may connect to this resolved address.
    func permits(_ address: SocketAddress) -> Bool {
        guard let ip = address.ipAddress, let port = address.port, let bytes = TrustedProxies.bytes(of: ip) else { return false }
        return (isPublic(ip) && Self.webPorts.contains(port)) || allowedTargets.contains(Self.key(bytes, port))
    }

    struct InvalidTarget: Error, CustomStringConvertible {
        var text: String
        var description: String { "not an address:port pair: \(text)" }
    }

    private static func key(_ bytes: [UInt8], _ port: Int) -> String { bytes.map { String($0) }.joined(separator: ".") + ":\(port)" }
}
