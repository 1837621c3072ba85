// Where the transports' blocking system calls run: a few threads of their own, never Swift's cooperative pool.
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The printer I/O threads. A printer that stalls holds one of them for at most its timeout; the cooperative
/// threads that run the gateway's tasks never wait on a printer.
enum PrinterIOThreads {
    /// Separate from `NIOThreadPool.singleton` so that stalled printers cannot starve the HTTP server's file I/O.
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 8)
        pool.start()
        return pool
    }()

    /// How often a blocking wait looks up to see whether it was cancelled or its device is closing.
    /// Cancellation therefore takes effect within this time; it is not a delay on the data path.
    static let checkInterval: Duration = .milliseconds(100)

    /// Runs `body` on a printer I/O thread. Task cancellation raises `stop`, which `body` checks between waits.
    static func run<T: Sendable>(
        device: String, _ body: @escaping @Sendable (StopSignal) -> Result<T, TransportError>
    ) async throws(TransportError) -> T {
        let stop = StopSignal()
        let result: Result<T, TransportError>
        do {
            result = try await withTaskCancellationHandler {
                try await pool.runIfActive { body(stop) }
            } onCancel: {
                stop.raise()
            }
        } catch {
            // Only the pool itself throws: cancelled before the work started, or shut down.
            throw TransportError(.cancelled, device: device, detail: error is CancellationError ? "cancelled before it started" : "\(error)")
        }
        return try result.get()
    }

    /// A process that writes to a pipe or FIFO whose reader went away gets SIGPIPE, which by default kills it.
    /// The gateway wants EPIPE instead (a dead `lp`, a FIFO reader gone), so the transports ignore the signal.
    static let ignoreBrokenPipes: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()
}

/// Tells a blocking wait on an I/O thread to give up: the task was cancelled or the device is closing.
final class StopSignal: Sendable {
    private let raised = Mutex(false)
    func raise() { raised.withLock { $0 = true } }
    var isRaised: Bool { raised.withLock { $0 } }
}

/// An open device (a file descriptor, a libusb handle) that I/O threads use while `close` may be called at any
/// time: closing stops new uses, signals the current ones, and releases the device once the last one returns,
/// so a descriptor is never closed (and its number reused) under a thread still polling it.
final class HeldDevice<Handle: Sendable>: Sendable {
    private struct State: ~Copyable {
        var users = 0
        var closing = false
        var released = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let handle: Handle
    private let release: @Sendable (Handle) -> Void
    private let state = Mutex(State())
    /// Raised when closing, so that uses in progress stop waiting.
    let closingSignal = StopSignal()

    init(_ handle: Handle, release: @escaping @Sendable (Handle) -> Void) {
        self.handle = handle
        self.release = release
    }

    /// Runs `body` with the handle unless the device is closing (then nil).
    func use<T>(_ body: (Handle) -> T) -> T? {
        let admitted = state.withLock { state -> Bool in
            guard !state.closing else { return false }
            state.users += 1
            return true
        }
        guard admitted else { return nil }
        defer { finishUse() }
        return body(handle)
    }

    private func finishUse() {
        let (releaseNow, waiters) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
            state.users -= 1
            guard state.closing, state.users == 0, !state.released else { return (false, []) }
            state.released = true
            defer { state.waiters = [] }
            return (true, state.waiters)
        }
        if releaseNow { release(handle) }
        for waiter in waiters { waiter.resume() }
    }

    /// Stops new uses, signals the current ones, and returns once the device is released.
    func close() async {
        let releaseNow = state.withLock { state -> Bool in
            state.closing = true
            guard state.users == 0, !state.released else { return false }
            state.released = true
            return true
        }
        closingSignal.raise()
        if releaseNow {
            release(handle)
            return
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.released { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}
