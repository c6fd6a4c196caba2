import Testing
@testable import ServiceKit

@Suite("What per-address limits count a client under")
struct ClientNetworkTests {
    @Test("addresses inside one IPv6 /64 are one client; the next /64 is another")
    func ipv6Networks() {
        let first = ClientNetwork.key(for: "2001:db8:1:2:aaaa:bbbb:cccc:1", ipv6Prefix: 64)
        #expect(first == "2001:db8:1:2::/64")
        #expect(ClientNetwork.key(for: "2001:db8:1:2::9", ipv6Prefix: 64) == first)
        #expect(ClientNetwork.key(for: "[2001:db8:1:2:ffff:ffff:ffff:ffff]", ipv6Prefix: 64) == first)
        #expect(ClientNetwork.key(for: "2001:db8:1:3::1", ipv6Prefix: 64) != first)
    }

    @Test("the prefix is configurable, bits inside a group included")
    func prefixes() {
        #expect(ClientNetwork.key(for: "2001:db8:1:2::9", ipv6Prefix: 48) == "2001:db8:1::/48")
        #expect(ClientNetwork.key(for: "2001:db8:1:2::9", ipv6Prefix: 128) == "2001:db8:1:2::9/128")
        #expect(ClientNetwork.key(for: "2001:db8:1:2ff::1", ipv6Prefix: 56) == "2001:db8:1:200::/56")
        #expect(ClientNetwork.key(for: "::1", ipv6Prefix: 64) == "::/64")
    }

    @Test("IPv4 (and IPv4-mapped IPv6) is counted by the address itself; text that is no address is its own key")
    func ipv4() {
        #expect(ClientNetwork.key(for: "198.51.100.7", ipv6Prefix: 64) == "198.51.100.7")
        #expect(ClientNetwork.key(for: "::ffff:198.51.100.7", ipv6Prefix: 64) == "198.51.100.7")
        #expect(ClientNetwork.key(for: "not-an-address", ipv6Prefix: 64) == "not-an-address")
    }
}
