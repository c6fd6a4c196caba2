import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import Testing
@testable import ChatService

/// The link-preview fetcher against a site on this machine (`app.test(.live)` on
/// 127.0.0.1): what it fetches when that site is allowed, and that it refuses —
/// without sending a byte — a loopback address it was not told to allow, whether the
/// link names it or a redirect leads there. Limits of size, type and time hold.
@Suite("link preview fetcher, live against a local site")
struct GuardedFetcherTests {
    /// Paths the site was asked for, in order.
    final class Hits: Sendable {
        private let paths = Mutex<[String]>([])
        func note(_ path: String) { paths.withLock { $0.append(path) } }
        var all: [String] { paths.withLock { $0 } }
    }

    /// A 2×3 PNG as far as a sniffer can tell: signature and IHDR.
    static let png: [UInt8] =
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8) + [
            0, 0, 0, 2, 0, 0, 0, 3, 8, 6, 0, 0, 0, 0, 0, 0, 0,
        ]

    static func site(_ hits: Hits) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: Recorder(hits: hits))
        router.get("page") { _, _ in
            Self.html(
                """
                <html><head><title>Local page</title><meta property="og:description" content="From the test site">
                <meta property="og:image" content="/card.png"></head><body></body></html>
                """)
        }
        router.get("card.png") { _, _ in
            Response(status: .ok, headers: [.contentType: "image/png"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: Self.png)))
        }
        router.get("fake.png") { _, _ in
            Response(status: .ok, headers: [.contentType: "image/png"], body: ResponseBody(byteBuffer: ByteBuffer(string: "<svg/>")))
        }
        router.get("faked-image-page") { _, _ in
            Self.html("<title>Fake picture</title><meta property=og:image content=/fake.png>")
        }
        router.get("big.png") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "image/png"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: Self.png + [UInt8](repeating: 0, count: 3 * 1024 * 1024))))
        }
        router.get("huge-page") { _, _ in
            Self.html("<title>Big but fine</title>" + String(repeating: "<p>filler</p>", count: 100_000))
        }
        router.get("big-chunked.png") { _, _ in
            // No Content-Length: the limit has to hold while the body streams.
            Response(
                status: .ok, headers: [.contentType: "image/png"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(bytes: Self.png))
                    for _ in 0..<40 { try await writer.write(ByteBuffer(repeating: 0, count: 100 * 1024)) }
                    try await writer.finish(nil)
                })
        }
        router.get("trickle") { _, _ in
            // Headers at once, then a byte every 200 ms: each read is quick, the whole never ends in time.
            Response(
                status: .ok, headers: [.contentType: "text/html"],
                body: ResponseBody { writer in
                    for _ in 0..<20 {
                        try await writer.write(ByteBuffer(string: " "))
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    try await writer.finish(nil)
                })
        }
        router.get("json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
        }
        router.get("missing") { _, _ in Response(status: .notFound) }
        router.get("slow") { _, _ in
            try await Task.sleep(for: .seconds(4))
            return Self.html("<title>too late</title>")
        }
        router.get("hop") { request, _ in Self.redirect(request.uri.queryParameters.get("to") ?? "/page") }
        router.get("loop") { _, _ in Self.redirect("/loop") }
        router.get("secret") { _, _ in Self.html("<title>internal only</title>") }
        return Application(router: router, logger: Logger(label: "site", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    struct Recorder: RouterMiddleware {
        let hits: Hits
        func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response)
            async throws -> Response
        {
            hits.note(request.uri.path)
            return try await next(request, context)
        }
    }

    static func html(_ body: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func redirect(_ location: String) -> Response { Response(status: .found, headers: [.location: location]) }

    static func fetcher(allowing port: Int?) throws -> GuardedFetcher {
        GuardedFetcher(
            policy: try OutboundPolicy(allowedTargets: port.map { ["127.0.0.1:\($0)"] } ?? []),
            resolver: HostResolver(pool: .singleton),
            tls: try NIOSSLContext(configuration: .makeClientConfiguration()), group: MultiThreadedEventLoopGroup.singleton)
    }

    /// Runs `body` with two sites live: the one the fetcher will be allowed to reach, and another
    /// on this machine it will not be (its port and the paths it was asked for).
    static func withTwoSites(_ body: @Sendable (Int, Int, Hits) async throws -> Void) async throws {
        try await withSite { allowed, _ in
            let otherHits = Hits()
            try await site(otherHits).test(.live) { client in
                try await body(allowed, try #require(client.port), otherHits)
            }
        }
    }

    /// Runs `body` with the site live and its port.
    static func withSite(_ body: @Sendable (Int, Hits) async throws -> Void) async throws {
        let hits = Hits()
        try await site(hits).test(.live) { client in
            let port = try #require(client.port)
            try await body(port, hits)
        }
    }

    static func url(_ text: String) throws -> URL { try #require(URL(string: text)) }
    static var soon: NIODeadline { .now() + .seconds(10) }

    @Test("an allowed local site is read: its card and its picture")
    func allowedSite() async throws {
        try await Self.withSite { port, hits in
            let fetcher = try Self.fetcher(allowing: port)
            let (entry, image) = await LinkPreviewer.fetch(try Self.url("http://127.0.0.1:\(port)/page"), with: fetcher)
            #expect(entry.failure == nil)
            #expect(entry.metadata.title == "Local page" && entry.metadata.description == "From the test site")
            #expect(entry.image == LinkPreviewCache.Image(contentType: "image/png", width: 2, height: 3))
            #expect(image == Self.png)
            #expect(hits.all == ["/page", "/card.png"])
            // `localhost` resolves to ::1 and 127.0.0.1 here: the allowed one is the one connected to.
            let named = try await fetcher.fetch(try Self.url("http://localhost:\(port)/page"), LinkPreviewer.page, deadline: Self.soon)
            #expect(named.contentType == "text/html")
        }
    }

    @Test("a loopback site not allowed is refused before any byte is sent, by name, by number or behind a redirect")
    func refusals() async throws {
        try await Self.withSite { port, hits in
            let closed = try Self.fetcher(allowing: nil)
            for link in [
                "http://127.0.0.1:\(port)/secret", "http://localhost:\(port)/secret", "http://[::1]:\(port)/secret",
                "http://2130706433:\(port)/secret", "http://127.1:\(port)/secret", "http://0x7f.0.0.1:\(port)/secret",
                "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/",
            ] {
                await #expect(throws: LinkPreviewFailure.refused("the link's host is not on the public internet"), "\(link)") {
                    _ = try await closed.fetch(try Self.url(link), LinkPreviewer.page, deadline: Self.soon)
                }
            }
            #expect(hits.all.isEmpty)
            // Allowed site, but its redirect points at a loopback address that is not allowed.
            let open = try Self.fetcher(allowing: port)
            for target in ["http://127.0.0.2:\(port)/secret", "http://[::1]:\(port)/secret", "http://localhost:\(port + 1)/secret"] {
                await #expect(throws: LinkPreviewFailure.refused(OutboundPolicy.notPublic), "\(target)") {
                    _ = try await open.fetch(
                        try Self.url("http://127.0.0.1:\(port)/hop?to=\(target)"), LinkPreviewer.page, deadline: Self.soon)
                }
            }
            await #expect(throws: LinkPreviewFailure.refused("only http and https links are previewed")) {
                _ = try await open.fetch(
                    try Self.url("http://127.0.0.1:\(port)/hop?to=file:///etc/passwd"), LinkPreviewer.page, deadline: Self.soon)
            }
            #expect(!hits.all.contains("/secret"))
            // A redirect within what is allowed is followed.
            let followed = try await open.fetch(
                try Self.url("http://127.0.0.1:\(port)/hop?to=/page"), LinkPreviewer.page, deadline: Self.soon)
            #expect(followed.finalURL.path() == "/page")
        }
    }

    @Test("a redirect from the allowed site to another live site on this machine is refused, and that site hears nothing")
    func redirectToAnotherLocalSite() async throws {
        try await Self.withTwoSites { allowed, other, otherHits in
            let fetcher = try Self.fetcher(allowing: allowed)
            // The other site answers when asked directly, so a refusal is the policy's doing.
            let direct = try Self.fetcher(allowing: other)
            #expect(
                try await direct.fetch(try Self.url("http://127.0.0.1:\(other)/page"), LinkPreviewer.page, deadline: Self.soon).body.count
                    > 0)
            let before = otherHits.all.count
            for target in ["http://127.0.0.1:\(other)/secret", "http://localhost:\(other)/secret"] {
                await #expect(throws: LinkPreviewFailure.refused(OutboundPolicy.notPublic), "\(target)") {
                    _ = try await fetcher.fetch(
                        try Self.url("http://127.0.0.1:\(allowed)/hop?to=\(target)"), LinkPreviewer.page, deadline: Self.soon)
                }
            }
            #expect(otherHits.all.count == before)
        }
    }

    @Test("a resolver that hangs costs the fetch nothing past its deadline")
    func hangingResolver() async throws {
        var resolver = HostResolver(pool: .singleton)
        resolver.lookUp = { _, _ in
            Thread.sleep(forTimeInterval: 3)
            return .failure(.refused(OutboundPolicy.notPublic))
        }
        let fetcher = GuardedFetcher(
            policy: try OutboundPolicy(), resolver: resolver, tls: try NIOSSLContext(configuration: .makeClientConfiguration()),
            group: MultiThreadedEventLoopGroup.singleton)
        let started = ContinuousClock.now
        await #expect(throws: LinkPreviewFailure.failed("the site did not answer in time")) {
            _ = try await fetcher.fetch(try Self.url("https://slow.example/"), LinkPreviewer.page, deadline: .now() + .milliseconds(500))
        }
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test("limits: redirect loops, wrong types, HTTP errors, oversized pictures, a silent site")
    func limits() async throws {
        try await Self.withSite { port, _ in
            let fetcher = try Self.fetcher(allowing: port)
            let base = "http://127.0.0.1:\(port)"
            await #expect(throws: LinkPreviewFailure.failed("the site redirected more than 4 times")) {
                _ = try await fetcher.fetch(try Self.url(base + "/loop"), LinkPreviewer.page, deadline: Self.soon)
            }
            await #expect(throws: LinkPreviewFailure.failed("the site sent application/json")) {
                _ = try await fetcher.fetch(try Self.url(base + "/json"), LinkPreviewer.page, deadline: Self.soon)
            }
            await #expect(throws: LinkPreviewFailure.failed("the site answered 404")) {
                _ = try await fetcher.fetch(try Self.url(base + "/missing"), LinkPreviewer.page, deadline: Self.soon)
            }
            for big in ["/big.png", "/big-chunked.png"] {
                await #expect(throws: LinkPreviewFailure.failed("the file is larger than \(LinkPreviewer.maxImageBytes) bytes"), "\(big)") {
                    _ = try await fetcher.fetch(try Self.url(base + big), LinkPreviewer.picture, deadline: Self.soon)
                }
            }
            // A page is cut at the limit and still read for its head.
            let huge = try await fetcher.fetch(try Self.url(base + "/huge-page"), LinkPreviewer.page, deadline: Self.soon)
            #expect(huge.truncated && huge.body.count == LinkPreviewer.maxPageBytes)
            // A "PNG" that is not one: the card keeps no picture.
            let (faked, bytes) = await LinkPreviewer.fetch(try Self.url(base + "/faked-image-page"), with: fetcher)
            #expect(faked.metadata.title == "Fake picture" && faked.image == nil && bytes == nil)
            let started = ContinuousClock.now
            await #expect(throws: LinkPreviewFailure.failed("the site did not answer in time")) {
                _ = try await fetcher.fetch(try Self.url(base + "/slow"), LinkPreviewer.page, deadline: .now() + .seconds(1))
            }
            #expect(ContinuousClock.now - started < .seconds(3))
            let trickleStart = ContinuousClock.now
            await #expect(throws: LinkPreviewFailure.failed("the site did not answer in time")) {
                _ = try await fetcher.fetch(try Self.url(base + "/trickle"), LinkPreviewer.page, deadline: .now() + .seconds(1))
            }
            #expect(ContinuousClock.now - trickleStart < .seconds(3))
        }
    }
}
