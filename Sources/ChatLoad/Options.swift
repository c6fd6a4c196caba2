import Foundation

/// Command-line options of `chat-load` (./microchat bench passes them).
struct Options {
    var userURL = "http://127.0.0.1:8081"
    var chatURLs = ["http://127.0.0.1:8082"]
    var uiURL: String?
    var pids: [(name: String, pid: Int32)] = []
    /// Processes counted with their children (the postmaster and its backends).
    var treePids: [(name: String, pid: Int32)] = []
    var scenarios: Set<String> = ["a", "b", "c", "d", "e", "f"]
    var seconds = 10.0
    var idle = 20_000
    var output = "test-artifacts/bench"
    var build = "debug"
    var pgInsertRate: Double?
    var fsyncMs: Double?
    /// Scenario (g): the fault's name, the shell command that injects it, and when (seconds into the load).
    var fault: String?
    var faultCommand: String?
    var faultAt: Double?
    /// XMPP servers measured with (a)'s shape before MicroChat's scenarios (`--xmpp`), the first one the ratios' base.
    var xmppTargets: [XMPPTarget] = []
    /// (b)'s offered rate; with peers, each peer is also measured at it in the same open-loop shape.
    var openRate: Double?

    static let usage = """
        chat-load --user-url URL --chat-urls URL[,URL] [--ui-url URL] [--pid NAME=PID ...] [--pid-tree NAME=PID]
                  [--scenarios a,b,c,d,e,f] [--seconds 10] [--idle 20000] [--out DIR]
                  [--build LABEL] [--pg-insert-rate N] [--fsync-ms MS] [--open-rate MSG_PER_S]
                  [--fault NAME --fault-command CMD [--fault-at S]]   (scenario g)
                  [--xmpp LABEL=HOST:PORT[:DOMAIN] [--xmpp-title LABEL=TEXT] [--xmpp-pid LABEL/NAME=PID]
                   [--xmpp-pid-tree LABEL/NAME=PID] [--xmpp-password PASSWORD] ...]   (peers, compared in one table)
        """

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        var xmppPassword = "bench-password-1"
        var xmpp: [String] = []
        var xmppTitles: [(String, String)] = []
        var xmppPids: [(label: String, name: String, pid: Int32, tree: Bool)] = []
        func value(_ name: String) throws -> String {
            guard let next = rest.popFirst() else { throw OptionError(description: "\(name) needs a value\n\(Self.usage)") }
            return next
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--user-url": userURL = try value(argument)
            case "--chat-urls": chatURLs = try value(argument).split(separator: ",").map(String.init)
            case "--ui-url": uiURL = try value(argument)
            case "--pid":
                let pair = try value(argument).split(separator: "=")
                guard pair.count == 2, let pid = Int32(pair[1]) else { throw OptionError(description: "--pid takes NAME=PID") }
                pids.append((String(pair[0]), pid))
            case "--pid-tree":
                let pair = try value(argument).split(separator: "=")
                guard pair.count == 2, let pid = Int32(pair[1]) else { throw OptionError(description: "--pid-tree takes NAME=PID") }
                treePids.append((String(pair[0]), pid))
            case "--scenarios": scenarios = Set(try value(argument).split(separator: ",").map(String.init))
            case "--seconds": seconds = Double(try value(argument)) ?? seconds
            case "--idle": idle = Int(try value(argument)) ?? idle
            case "--out": output = try value(argument)
            case "--build": build = try value(argument)
            case "--pg-insert-rate": pgInsertRate = Double(try value(argument))
            case "--fsync-ms": fsyncMs = Double(try value(argument))
            case "--open-rate":
                guard let rate = Double(try value(argument)), rate > 0 else { throw OptionError(description: "--open-rate takes msg/s") }
                openRate = rate
            case "--fault": fault = try value(argument)
            case "--fault-command": faultCommand = try value(argument)
            case "--fault-at": faultAt = Double(try value(argument))
            case "--xmpp": xmpp.append(try value(argument))
            case "--xmpp-password": xmppPassword = try value(argument)
            case "--xmpp-title":
                let pair = try value(argument).split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { throw OptionError(description: "--xmpp-title takes LABEL=TEXT") }
                xmppTitles.append((String(pair[0]), String(pair[1])))
            case "--xmpp-pid", "--xmpp-pid-tree":
                let given = try value(argument)
                let pair = given.split(separator: "=")
                let names = pair.first?.split(separator: "/") ?? []
                guard pair.count == 2, names.count == 2, let pid = Int32(pair[1]) else {
                    throw OptionError(description: "\(argument) takes LABEL/NAME=PID")
                }
                xmppPids.append((String(names[0]), String(names[1]), pid, argument == "--xmpp-pid-tree"))
            case "-h", "--help": throw OptionError(description: Self.usage)
            default: throw OptionError(description: "unknown option \(argument)\n\(Self.usage)")
            }
        }
        for argument in xmpp {
            var target = try XMPPTarget(argument, password: xmppPassword)
            if let title = xmppTitles.last(where: { $0.0 == target.label }) { target.title = title.1 }
            for entry in xmppPids where entry.label == target.label {
                if entry.tree { target.treePids.append((entry.name, entry.pid)) } else { target.pids.append((entry.name, entry.pid)) }
            }
            xmppTargets.append(target)
        }
        guard !chatURLs.isEmpty else { throw OptionError(description: "--chat-urls is empty") }
        if scenarios.contains("g"), fault == nil || faultCommand == nil || uiURL == nil {
            throw OptionError(description: "scenario g needs --fault, --fault-command and --ui-url")
        }
    }
}

struct OptionError: Error, CustomStringConvertible {
    var description: String
}
