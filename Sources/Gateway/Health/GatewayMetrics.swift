// The gateway's metrics: swift-metrics, collected by one Prometheus registry per process and served at /metrics.
import CounterCore
import CounterStore
import Metrics
import Prometheus
import Synchronization

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

    /// How long a pull-protocol terminal was last disabled (keypad and sensor locked) to snapshot its log, in seconds:
    /// `countergate_terminal_disabled_seconds{role}`, plus the largest seen since the gateway started
    /// (`countergate_terminal_disabled_max_seconds{role}`).
    public static func terminalDisabled(role: String, seconds: Double) {
        _ = registry
        Gauge(label: "countergate_terminal_disabled_seconds", dimensions: [("role", role)]).record(seconds)
        let largest = disabledMaximum.withLock { maxima in
            maxima[role] = max(maxima[role] ?? 0, seconds)
            return maxima[role] ?? seconds
        }
        Gauge(label: "countergate_terminal_disabled_max_seconds", dimensions: [("role", role)]).record(largest)
    }

    private static let disabledMaximum = Mutex<[String: Double]>([:])

    /// `countergate_audit_anchor_sound`: 1 when the audit log ended where its anchor said at the gateway's start (or
    /// went on past it), 0 when entries were cut from its end or the anchor is missing, unreadable or forged.
    public static func auditAnchor(sound: Bool) {
        _ = registry
        Gauge(label: "countergate_audit_anchor_sound").record(sound ? 1 : 0)
    }

    /// Sets the gauges that count what the store holds (devices by state, punches, pending sign-ins, print jobs by
    /// state), just before a scrape reads them.
    public static func refresh(from store: HallStore) async throws {
        _ = registry
        let devices = try await store.deviceHealth()
        for kind in DeviceKind.allCases {
            for power in [DevicePowerState.online, .offline, .unknown] {
                Gauge(label: "countergate_devices", dimensions: [("kind", kind.rawValue), ("power", power.rawValue)])
                    .record(devices.filter { $0.kind == kind && $0.power == power }.count)
            }
        }
        Gauge(label: "countergate_punches_stored").record(try await store.punchCount())
        Gauge(label: "countergate_sign_ins_pending").record(try await store.pendingSignIns().count)
        let jobs = try await store.printJobCounts()
        for state in PrintJobState.allCases {
            Gauge(label: "countergate_print_jobs", dimensions: [("state", state.rawValue)]).record(jobs[state] ?? 0)
        }
    }
}
