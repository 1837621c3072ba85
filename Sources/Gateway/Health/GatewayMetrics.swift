// The gateway's metrics: swift-metrics, collected by one Prometheus registry per process and served at /metrics.
import Metrics
import Prometheus

public enum GatewayMetrics {
    /// The registry the metrics system reports to; bootstrapped on first use (a process can bootstrap only once,
    /// so every gateway run in one process, as in the tests, shares it).
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// The text exposition format, for GET /metrics.
    public static func exposition() -> String { registry.emitToString() }
}
