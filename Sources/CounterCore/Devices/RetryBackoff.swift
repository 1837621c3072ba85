// How every reconnecting adapter waits before trying again: one exponential backoff (terminal sessions, serial
// readers, print jobs waiting for their printer).

/// The exponential backoff between reconnection attempts: the one retry policy of the hall's devices.
public struct RetryBackoff: Sendable {
    public let initial: Duration
    public let maximum: Duration
    private(set) var current: Duration

    public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(60)) {
        self.initial = initial
        self.maximum = maximum
        self.current = initial
    }

    /// The wait before the n-th retry of something that failed `failures` times (1: `initial`), without keeping state:
    /// for a retry decided from a stored count (a print job's attempts).
    public static func wait(afterFailures failures: Int, initial: Duration, maximum: Duration) -> Duration {
        var backoff = RetryBackoff(initial: initial, maximum: maximum)
        var wait = backoff.next()
        for _ in 1..<max(1, min(failures, 32)) { wait = backoff.next() }
        return wait
    }

    /// The wait before the next attempt; doubles each time up to the maximum.
    public mutating func next() -> Duration {
        defer { current = min(current * 2, maximum) }
        return current
    }

    public mutating func reset() { current = initial }
}
