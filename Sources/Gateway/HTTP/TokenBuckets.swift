// One rate limiter for the gateway's listeners: a token bucket per key (a sign-in client, a push terminal's serial),
// so nobody can guess PINs at machine speed and no chatty terminal crowds out the others.
import Foundation
import Synchronization

/// A token bucket per key: `burst` requests at once, then one every `interval`.
///
/// Kept as the generic cell rate algorithm: per key, the instant its bucket is full again, in whole microseconds, so
/// the arithmetic is exact. Keys whose bucket is full are forgotten once there are more than `capacity`; if a flood
/// of keys is still above it, those nearest to full are forgotten (a forgotten key starts with a full bucket), so
/// memory stays bounded.
final class TokenBuckets: Sendable {
    /// Microseconds between two requests once the burst is spent.
    let interval: Int64
    let burst: Int
    let capacity: Int
    /// Per key: when its bucket is full again (microseconds on the caller's clock).
    private let fullAt = Mutex<[String: Int64]>([:])

    /// - Parameters:
    ///   - perSecond: requests a second once the burst is spent (fractions allowed: 10 a minute is 1/6).
    ///   - burst: requests at once.
    ///   - capacity: keys remembered before full buckets are forgotten.
    init(perSecond: Double, burst: Int, capacity: Int = 4096) {
        interval = max(1, Int64((1_000_000 / max(perSecond, 1e-6)).rounded()))
        self.burst = max(1, burst)
        self.capacity = max(16, capacity)
    }

    /// Takes one request from `key`'s bucket at `now` (microseconds).
    /// - Returns: nil when allowed; else how many microseconds until the next request is allowed.
    func take(_ key: String, now: Int64) -> Int64? {
        let tolerance = Int64(burst - 1) * interval
        return fullAt.withLock { fullAt in
            if fullAt.count > capacity {
                fullAt = fullAt.filter { $0.value > now }
                if fullAt.count > capacity {
                    for key in fullAt.sorted(by: { $0.value < $1.value }).prefix(fullAt.count - capacity * 3 / 4).map(\.key) {
                        fullAt.removeValue(forKey: key)
                    }
                }
            }
            // A clock set back must not make a client wait for hours, nor give it anything back: at most an empty bucket.
            let full = min(max(fullAt[key] ?? now, now), now + tolerance + interval)
            guard full - now <= tolerance else {
                fullAt[key] = full
                return full - tolerance - now
            }
            fullAt[key] = full + interval
            return nil
        }
    }

    /// Whole seconds for a `Retry-After`, at least 1.
    static func seconds(_ microseconds: Int64) -> Int { max(1, Int((microseconds + 999_999) / 1_000_000)) }
}
