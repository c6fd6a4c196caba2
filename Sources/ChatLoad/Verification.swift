import Histogram

/// Every acknowledged message at every listener: none missing, none twice,
/// none out of order — and every one stored.
struct Verification {
    var deliveries = 0
    var missing = 0
    var duplicated = 0
    var outOfOrder = 0
    var notStored = 0
    var latency = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)

    var clean: Bool { missing == 0 && duplicated == 0 && outOfOrder == 0 && notStored == 0 }

    static func of(_ listeners: [(Listener, [String])], acked: [String: [Int64]]) -> Verification {
        var result = Verification()
        for (listener, rooms) in listeners {
            let record = listener.record
            result.latency.add(record.latency)
            for room in rooms {
                let seqs = record.seqs[room] ?? []
                result.deliveries += seqs.count
                var seen = Set<Int64>()
                var newest: Int64 = -1
                for seq in seqs {
                    if seen.contains(seq) {
                        result.duplicated += 1
                    } else if seq < newest {
                        result.outOfOrder += 1
                    }
                    seen.insert(seq)
                    newest = max(newest, seq)
                }
                result.missing += (acked[room] ?? []).filter { !seen.contains($0) }.count
            }
        }
        return result
    }
}
