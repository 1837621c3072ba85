// Rate limiting of sign-ins: a token bucket per key, so PINs cannot be guessed at machine speed.
import CounterCore
import Foundation
import Synchronization

/// A token bucket per key (a caller token, a remote address, a staff member): `burst` requests at once, then
/// `perMinute` a minute. ``check(key:)`` takes one from the key's bucket or throws 429 with `Retry-After`.
///
/// Kept as the generic cell rate algorithm: per key, the instant its bucket is full again, in whole milliseconds,
/// so the arithmetic is exact. Keys whose bucket is full are forgotten once there are many, so memory stays
/// bounded by the clients active in the last minute or so.
public final class SignInRateLimiter: Sendable {
    public let perMinute: Int
    public let burst: Int
    private let clock: any HallClock
    /// Per key: when its bucket is full again (ms since 1970).
    private let fullAt = Mutex<[String: Int64]>([:])
    /// Above this many keys, those with a full bucket are dropped.
    static let sweepAbove = 4096

    /// - Parameters:
    ///   - perMinute: how many requests a key may make a minute once its burst is spent (10).
    ///   - burst: how many a key may make at once (5).
    ///   - clock: the gateway's clock (a ``ManualClock`` in tests).
    public init(perMinute: Int = 10, burst: Int = 5, clock: any HallClock = SystemClock()) {
        self.perMinute = min(60_000, max(1, perMinute))
        self.burst = max(1, burst)
        self.clock = clock
    }

    /// Takes one request from `key`'s bucket.
    /// - Throws: ``APIProblem`` 429 with `Retry-After` (whole seconds until the next request is allowed).
    public func check(key: String) throws {
        let now = Int64((clock.now().timeIntervalSince1970 * 1000).rounded(.down))
        let interval = Int64(60_000 / perMinute)
        let tolerance = Int64(burst - 1) * interval
        let waitMilliseconds: Int64? = fullAt.withLock { fullAt in
            if fullAt.count > Self.sweepAbove { fullAt = fullAt.filter { $0.value > now } }
            // A clock set back must not make a client wait for hours, nor give it anything back: at most an empty bucket.
            let full = min(max(fullAt[key] ?? now, now), now + tolerance + interval)
            guard full - now <= tolerance else {
                fullAt[key] = full
                return full - tolerance - now
            }
            fullAt[key] = full + interval
            return nil
        }
        if let waitMilliseconds {
            let seconds = Int((waitMilliseconds + 999) / 1000)
            throw APIProblem.tooManyRequests(
                retryAfter: seconds,
                "too many sign-ins from this client (at most \(burst) at once, then \(perMinute) a minute); try again in \(max(1, seconds)) s")
                .withChinese("操作过于频繁,请 \(max(1, seconds)) 秒后再试")
        }
    }

    /// The usual key of a request: its caller's token, else its remote address.
    public static func key(for context: HallRequestContext) -> String {
        if let caller = context.caller { return "token:\(caller.tokenID)" }
        return "address:\(context.remoteAddress ?? "unknown")"
    }
}
