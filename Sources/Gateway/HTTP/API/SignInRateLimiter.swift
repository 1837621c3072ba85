// Rate limiting of sign-ins: a token bucket per key, so PINs cannot be guessed at machine speed.
import CounterCore
import Foundation

/// Sign-ins per key (a caller token, a remote address, a staff member): `burst` at once, then `perMinute` a minute
/// (``TokenBuckets``). ``check(key:)`` takes one from the key's bucket or throws 429 with `Retry-After`.
public final class SignInRateLimiter: Sendable {
    public let perMinute: Int
    public let burst: Int
    private let clock: any HallClock
    private let buckets: TokenBuckets

    /// - Parameters:
    ///   - perMinute: how many requests a key may make a minute once its burst is spent (10).
    ///   - burst: how many a key may make at once (5).
    ///   - clock: the gateway's clock (a ``ManualClock`` in tests).
    public init(perMinute: Int = 10, burst: Int = 5, clock: any HallClock = SystemClock()) {
        self.perMinute = min(60_000, max(1, perMinute))
        self.burst = max(1, burst)
        self.clock = clock
        buckets = TokenBuckets(perSecond: Double(self.perMinute) / 60, burst: self.burst)
    }

    /// Takes one request from `key`'s bucket.
    /// - Throws: ``APIProblem`` 429 with `Retry-After` (whole seconds until the next request is allowed).
    public func check(key: String) throws {
        let now = Int64((clock.now().timeIntervalSince1970 * 1_000_000).rounded(.down))
        if let wait = buckets.take(key, now: now) {
            let seconds = TokenBuckets.seconds(wait)
            throw APIProblem.tooManyRequests(
                retryAfter: seconds,
                "too many sign-ins from this client (at most \(burst) at once, then \(perMinute) a minute); try again in \(seconds) s")
                .withChinese("操作过于频繁,请 \(seconds) 秒后再试")
        }
    }

    /// The usual key of a request: its caller's token, else its remote address.
    public static func key(for context: HallRequestContext) -> String {
        if let caller = context.caller { return "token:\(caller.tokenID)" }
        return "address:\(context.remoteAddress ?? "unknown")"
    }
}
