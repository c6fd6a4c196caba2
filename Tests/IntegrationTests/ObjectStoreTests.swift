import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
@testable import ObjectStorage

/// Both backends through the one interface: the file system in a temporary
/// folder, and S3 against the S3-compatible server `./microchat test` starts.
@Suite("Object storage", .needsServers)
struct ObjectStoreTests {
    static func bytes(_ count: Int, seed: UInt8 = 7) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeBytes((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) })
        return buffer
    }

    /// Writes `content` in 64 KiB chunks, as an upload arrives.
    static func store(_ content: ByteBuffer, as key: String, in store: any ObjectStore) async throws -> Int {
        let writer = try await store.makeWriter(key: key, contentType: "application/octet-stream")
        var rest = content
        while let chunk = rest.readSlice(length: min(64 * 1024, rest.readableBytes)), chunk.readableBytes > 0 {
            try await writer.write(chunk)
        }
        return try await writer.finish()
    }

    static func read(_ key: String, _ range: ClosedRange<Int>, from store: any ObjectStore) async throws -> ByteBuffer {
        var out = ByteBuffer()
        try await store.read(key: key, range: range) { chunk in
            var chunk = chunk
            out.writeBuffer(&chunk)
        }
        return out
    }

    func fileStore() -> (FileObjectStore, String) {
        let root = NSTemporaryDirectory() + "objects-" + UUID().uuidString
        return (FileObjectStore(root: root), root)
    }

    func s3Store(partSize: Int = 5 * 1024 * 1024, endpoint: String? = nil) async throws -> S3ObjectStore {
        let url = try endpoint ?? TestEnvironment.require("MICROCHAT_TEST_S3_URL")
        let store = try S3ObjectStore(
            configuration: .init(
                endpoint: url, bucket: "mc-" + UUID().uuidString.prefix(8).lowercased(),
                accessKeyId: "test", secretAccessKey: "test-secret", partSize: partSize,
                requestTimeout: .seconds(30)),
            client: HTTPClient.shared)
        if endpoint == nil { try await store.createBucket() }
        return store
    }

    /// What every backend must do: write in chunks, read whole and in ranges, abort without a trace, delete.
    func exercise(_ store: any ObjectStore, size: Int) async throws {
        let content = Self.bytes(size)
        let key = "attachments/room/\(UUID().uuidString.lowercased())"
        #expect(try await Self.store(content, as: key, in: store) == size)
        #expect(try await Self.read(key, 0...(size - 1), from: store) == content)
        let middle = (size / 3)...(size / 3 + 99)
        #expect(try await Self.read(key, middle, from: store) == content.getSlice(at: middle.lowerBound, length: 100))

        let abandoned = "attachments/room/\(UUID().uuidString.lowercased())"
        let writer = try await store.makeWriter(key: abandoned, contentType: "text/plain")
        try await writer.write(Self.bytes(1000))
        await writer.abort()
        await #expect(throws: ObjectStoreError.notFound(key: abandoned)) { _ = try await Self.read(abandoned, 0...9, from: store) }

        try await store.delete(key: key)
        await #expect(throws: ObjectStoreError.notFound(key: key)) { _ = try await Self.read(key, 0...9, from: store) }
        try await store.delete(key: key)  // deleting twice is fine
        await #expect(throws: ObjectStoreError.self) { _ = try await store.makeWriter(key: "../escape", contentType: "text/plain") }
    }

    @Test("the file system backend stores, reads ranges, aborts without a trace and deletes")
    func fileSystem() async throws {
        let (store, root) = fileStore()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await exercise(store, size: 300_000)
        // Nothing but finished objects in the folder (the aborted one left no file).
        let left =
            FileManager.default.enumerator(atPath: root)?.allObjects.compactMap { $0 as? String }
            .filter { !$0.hasSuffix("room") && $0 != "attachments" } ?? []
        #expect(left.isEmpty, "left behind: \(left)")
    }

    @Test("the S3 backend does the same against an S3-compatible server, in one PUT")
    func s3Small() async throws {
        try await exercise(try await s3Store(), size: 300_000)
    }

    @Test("a large object goes up in parts (multipart upload) and reads back whole and in ranges")
    func s3Multipart() async throws {
        let store = try await s3Store(partSize: 5 * 1024 * 1024)
        try await exercise(store, size: 12 * 1024 * 1024 + 12_345)
    }

    @Test("an S3 server that is down is an unavailable error, not a hang")
    func s3Down() async throws {
        let store = try await s3Store(endpoint: "http://127.0.0.1:9")
        await #expect(throws: ObjectStoreError.self) { _ = try await Self.read("attachments/x", 0...1, from: store) }
        let writer = try await store.makeWriter(key: "attachments/x", contentType: "text/plain")
        try await writer.write(Self.bytes(10))
        await #expect(throws: ObjectStoreError.self) { _ = try await writer.finish() }
    }
}

