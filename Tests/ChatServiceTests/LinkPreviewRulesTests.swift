import Foundation
import NIOCore
import Testing
@testable import ChatService

/// The link-preview fetcher's rules that need no network: which addresses it may
/// connect to, which URLs it takes, which link of a message gets the card, and what
/// it reads from a page's head.
@Suite("link preview rules")
struct LinkPreviewRulesTests {
    @Test("only public unicast addresses pass; loopback, private, link-local, reserved and IPv4-embedding ranges do not")
    func addresses() throws {
        let policy = try OutboundPolicy()
        for address in ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001:82a::200e", "::ffff:8.8.8.8"] {
            #expect(policy.isPublic(address), "\(address) is public")
        }
        let refused = [
            "127.0.0.1", "127.8.9.10", "0.0.0.0", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
            "100.64.0.1", "192.0.0.8", "192.0.2.1", "198.18.0.1", "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.1.1.1",
            "240.0.0.1", "255.255.255.255", "::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
            "::127.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1", "2001:0:4136:e378::1", "2001:db8::1", "fc00::1", "fd12:3456::1",
            "fe80::1", "fec0::1", "ff02::1", "not an address",
        ]
        for address in refused {
            #expect(!policy.isPublic(address), "\(address) is refused")
        }
    }

    @Test("an allowed address:port pair lets exactly that port of that address through")
    func allowedTargets() throws {
        let policy = try OutboundPolicy(allowedTargets: ["127.0.0.1:8443", "[::1]:9000"])
        #expect(policy.permits(try SocketAddress(ipAddress: "127.0.0.1", port: 8443)))
        #expect(!policy.permits(try SocketAddress(ipAddress: "127.0.0.1", port: 8444)))
        #expect(!policy.permits(try SocketAddress(ipAddress: "127.0.0.2", port: 8443)))
        #expect(policy.permits(try SocketAddress(ipAddress: "::1", port: 9000)))
        // Public addresses on the web's ports only: the fetcher scans no one's other services.
        #expect(policy.permits(try SocketAddress(ipAddress: "8.8.8.8", port: 443)))
        #expect(policy.permits(try SocketAddress(ipAddress: "2606:4700:4700::1111", port: 80)))
        #expect(!policy.permits(try SocketAddress(ipAddress: "8.8.8.8", port: 53)))
        #expect(!policy.permits(try SocketAddress(ipAddress: "8.8.8.8", port: 8080)))
        #expect(!policy.permits(try SocketAddress(ipAddress: "10.0.0.1", port: 80)))
        #expect(throws: (any Error).self) { try OutboundPolicy(allowedTargets: ["127.0.0.1"]) }
        #expect(throws: (any Error).self) { try OutboundPolicy(allowedTargets: ["example.com:80"]) }
        #expect(throws: (any Error).self) { try OutboundPolicy(allowedTargets: ["127.0.0.1:0"]) }
    }

    @Test("only http(s) URLs with a host and no credentials are fetched")
    func targets() throws {
        let plain = try FetchTarget(try #require(URL(string: "http://Example.com/a%20b?q=1#frag")))
        #expect(plain.host == "example.com" && plain.port == 80 && !plain.isTLS)
        #expect(plain.requestTarget == "/a%20b?q=1")
        #expect(plain.hostHeader == "example.com")
        let secure = try FetchTarget(try #require(URL(string: "https://example.com:8443")))
        #expect(secure.isTLS && secure.port == 8443 && secure.requestTarget == "/" && secure.hostHeader == "example.com:8443")
        let literal = try FetchTarget(try #require(URL(string: "http://[::1]:8080/x")))
        #expect(literal.host == "::1" && literal.hostIsAddress && literal.hostHeader == "[::1]:8080")
        for bad in [
            "ftp://example.com/", "file:///etc/passwd", "gopher://example.com", "http://user:pw@example.com/", "http:///path",
            "javascript:alert(1)", "https://example.com/" + String(repeating: "a", count: 2100),
        ] {
            let url = try #require(URL(string: bad), "\(bad)")
            #expect(throws: LinkPreviewFailure.self, "\(bad)") { try FetchTarget(url) }
        }
    }

    @Test("the card is for the first link outside code, without trailing punctuation")
    func firstLink() {
        #expect(LinkFinder.firstLink(in: "see https://example.com/a, and http://other.org")?.absoluteString == "https://example.com/a")
        #expect(LinkFinder.firstLink(in: "(https://example.com/page).")?.absoluteString == "https://example.com/page")
        #expect(LinkFinder.firstLink(in: "[docs](https://example.com/docs)")?.absoluteString == "https://example.com/docs")
        #expect(LinkFinder.firstLink(in: "`https://in.code` then HTTPS://Example.com/x")?.absoluteString == "HTTPS://Example.com/x")
        #expect(LinkFinder.firstLink(in: "```\nhttps://fenced.example\n```\nhttps://after.example")?.host() == "after.example")
        #expect(LinkFinder.firstLink(in: "no link, just example.com and ftp://x.org") == nil)
        #expect(LinkFinder.firstLink(in: "https:// nothing") == nil)
        #expect(LinkFinder.firstLink(in: "an unclosed ` then https://example.com")?.host() == "example.com")
        #expect(LinkFinder.firstLink(in: "https://example.com/" + String(repeating: "a", count: 2100)) == nil)
        let withFragment = LinkFinder.firstLink(in: "https://example.com/a?b=1#part")
        #expect(withFragment.map(LinkPreviewer.cacheKey) == "https://example.com/a?b=1")
    }

    @Test("a page's Open Graph tags win, then its title and description; entities decoded, fields cut to size")
    func metadata() throws {
        let page = try #require(URL(string: "https://example.com/posts/1"))
        let html = """
            <!doctype html><html><head>
            <!-- <meta property="og:title" content="in a comment"> -->
            <title>Plain &amp; title</title>
            <script>var s = "<meta property='og:title' content='in a script'>";</script>
            <meta property="og:title" content="Release &quot;2.0&quot; &#8212; notes">
            <meta content='What&#x27;s   new
               in it' property='og:description'>
            <META NAME=description CONTENT=ignored>
            <meta property="og:site_name" content="Example">
            <meta property="og:image" content="/img/card.png?x=1&amp;y=2">
            </head><body><meta property="og:site_name" content="too late"></body></html>
            """
        let found = PageMetadata(html: Array(html.utf8), pageURL: page)
        #expect(found.title == "Release \"2.0\" — notes")
        #expect(found.description == "What's new in it")
        #expect(found.siteName == "Example")
        #expect(found.imageURL?.absoluteString == "https://example.com/img/card.png?x=1&y=2")

        let fallback = PageMetadata(
            html: Array("<html><head><title>\n  Only a   title </title><meta name=description content=Short></head>".utf8), pageURL: page)
        #expect(fallback.title == "Only a title" && fallback.description == "Short" && fallback.siteName == nil && fallback.imageURL == nil)

        let hostile = PageMetadata(
            html: Array(
                """
                <meta property="og:title" content="\(String(repeating: "long ", count: 100))">
                <meta property="og:image" content="javascript:alert(1)">
                <meta property="og:description" content="a\u{0007}b">
                """.utf8), pageURL: page)
        #expect(hostile.title?.count == PageMetadata.maxTitle && hostile.title?.hasSuffix("…") == true)
        #expect(hostile.imageURL == nil)
        #expect(hostile.description == "a b")
        #expect(PageMetadata(html: Array("<html><body>nothing</body></html>".utf8), pageURL: page).isEmpty)
        // Bidirectional overrides and zero-width characters cannot disguise a title; an emoji's joiner stays.
        let disguised = PageMetadata(html: Array("<title>pay\u{202E}lap\u{200B} 👨\u{200D}👩</title>".utf8), pageURL: page)
        #expect(disguised.title == "paylap 👨\u{200D}👩")
    }
}
