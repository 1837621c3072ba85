// A badge held against a reader is read again and again; one tap is one event.

/// Lets the first tap of a card through and drops the same card's taps until `window` has passed since that
/// accepted tap (measured from the accepted tap, so a badge left on the reader counts again once per window).
/// Time is injected: the caller passes the instant of each tap.
public struct RepeatTapFilter<Instant: InstantProtocol>: Sendable where Instant.Duration == Swift.Duration, Instant: Sendable {
    /// How long a repeat of the same card is ignored.
    public var window: Duration
    private var accepted: [UInt32: Instant] = [:]

    /// - Parameter window: how long after an accepted tap the same card is ignored; zero lets every tap through.
    public init(window: Duration) {
        self.window = window
    }

    /// Whether the tap counts; remembers it when it does. Cards are the same when their canonical values are equal
    /// (the low 24 bits, when a reader is Wiegand 26).
    public mutating func accept(_ card: CardNumber, at now: Instant) -> Bool {
        let key = card.significantBits == 24 ? card.value & 0x00FF_FFFF : card.value
        // Forget taps whose window has closed, so the memory stays as small as the taps of one window.
        if accepted.count > 64 { accepted = accepted.filter { $0.value.duration(to: now) < window } }
        if let last = accepted[key], last.duration(to: now) < window, last.duration(to: now) >= .zero {
            return false
        }
        accepted[key] = now
        return true
    }

    /// Forgets every tap.
    public mutating func reset() { accepted.removeAll() }
}
