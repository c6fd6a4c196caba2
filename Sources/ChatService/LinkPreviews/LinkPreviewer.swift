import Foundation
import Logging
import NIOCore
import ObjectStorage
import Redis
import ServiceKit

/// Gives the card for a link: from the cache when it is fresh, else fetched once —
/// however many people ask at the same moment, they share one fetch per replica —
/// under the outbound policy and these limits: a page is read up to 512 KiB (its head
/// is what counts) and an image up to 2 MiB, eight seconds for the page and five for
/// its image, at most `maxFetches` at once per replica, and `fetchesPerMinute` new
/// links per minute for each person who posts them, across replicas (cached ones are free).
actor LinkPreviewer {
    static let maxPageBytes = 512 * 1024
    static let maxImageBytes = 2 * 1024 * 1024
    static let pageTime: TimeAmount = .seconds(8)
    static let imageTime: TimeAmount = .seconds(5)
    static let maxFetches = 16
    /// A picture larger than this (a side, or in all) is not kept: a card shows it small, and a
    /// huge one would be a decompression bomb for the reader's browser.
    static let maxImageSide = 8192
    static let maxImagePixels = 25_000_000
    static let fetchesPerMinute = 30

    static let page = GuardedFetcher.Request(
        accepting: ["text/html", "application/xhtml+xml"], acceptHeader: "text/html,application/xhtml+xml;q=0.9",
        maxBytes: maxPageBytes, keepTruncated: true)
    static let picture = GuardedFetcher.Request(
        accepting: ContentSniffer.inlineTypes, acceptHeader: "image/png,image/jpeg,image/gif,image/webp",
        maxBytes: maxImageBytes, keepTruncated: false)

    private let fetcher: GuardedFetcher
    private let cache: LinkPreviewCache
    private let limiter: FixedWindowLimiter?
    private let logger: Logger
    private var inFlight: [String: Task<LinkPreviewCache.Entry, Never>] = [:]

    init(fetcher: GuardedFetcher, cache: LinkPreviewCache, limiter: FixedWindowLimiter?, logger: Logger) {
        self.fetcher = fetcher
        self.cache = cache
        self.limiter = limiter
        self.logger = logger
    }

    /// The card for `url`; a fetch it takes is charged to `sender`, the person who posted the link.
    func entry(for url: URL, sender: UUID) async throws -> LinkPreviewCache.Entry {
        let key = Self.cacheKey(url)
        if let fresh = try await cache.find(key) { return fresh }
        if let running = inFlight[key] { return await running.value }
        try await admit(sender)
        // Another request may have fetched or started it while this one was counted.
        if let running = inFlight[key] { return await running.value }
        if let fresh = try await cache.find(key) { return fresh }
        if let running = inFlight[key] { return await running.value }
        guard inFlight.count < Self.maxFetches else {
            throw AppError.busy("link_previews_busy", "Too many links are being fetched right now; try again shortly.", retryAfter: 2)
        }
        let (fetcher, cache, logger) = (self.fetcher, self.cache, self.logger)
        let task = Task {
            let (entry, image) = await Self.fetch(url, with: fetcher)
            do { try await cache.store(key, entry, imageBytes: image) } catch {
                logger.warning("could not cache a link preview", metadata: ["error": "\(error)"])
            }
            return entry
        }
        inFlight[key] = task
        defer { inFlight[key] = nil }
        return await task.value
    }

    /// The link as cached: its fragment (which never reaches the site) dropped.
    static func cacheKey(_ url: URL) -> String {
        guard url.fragment != nil, var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url.absoluteString }
        parts.fragment = nil
        return parts.string ?? url.absoluteString
    }

    /// New links per person per minute, counted in Redis; if Redis does not answer, the fetch goes ahead.
    private func admit(_ requester: UUID) async throws {
        guard let limiter else { return }
        let standing: FixedWindowLimiter.Standing
        do {
            standing = try await limiter.record("user:" + requester.uuidString.lowercased())
        } catch {
            logger.warning(
                "cannot count link-preview fetches: Redis does not answer; the fetch goes ahead", metadata: ["error": "\(error)"])
            return
        }
        guard standing.count <= limiter.limit else {
            throw AppError.tooManyRequests(
                "too_many_link_previews", "Links this person posted were previewed \(limiter.limit) times this minute; try again shortly.",
                retryAfter: max(1, standing.resetsIn))
        }
    }

    /// The page, its metadata and, if it names one, its picture (which must really be a PNG, JPEG, GIF or WebP image).
    static func fetch(_ url: URL, with fetcher: GuardedFetcher) async -> (LinkPreviewCache.Entry, [UInt8]?) {
        let page: FetchedResource
        do {
            page = try await fetcher.fetch(url, Self.page, deadline: .now() + pageTime)
        } catch {
            return (LinkPreviewCache.Entry(finalURL: nil, metadata: PageMetadata(), image: nil, failure: error), nil)
        }
        let metadata = PageMetadata(html: page.body, pageURL: page.finalURL)
        guard !metadata.isEmpty else {
            let failure = LinkPreviewFailure.empty("the page has no title or description")
            return (LinkPreviewCache.Entry(finalURL: page.finalURL.absoluteString, metadata: metadata, image: nil, failure: failure), nil)
        }
        var image: LinkPreviewCache.Image?
        var bytes: [UInt8]?
        if let imageURL = metadata.imageURL,
            let picture = try? await fetcher.fetch(imageURL, Self.picture, deadline: .now() + imageTime)
        {
            // The bytes decide what it is, not the header; anything but a sane raster image is dropped.
            let sniffed = ContentSniffer.sniff(Array(picture.body.prefix(ContentSniffer.prefixLength)))
            if sniffed.isInlineImage, let width = sniffed.width, let height = sniffed.height, width <= maxImageSide, height <= maxImageSide,
                width * height <= maxImagePixels
            {
                image = LinkPreviewCache.Image(contentType: sniffed.contentType, width: width, height: height)
                bytes = picture.body
            }
        }
        return (LinkPreviewCache.Entry(finalURL: page.finalURL.absoluteString, metadata: metadata, image: image, failure: nil), bytes)
    }
}
