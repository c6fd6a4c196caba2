import Histogram
import Testing

@testable import ChatLoad

@Suite("What makes a bench run fail: deliveries checked per stream")
struct VerificationTests {
    let latency = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)

    @Test("Every acknowledged message once and in its sender's order passes")
    func clean() {
        let acked: [String: [Int64]] = ["s0": [1, 2, 3], "s1": [1, 2]]
        let heard: [String: [Int64]] = ["s0": [1, 2, 3], "s1": [1, 2]]
        let result = Verification.of(records: [(heard, latency, ["s0", "s1"]), (heard, latency, ["s0", "s1"])], acked: acked)
        #expect(result.clean)
        #expect(result.deliveries == 10)
    }

    @Test("A message missing, heard twice or out of its sender's order is counted")
    func faults() {
        let acked: [String: [Int64]] = ["s0": [1, 2, 3], "s1": [1, 2]]
        let heard: [String: [Int64]] = ["s0": [1, 3, 2, 3], "s1": [1]]
        let result = Verification.of(records: [(heard, latency, ["s0", "s1"])], acked: acked)
        #expect(result.missing == 1)
        #expect(result.duplicated == 1)
        #expect(result.outOfOrder == 1)
        #expect(!result.clean)
    }
}