@Suite("Content sniffing")
struct ContentSnifferTests {
    func png(width: Int, height: Int) -> [UInt8] {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
            + [UInt8(width >> 24), UInt8(width >> 16 & 0xFF), UInt8(width >> 8 & 0xFF), UInt8(width & 0xFF)]
            + [UInt8(height >> 24), UInt8(height >> 16 & 0xFF), UInt8(height >> 8 & 0xFF), UInt8(height & 0xFF)] + [8, 6, 0, 0, 0]
    }

    @Test("raster images are recognised with their size, whatever their name says")
    func images() {
        #expect(ContentSniffer.sniff(png(width: 640, height: 480)) == SniffedContent(contentType: "image/png", width: 640, height: 480))
        let gif = Array("GIF89a".utf8) + [0x20, 0x03, 0x58, 0x02] + [0, 0, 0]
        #expect(ContentSniffer.sniff(gif) == SniffedContent(contentType: "image/gif", width: 800, height: 600))
        // JPEG: SOI, an APP0 segment, then SOF0 with height 300 and width 400.
        let jpeg: [UInt8] =
            [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array(repeating: 0, count: 14)
            + [0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0x2C, 0x01, 0x90, 0x03] + Array(repeating: 0, count: 12)
        #expect(ContentSniffer.sniff(jpeg) == SniffedContent(contentType: "image/jpeg", width: 400, height: 300))
        // WebP, lossy (VP8): 320 × 200.
        let webp =
            Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPVP8 ".utf8) + [0, 0, 0, 0] + [0, 0, 0, 0x9D, 0x01, 0x2A, 0x40, 0x01, 0xC8, 0x00]
        #expect(ContentSniffer.sniff(webp) == SniffedContent(contentType: "image/webp", width: 320, height: 200))
        #expect(ContentSniffer.sniff(webp).isInlineImage)
    }

    @Test("markup a browser would run is never an inline image; other files are what their bytes say")
    func files() {
        let svg = ContentSniffer.sniff(Array(#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#.utf8))
        #expect(svg.contentType == "image/svg+xml" && !svg.isInlineImage)
        #expect(ContentSniffer.sniff(Array("<!DOCTYPE html><script>alert(1)</script>".utf8)).contentType == "text/html")
        #expect(ContentSniffer.sniff(Array("%PDF-1.7\n".utf8)).contentType == "application/pdf")
        #expect(ContentSniffer.sniff(Array("plain notes, ünïcödé\n".utf8)).contentType == "text/plain")
        #expect(ContentSniffer.sniff([0x00, 0x01, 0x02, 0xFF]).contentType == "application/octet-stream")
        // A PNG signature with an absurd size is a file, not an image to lay out.
        #expect(!ContentSniffer.sniff(png(width: 0, height: 10)).isInlineImage)
        // Truncated image headers never crash: they are files.
        #expect(ContentSniffer.sniff([0xFF, 0xD8, 0xFF]).width == nil)
        #expect(ContentSniffer.sniff(Array("GIF89a".utf8)).width == nil)
    }
}
