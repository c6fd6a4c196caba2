import Testing

@testable import ChatLoad

@Suite("The peer tables: closed loop against the first peer, open loop at one offered rate")
struct PeerReportTests {
    func result(_ key: String, rate: Double, p99: Double, cpu: Double, outOfOrder: Int = 0) -> ScenarioResult {
        var result = ScenarioResult(
            key: key, title: key, ackedPerSecond: rate, acked: Int(rate) * 10, failures: 0, deliveries: 0, missing: 0,
            duplicated: 0, outOfOrder: outOfOrder, notStored: 0, deliverMs: ["p50": p99 / 2, "p99": p99], seconds: 10)
        result.cpuPerThousand = cpu
        return result
    }

    var peers: [ScenarioResult] {
        [
            result("ejabberd-archive", rate: 600, p99: 20, cpu: 2), result("ejabberd-plain", rate: 1200, p99: 8, cpu: 1),
            result("ejabberd-archive-open", rate: 800, p99: 16, cpu: 2), result("ejabberd-plain-open", rate: 800, p99: 6, cpu: 1),
        ]
    }
    var microChat: [ScenarioResult] {
        [
            result("a", rate: 900, p99: 15, cpu: 1.8), result("b", rate: 800, p99: 12, cpu: 1.9, outOfOrder: 1),
            result("f", rate: 500, p99: 30, cpu: 2.4),
        ]
    }

    @Test("The closed-loop table holds the peers' closed runs and (a) and (f), ratios to the first peer")
    func closedLoop() throws {
        let rows = PeerReport.rows(peers: peers, microChat: microChat)
        #expect(
            rows.map(\.system) == ["ejabberd-archive", "ejabberd-plain", PeerReport.microChatTitles["a"], PeerReport.microChatTitles["f"]])
        let a = try #require(rows.first { $0.system == PeerReport.microChatTitles["a"] })
        #expect(a.rateRatio == 1.5)
        #expect(a.cpuRatio == 0.9)
    }

    @Test("The open-loop table holds the peers' open runs and (b), p99 against the first open run")
    func openLoop() throws {
        let rows = PeerReport.openLoopRows(peers: peers, microChat: microChat)
        #expect(rows.map(\.system) == ["ejabberd-archive-open", "ejabberd-plain-open", PeerReport.microChatTitles["b"]])
        let b = try #require(rows.last)
        #expect(b.p99Ratio == 0.75)
        #expect(b.lostDuplicatedOrReordered == 1)
        let table = PeerReport.openLoopTable(rows, base: "ejabberd-archive-open")
        #expect(table.contains("| 800 | 6.0 / 12.0 | 0.750 |"))
        #expect(PeerReport.openLoopRows(peers: Array(peers.prefix(2)), microChat: microChat).isEmpty)
    }
}
