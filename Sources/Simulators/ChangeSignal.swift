// Test fakes' change notification: lets tests wait on what a simulator did instead of sleeping.
import Synchronization

/// Wakes the simulators' `waitUntil` waiters whenever a simulator changes.
final class ChangeSignal: Sendable {
    private let waiters = Mutex<(next: Int, all: [Int: AsyncStream<Void>.Continuation])>((0, [:]))

    func subscribe() -> (AsyncStream<Void>, Int) {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let token = waiters.withLock { w in
            w.next += 1
            w.all[w.next] = continuation
            return w.next
        }
        return (stream, token)
    }

    func unsubscribe(_ token: Int) {
        waiters.withLock { $0.all.removeValue(forKey: token) }?.finish()
    }

    func notify() {
        let all = waiters.withLock { Array($0.all.values) }
        for continuation in all { continuation.yield() }
    }

    /// Waits until `condition` holds, re-checking it after every change; false when `timeout` passed first.
    func wait(timeout: Duration, until condition: @escaping @Sendable () -> Bool) async throws -> Bool {
        let (stream, token) = subscribe()
        defer { unsubscribe(token) }
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                if condition() { return true }
                for await _ in stream where condition() { return true }
                return false
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
