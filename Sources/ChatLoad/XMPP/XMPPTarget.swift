import Synchronization

/// An XMPP server `chat-load --xmpp` measures MicroChat against, with the
/// processes whose CPU counts as its own (the server, its database).
struct XMPPTarget: Sendable {
    var label: String
    var title: String
    var host: String
    var port: Int
    var domain: String
    /// The multi-user chat service (`conference.<domain>`, ejabberd's default).
    var mucService: String
    var password: String
    var pids: [(name: String, pid: Int32)] = []
    var treePids: [(name: String, pid: Int32)] = []

    /// `LABEL=HOST:PORT[:DOMAIN]`.
    init(_ argument: String, password: String) throws {
        let pair = argument.split(separator: "=", maxSplits: 1)
        let address = pair.count == 2 ? pair[1].split(separator: ":") : []
        guard pair.count == 2, address.count >= 2, let port = Int(address[1]) else {
            throw OptionError(description: "--xmpp takes LABEL=HOST:PORT[:DOMAIN]")
        }
        label = String(pair[0])
        title = label
        host = String(address[0])
        self.port = port
        domain = address.count > 2 ? String(address[2]) : "localhost"
        mucService = "conference.\(domain)"
        self.password = password
    }

    func account(_ user: String) -> XMPPAccount {
        XMPPAccount(host: host, port: port, domain: domain, user: user, password: password)
    }

    func cpuNow() -> [String: Double] {
        var now: [String: Double] = [:]
        for (name, pid) in pids { now[name] = ProcessStats.cpuSeconds(pid) }
        for (name, pid) in treePids { now[name] = ProcessStats.treeCPUSeconds(pid) }
        now["load-generator"] = ProcessStats.cpuSeconds(ProcessStats.ownPid)
        return now
    }
}

/// Lets the senders start together once every one of them has joined.
final class StartGate: Sendable {
    private let state = Mutex<(arrived: Int, end: UInt64?)>((0, nil))

    func arrive() { state.withLock { $0.arrived += 1 } }
    var arrived: Int { state.withLock { $0.arrived } }
    func open(until end: UInt64) { state.withLock { $0.end = end } }

    /// Waits for `open` and returns when the load ends.
    func wait() async throws -> UInt64 {
        while true {
            if let end = state.withLock({ $0.end }) { return end }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}
