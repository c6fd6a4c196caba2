#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import NIOCore
import NIOPosix

/// Host name → addresses with the system resolver (`getaddrinfo`, a blocking call), on
/// a thread pool so no event loop waits for DNS. Numeric forms (`127.1`, `0x7f000001`)
/// come back as the address they mean, so the policy sees what would be connected to.
struct HostResolver: Sendable {
    let pool: NIOThreadPool

    func addresses(of host: String, port: Int) async throws(LinkPreviewFailure) -> [SocketAddress] {
        let result: Result<[SocketAddress], LinkPreviewFailure>
        do {
            result = try await pool.runIfActive { Self.lookUp(host, port: port) }
        } catch {
            throw .failed("the name could not be looked up")
        }
        return try result.get()
    }

    static func lookUp(_ host: String, port: Int) -> Result<[SocketAddress], LinkPreviewFailure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else { return .failure(.failed("\(host) does not resolve")) }
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
        return unique.isEmpty ? .failure(.failed("\(host) has no address")) : .success(unique)
    }
}
