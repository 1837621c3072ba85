// Per-terminal request limits of the push listener: a token bucket per serial number, so one chatty or broken
// terminal (or a script posing as many) cannot crowd out the others.
import Foundation
import Synchronization

/// A token bucket per key: `rate` requests a second on average, `burst` at once.
final class PushRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: TimeInterval
    }

    let rate: Double
    let burst: Double
    /// Keys remembered at most; the least recently used are forgotten (a forgotten key starts with a full bucket).
    let capacity: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    init(rate: Int, burst: Int, capacity: Int = 10_000) {
        self.rate = Double(max(1, rate))
        self.burst = Double(max(1, burst))
        self.capacity = max(16, capacity)
    }

    /// Takes one token for `key` at `now` (seconds on a monotonic clock); false when the bucket is empty.
    func allow(_ key: String, now: TimeInterval) -> Bool {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + max(0, now - bucket.updated) * rate)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[key] = bucket
            if buckets.count > capacity {
                // Forget the quarter least recently used (rare: only a flood of made-up serials gets here).
                let oldest = buckets.sorted { $0.value.updated < $1.value.updated }.prefix(capacity / 4).map(\.key)
                for key in oldest { buckets.removeValue(forKey: key) }
            }
            return allowed
        }
    }

    /// Seconds until `key` has a token again (for the `Retry-After` of a refusal).
    func wait(for key: String) -> Int {
        let tokens = buckets.withLock { $0[key]?.tokens ?? burst }
        return max(1, Int(((1 - tokens) / rate).rounded(.up)))
    }
}
