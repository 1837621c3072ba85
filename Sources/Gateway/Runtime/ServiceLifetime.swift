// A service of the gateway lives as long as the gateway: a service that returns ends the whole service group (every
// listener with it), so one whose work ends early (nothing configured for it, a reader that cannot be read) waits for
// the shutdown instead.
import ServiceLifecycle

/// Runs `work` until the gateway shuts down gracefully (then `work` is cancelled); if `work` ends first, waits for the
/// shutdown rather than returning.
func runUntilShutdown(_ work: @escaping @Sendable () async -> Void) async {
    await cancelWhenGracefulShutdown { await work() }
    // Returns at once when the shutdown is what ended the work; throws when the service group cancels us.
    try? await gracefulShutdown()
}
