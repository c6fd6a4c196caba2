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
        of(
            records: listeners.map { listener, rooms in
                let record = listener.record
                return (record.seqs, record.latency, rooms)
            }, acked: acked)
    }

    /// The same check over what each listener recorded: per stream (a room, or
    /// one sender's messages), the seqs in arrival order, and the delays.
    static func of(
        records: [(seqs: [String: [Int64]], latency: Histogram<UInt64>, streams: [String])], acked: [String: [Int64]]
    ) -> Verification {
        var result = Verification()
        for (seqsByStream, latency, streams) in records {
            result.latency.add(latency)
            for room in streams {
                let seqs = seqsByStream[room] ?? []
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
