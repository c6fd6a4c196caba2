import Logging
import NIOPosix
import NIOSSL
import Redis
import ServiceKit

/// The previewer chat-service runs: the outbound policy and TLS trust from the
/// configuration, DNS on a small thread pool of its own (a resolver that hangs takes
/// nothing else's threads), connections on NIO's shared event loops. nil when
/// `LINK_PREVIEWS=off`; the pool is the caller's to run (`ThreadPoolService`).
func makeLinkPreviewer(
    configuration: ChatServiceConfiguration, cache: LinkPreviewCache, redis: RedisClient, resolverThreads: NIOThreadPool, logger: Logger
) throws -> LinkPreviewer? {
    guard configuration.linkPreviews else { return nil }
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.minimumTLSVersion = .tlsv12
    tls.certificateVerification = .fullVerification
    if let file = configuration.linkPreviewCAFile {
        do {
            tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(file))]
        } catch {
            throw ConfigurationError(name: "LINK_PREVIEW_CA_FILE", problem: "cannot read \(file) as PEM certificates (\(error))")
        }
    }
    let fetcher = GuardedFetcher(
        policy: try OutboundPolicy(allowedTargets: configuration.linkPreviewAllowedTargets),
        resolver: HostResolver(pool: resolverThreads), tls: try NIOSSLContext(configuration: tls),
        group: MultiThreadedEventLoopGroup.singleton)
    let limiter = FixedWindowLimiter(redis: redis, name: "link-previews", limit: LinkPreviewer.fetchesPerMinute, window: .seconds(60))
    return LinkPreviewer(fetcher: fetcher, cache: cache, limiter: limiter, logger: logger)
}
