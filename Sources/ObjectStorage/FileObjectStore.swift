import NIOCore
import NIOFileSystem
import Synchronization

/// Objects as files under a root folder (`<root>/<key>`), through SwiftNIO's
/// file system API (its own threads, never an event loop). A new object is
/// written to an unnamed file that appears under its name only when the
/// writer finishes, so a broken upload leaves nothing behind.
public struct FileObjectStore: ObjectStore {
    public let root: FilePath

    public init(root: String) {
        self.root = FilePath(root)
    }

    func path(of key: String) throws -> FilePath {
        try ObjectStoreError.check(key)
        return root.appending(key)
    }

    public func makeWriter(key: String, contentType: String) async throws -> any ObjectWriter {
        let path = try path(of: key)
        do {
            try await FileSystem.shared.createDirectory(
                at: path.removingLastComponent(), withIntermediateDirectories: true,
                permissions: nil)
            let handle = try await FileSystem.shared.openFile(forWritingAt: path, options: .newFile(replaceExisting: true))
            return FileWriter(handle: handle)
        } catch let error as FileSystemError {
            throw ObjectStoreError.unavailable("cannot create \(key): \(error.code)")
        }
    }

    public func read(key: String, range: ClosedRange<Int>, _ consume: (ByteBuffer) async throws -> Void) async throws {
        let path = try path(of: key)
        let handle: ReadFileHandle
        do {
            handle = try await FileSystem.shared.openFile(forReadingAt: path, options: .init())
        } catch let error as FileSystemError where error.code == .notFound {
            throw ObjectStoreError.notFound(key: key)
        }
        do {
            for try await chunk in handle.readChunks(in: Int64(range.lowerBound)..<Int64(range.upperBound + 1), chunkLength: .kibibytes(64))
            {
                try await consume(chunk)
            }
        } catch {
            try? await handle.close()
            throw error
        }
        try await handle.close()
    }

    public func delete(key: String) async throws {
        _ = try await FileSystem.shared.removeItem(at: try path(of: key), recursively: false)
    }
}

/// Appends chunks to a file that becomes visible only on `finish`.
final class FileWriter: ObjectWriter {
    private let handle: WriteFileHandle
    private let written = Mutex<Int64>(0)

    init(handle: WriteFileHandle) {
        self.handle = handle
    }

    func write(_ chunk: ByteBuffer) async throws {
        let offset = written.withLock { total -> Int64 in
            defer { total += Int64(chunk.readableBytes) }
            return total
        }
        try await handle.write(contentsOf: chunk, toAbsoluteOffset: offset)
    }

    func finish() async throws -> Int {
        try await handle.close(makeChangesVisible: true)
        return Int(written.withLock { $0 })
    }

    func abort() async {
        try? await handle.close(makeChangesVisible: false)
    }
}
