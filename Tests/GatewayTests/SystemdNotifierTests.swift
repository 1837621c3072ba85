// sd_notify: the datagrams systemd would receive, read from a socket the test binds itself.
import Foundation
import CounterGateTestSupport
import Testing
@testable import Gateway

@Suite struct SystemdNotifierTests {
    @Test func sendsToTheNotifySocket() throws {
        let socket = try NotifySocket()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path])
        #expect(notifier.isActive)
        #expect(notifier.notify("READY=1\nSTATUS=test"))
        #expect(socket.receive() == "READY=1\nSTATUS=test")
        #expect(notifier.notify("WATCHDOG=1"))
        #expect(socket.receive() == "WATCHDOG=1")
    }

    @Test func withoutNotifySocketNothingIsSent() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isActive)
        #expect(!notifier.notify("READY=1"))
    }

    @Test func watchdogIntervalIsReadOnlyForThisProcess() {
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000"]) == .seconds(30))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "0"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: [:]) == nil)
    }
}
