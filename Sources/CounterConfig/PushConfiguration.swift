// `[push]`: the listener push terminals (ADMS / iclock over HTTP) call, the options they are given, and the limits that
// keep a misbehaving device from holding the gateway; and the check of `push:SERIAL` device addresses.
import CounterCore
import CounterTOML
import Foundation

extension HallConfiguration {
    /// How the gateway serves terminals that call it (the push protocol).
    public struct Push: Sendable, Equatable {
        /// Whether the listener runs: when the configuration has a `[push]` table or a terminal at `push:SERIAL`.
        public var enabled = false
        /// The address terminals call: the hall LAN address in production (plain HTTP, no API tokens: this listener
        /// serves `/iclock/` and nothing else).
        public var bind = "127.0.0.1"
        /// The terminals' 服务器端口; 0 picks a free port (tests, a second demo).
        public var port = 8081
        /// `Delay`: seconds between a terminal's polls, its heartbeat.
        public var delaySeconds = 10
        /// `ErrorDelay`: seconds a terminal waits before trying again after a failed request.
        public var errorDelaySeconds = 30
        /// `TransInterval`: minutes between a terminal's checks for new data when not in real time.
        public var transIntervalMinutes = 1
        /// `TransTimes`: times of day (HH:MM) a terminal checks for new data.
        public var transTimes = ["00:00", "14:05"]
        /// `Realtime`: upload each punch as it happens.
        public var realtime = true
        /// Ask terminals for users and fingerprints (OPERLOG `USER`/`FP`): the gateway's copy a replacement restores.
        public var uploadUsers = true
        /// How names go to terminals in commands when a terminal has not shown its own encoding yet: `gb18030`
        /// (Chinese firmware) or `utf-8`.
        public var textEncoding = "gb18030"
        /// Bodies larger than this are refused (413).
        public var maxBodyKiB = 1024
        /// A request's line and headers must arrive within this; a slow client is disconnected.
        public var headerTimeoutSeconds = 10
        /// A request's body must arrive within this after its headers.
        public var bodyTimeoutSeconds = 30
        /// Connections open at once; more are closed at once.
        public var maxConnections = 256
        /// Requests per second one terminal may make on average …
        public var requestsPerSecond = 5
        /// … and in a burst.
        public var burst = 30
        /// A command sent and not answered within this is sent again …
        public var commandTimeoutSeconds = 120
        /// … up to this many times in all; then it is given up (expired) and reported.
        public var commandAttempts = 3
        /// A terminal that has not called for this many of its poll intervals is failing (its health, then sign-in mode).
        public var offlineAfterMissedPolls = 3
        /// Unknown serials recorded as candidates at most (a flood of made-up serials fills no table).
        public var maxCandidates = 50

        public init() {}

        /// Seconds of silence after which a push terminal counts as failing.
        public var silenceSeconds: Int { max(delaySeconds * offlineAfterMissedPolls, delaySeconds + 5) }
    }

    /// Reads `[push]` (absent: the defaults, enabled only when `hasPushTerminals`).
    static func readPush(_ table: TableReader, present: Bool, hasPushTerminals: Bool) -> Push {
        var push = Push()
        push.enabled = present || hasPushTerminals
        push.bind = table.string("bind", default: push.bind, expected: "an IP address such as 192.168.10.2",
                                 check: { isIPAddress($0) ? nil : "\"\($0)\" is not an IP address; use the hall LAN address the terminals can reach" }) ?? push.bind
        push.port = table.int("port", default: push.port, range: 0...65535) ?? push.port
        push.delaySeconds = table.int("delay_seconds", default: push.delaySeconds, range: 1...3600) ?? push.delaySeconds
        push.errorDelaySeconds = table.int("error_delay_seconds", default: push.errorDelaySeconds, range: 1...3600) ?? push.errorDelaySeconds
        push.transIntervalMinutes = table.int("trans_interval_minutes", default: push.transIntervalMinutes, range: 1...1440) ?? push.transIntervalMinutes
        push.transTimes = table.stringArray("trans_times", default: push.transTimes)
        for time in push.transTimes where !isClockTime(time) {
            table.fail("trans_times", at: table.table["trans_times"]?.position.line ?? table.table.position.line,
                       "\"\(time)\" is not a time of day HH:MM (e.g. \"14:05\")")
        }
        push.realtime = table.bool("realtime", default: push.realtime)
        push.uploadUsers = table.bool("upload_users", default: push.uploadUsers)
        push.textEncoding = table.string("text_encoding", default: push.textEncoding, expected: "\"gb18030\" or \"utf-8\"",
                                         check: { ["gb18030", "utf-8"].contains($0) ? nil : "expected \"gb18030\" or \"utf-8\", found \"\($0)\"" }) ?? push.textEncoding
        push.maxBodyKiB = table.int("max_body_kib", default: push.maxBodyKiB, range: 16...65_536) ?? push.maxBodyKiB
        push.headerTimeoutSeconds = table.int("header_timeout_seconds", default: push.headerTimeoutSeconds, range: 1...300) ?? push.headerTimeoutSeconds
        push.bodyTimeoutSeconds = table.int("body_timeout_seconds", default: push.bodyTimeoutSeconds, range: 1...600) ?? push.bodyTimeoutSeconds
        push.maxConnections = table.int("max_connections", default: push.maxConnections, range: 1...10_000) ?? push.maxConnections
        push.requestsPerSecond = table.int("requests_per_second", default: push.requestsPerSecond, range: 1...10_000) ?? push.requestsPerSecond
        push.burst = table.int("burst", default: push.burst, range: 1...100_000) ?? push.burst
        push.commandTimeoutSeconds = table.int("command_timeout_seconds", default: push.commandTimeoutSeconds, range: 5...86_400) ?? push.commandTimeoutSeconds
        push.commandAttempts = table.int("command_attempts", default: push.commandAttempts, range: 1...20) ?? push.commandAttempts
        push.offlineAfterMissedPolls = table.int("offline_after_missed_polls", default: push.offlineAfterMissedPolls, range: 1...100) ?? push.offlineAfterMissedPolls
        push.maxCandidates = table.int("max_candidates", default: push.maxCandidates, range: 0...1000) ?? push.maxCandidates
        return push
    }

    /// Checks a terminal that calls the gateway (`push:SERIAL`): `serial_number` (when given) must agree, and no two
    /// devices may claim one serial. (The address itself was parsed for the device's kind: only a terminal can be
    /// `push:`, with a serial terminals can send.)
    /// - Returns: the serial to keep as the device's serial number (the given one when the device is not a push terminal).
    static func checkPushTerminal(_ link: DeviceLink, serialNumber: String?, id: String, table: TableReader, line: Int,
                                  seen: inout [String: (id: String, line: Int)]) -> String? {
        guard let serial = link.pushSerial else { return serialNumber }
        let at = table.table["address"]?.position.line ?? line
        if let serialNumber, serialNumber != serial {
            table.fail("serial_number", at: table.table["serial_number"]?.position.line ?? at,
                       "is \"\(serialNumber)\" but the address says push:\(serial); leave serial_number out for push terminals")
        }
        if let first = seen[serial] {
            table.fail("address", at: at, "terminal \(serial) is already device \(first.id) at line \(first.line); one device per serial number")
        } else {
            seen[serial] = (id, line)
        }
        return serial
    }
}

/// `HH:MM`, 00:00 to 23:59.
func isClockTime(_ text: String) -> Bool {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isNumber) }),
          let hour = Int(parts[0]), let minute = Int(parts[1]) else { return false }
    return (0...23).contains(hour) && (0...59).contains(minute)
}
