#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import NIOCore
import NIOPosix
import Synchronization

/// Host name → addresses with the system resolver (`getaddrinfo`, a blocking call), on
/// a thread pool so no event loop waits for DNS. Numeric forms (`127.1`, `0x7f000001`)
/// come back as the address they mean, so the policy sees what would be connected to.
/// A name that does not resolve is answered like one that resolves inside: a member
/// cannot tell the two apart, so the fetcher cannot be used to map internal names.
struct HostResolver: Sendable {
    typealias LookUp = @Sendable (_ host: String, _ port: Int) -> Result<[SocketAddress], LinkPreviewFailure>

    let pool: NIOThreadPool
    /// The lookup itself (the system's; tests put a slow one here).
    var lookUp: LookUp = HostResolver.system

    /// The addresses, or a failure once `deadline` passes: the answer is raced against a
    /// timer, so a resolver that hangs costs the fetch nothing past its deadline (the
    /// lookup finishes on its thread, unwaited for).
    func addresses(of host: String, port: Int, by deadline: NIODeadline, on loop: any EventLoop) async throws(LinkPreviewFailure)
        -> [SocketAddress]
    {
        let promise = loop.makePromise(of: [SocketAddress].self)
        let once = FirstAnswer()
        let timer = loop.scheduleTask(deadline: deadline) {
            if once.claim() { promise.fail(LinkPreviewFailure.failed("the site did not answer in time")) }
        }
        let lookUp = self.lookUp
        pool.runIfActive(eventLoop: loop) { lookUp(host, port) }.whenComplete { outcome in
            timer.cancel()
            guard once.claim() else { return }
            switch outcome {
            case let .success(.success(addresses)): promise.succeed(addresses)
            case let .success(.failure(failure)): promise.fail(failure)
            case .failure: promise.fail(LinkPreviewFailure.failed("the name could not be looked up"))
            }
        }
        do {
            return try await promise.futureResult.get()
        } catch let failure as LinkPreviewFailure {
            throw failure
        } catch {
            throw .failed("the name could not be looked up")
        }
    }

    /// Whichever of the answer and the timer comes first settles the promise.
    final class FirstAnswer: Sendable {
        private let settled = Mutex(false)
        func claim() -> Bool {
            settled.withLock { done in
                defer { done = true }; return !done
            }
        }
    }

    static let system: LookUp = { host, port in
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return .failure(.refused(OutboundPolicy.notPublic)) }
        defer { freeaddrinfo(list) }
        var found: [SocketAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let raw = current.pointee.ai_addr {
                switch Int32(current.pointee.ai_family) {
                case AF_INET:
                    var address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
                    address.sin_port = in_port_t(UInt16(port).bigEndian)
                    found.append(SocketAddress(address, host: host))
                case AF_INET6:
                    var address = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }
                    address.sin6_port = in_port_t(UInt16(port).bigEndian)
                    found.append(SocketAddress(address, host: host))
                default: break
                }
            }
            entry = current.pointee.ai_next
        }
        var unique: [SocketAddress] = []
        for address in found where !unique.contains(address) { unique.append(address) }
        return unique.isEmpty ? .failure(.refused(OutboundPolicy.notPublic)) : .success(unique)
    }
}
