import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix

/// `chat-load`: the load generator of `./microchat bench`. One process,
/// compiled, event-driven (SwiftNIO): senders over HTTP, listeners over
/// WebSocket, latencies in HDR histograms, every acknowledged message checked
/// at every listener and in storage, and the CPU of every process reported.
@main
struct ChatLoad {
    static func main() async {
        // Tasks run on the event loops that do the I/O: no hop per frame (as the services do).
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            let options = try Options(Array(CommandLine.arguments.dropFirst()))
            try await run(options)
        } catch {
            FileHandle.standardError.write(Data("chat-load: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ options: Options) async throws {
        var logger = Logger(label: "chat-load")
        logger.logLevel = .warning
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        let http = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton), configuration: configuration)
        let run = String(UUID().uuidString.prefix(6)).lowercased()
        let scenarios = Scenarios(api: Api(http: http, userURL: options.userURL), options: options, run: run, logger: logger)
        // The machine may be shared: what else ran shows in its load average, printed at both ends.
        let loadBefore = ProcessStats.loadAverage
        print(
            "chat-load: \(options.build) build, \(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(loadBefore), "
                + "chat-service at \(options.chatURLs.joined(separator: ", ")), \(Int(options.seconds)) s per load scenario")
        // Peers first (each measured with (a)'s shape), then MicroChat's scenarios.
        var peers: [ScenarioResult] = []
        let ownResults: [ScenarioResult]
        do {
            for target in options.xmppTargets {
                let result = try await XMPPScenario(target: target, seconds: options.seconds, run: run).measure()
                print(Report.line(result))
                peers.append(result)
            }
            if let rate = options.openRate {
                for target in options.xmppTargets {
                    let result = try await XMPPScenario(target: target, seconds: options.seconds, run: run, rate: rate).measure()
                    print(Report.line(result))
                    peers.append(result)
                }
            }
            ownResults = try await scenarios.all()
        } catch {
            try? await http.shutdown()
            throw error
        }
        try? await http.shutdown()
        let results = peers + ownResults
        let loadAfter = ProcessStats.loadAverage
        print("load average at the end: \(loadAfter)")
        var comparison: [PeerReport.Row]?
        var openComparison: [PeerReport.Row]?
        if let base = peers.first {
            let rows = PeerReport.rows(peers: peers, microChat: ownResults)
            print("\n" + PeerReport.table(rows, base: base.key) + "\n")
            comparison = rows
            let open = PeerReport.openLoopRows(peers: peers, microChat: ownResults)
            if let openBase = peers.first(where: { $0.key.hasSuffix("-open") }), !open.isEmpty {
                print(PeerReport.openLoopTable(open, base: openBase.key) + "\n")
                openComparison = open
            }
        }
        if let ceiling = options.pgInsertRate, let a = results.first(where: { $0.key == "a" }), let rate = a.ackedPerSecond {
            print(
                String(
                    format: "PostgreSQL alone here: %.0f single-row inserts/s at 8 clients%@; (a) is %.0f%% of that",
                    ceiling, options.fsyncMs.map { String(format: ", fsync %.2f ms", $0) } ?? "", rate / ceiling * 100))
        }
        try FileManager.default.createDirectory(atPath: options.output, withIntermediateDirectories: true)
        struct Summary: Encodable {
            var build: String
            var cores: Int
            var seconds: Double
            var pgInsertRate: Double?
            var fsyncMs: Double?
            var scenarios: [ScenarioResult]
            var comparison: [PeerReport.Row]?
            /// Peers and (b) at the same offered rate (`--open-rate`).
            var openLoopComparison: [PeerReport.Row]?
            /// /proc/loadavg's 1, 5 and 15 minute figures at the start and the end.
            var loadAverage: [String]
        }
        let summary = Summary(
            build: options.build, cores: ProcessInfo.processInfo.activeProcessorCount, seconds: options.seconds,
            pgInsertRate: options.pgInsertRate, fsyncMs: options.fsyncMs, scenarios: results,
            comparison: comparison, openLoopComparison: openComparison, loadAverage: [loadBefore, loadAfter])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(summary).write(to: URL(fileURLWithPath: options.output + "/bench.json"))
        try Report.svg(results, title: "MicroChat delivery latency, \(options.build) build").write(
            toFile: options.output + "/latency.svg", atomically: true, encoding: .utf8)
        print("results: \(options.output)/bench.json, chart: \(options.output)/latency.svg")
        if results.contains(where: { $0.missing + $0.duplicated + $0.outOfOrder + $0.notStored > 0 }) {
            print("chat-load: some acknowledged messages were lost, repeated or out of order (see above)")
            exit(2)
        }
    }
}
