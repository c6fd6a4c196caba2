import Metrics

/// chat-service's own Prometheus series (beside Hummingbird's request metrics,
/// the gateway's connection gauge and the pool's): what the MicroChat dashboard
/// and alert rules chart.
enum ChatMetrics {
    /// Messages stored (retried sends that found their earlier copy are not counted again).
    static let messagesSent = Counter(label: "chat_messages_sent_total")
    /// From a message's commit to its event leaving for a listener's socket (one delivery in 16, sampled).
    static let fanoutLag = Metrics.Timer(label: "chat_fanout_lag_seconds", preferredDisplayUnit: .seconds)
    /// How many sends shared one commit (a lone send counts as 1).
    static let sendBatchSize = Recorder(label: "chat_send_batch_size", aggregate: true)
}
