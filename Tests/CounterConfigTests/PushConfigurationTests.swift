// `[push]` and `push:SERIAL` device addresses: defaults, when the listener runs, and every mistake reported with its
// file, line and key.
import CounterCore
import Foundation
import Testing
@testable import CounterConfig
import CounterTOML

@Suite struct PushConfigurationTests {
    static func parse(_ text: String) throws -> HallConfiguration {
        try HallConfiguration.parse(text: text, file: "hall.toml", baseDirectory: "/tmp")
    }

    static func errors(_ text: String) -> [ConfigError] {
        do {
            _ = try parse(text)
            return []
        } catch let errors as ConfigErrors {
            return errors.errors
        } catch {
            return [ConfigError(file: "?", line: 0, key: nil, message: "\(error)")]
        }
    }

    @Test func offByDefaultOnWithAPushTerminalOrATable() throws {
        #expect(!(try Self.parse("")).push.enabled)
        let withTerminal = try Self.parse("""
            [[device]]
            id = "entrance-terminal"
            kind = "terminal"
            profile = "zk-push"
            address = "push:A8N5211960213"
            """)
        #expect(withTerminal.push.enabled && withTerminal.push.bind == "127.0.0.1" && withTerminal.push.port == 8081)
        #expect(withTerminal.devices.first?.serialNumber == "A8N5211960213")
        let withTable = try Self.parse("""
            [push]
            bind = "192.168.10.2"
            port = 8088
            delay_seconds = 20
            error_delay_seconds = 60
            trans_times = ["08:00", "18:30"]
            realtime = false
            upload_users = false
            text_encoding = "utf-8"
            max_body_kib = 256
            header_timeout_seconds = 5
            body_timeout_seconds = 20
            requests_per_second = 2
            burst = 10
            command_timeout_seconds = 300
            command_attempts = 5
            offline_after_missed_polls = 4
            max_candidates = 10
            """)
        let push = withTable.push
        #expect(push.enabled && push.bind == "192.168.10.2" && push.port == 8088 && push.delaySeconds == 20 && push.errorDelaySeconds == 60)
        #expect(push.transTimes == ["08:00", "18:30"] && !push.realtime && !push.uploadUsers && push.textEncoding == "utf-8")
        #expect(push.maxBodyKiB == 256 && push.headerTimeoutSeconds == 5 && push.bodyTimeoutSeconds == 20 && push.requestsPerSecond == 2)
        #expect(push.burst == 10 && push.commandTimeoutSeconds == 300 && push.commandAttempts == 5 && push.offlineAfterMissedPolls == 4)
        #expect(push.maxCandidates == 10 && push.silenceSeconds == 80)
    }

    @Test func mistakesNamedWithTheirLines() {
        let errors = Self.errors("""
            [[device]]
            id = "t1"
            kind = "terminal"
            profile = "zk-push"
            address = "push:A8N/52"

            [[device]]
            id = "t2"
            kind = "terminal"
            profile = "zk-push"
            address = "push:SAME0001"
            serial_number = "OTHER"

            [[device]]
            id = "t3"
            kind = "terminal"
            profile = "zk-push"
            address = "push:SAME0001"

            [[device]]
            id = "p1"
            kind = "printer"
            profile = "xprinter-xp80"
            address = "push:P1"

            [push]
            bind = "gateway.local"
            trans_times = ["25:00"]
            text_encoding = "big5"
            max_body_kib = 1
            dleay_seconds = 3
            """)
        let found = errors.map { "\($0.line) \($0.key ?? "-")" }
        #expect(found.contains("5 device[1].address"))
        #expect(found.contains("12 device[2].serial_number"))
        #expect(found.contains("18 device[3].address"))
        #expect(found.contains("24 device[4].address"))
        #expect(found.contains("27 push.bind"))
        #expect(found.contains("28 push.trans_times"))
        #expect(found.contains("29 push.text_encoding"))
        #expect(found.contains("30 push.max_body_kib"))
        #expect(found.contains("31 push.dleay_seconds"))
        #expect(errors.first { $0.key == "device[3].address" }?.message.contains("already device t2 at line 7") == true)
        #expect(errors.first { $0.key == "device[1].address" }?.message.contains("序列号") == true)
        #expect(errors.first { $0.key == "push.dleay_seconds" }?.message.contains("did you mean `push.delay_seconds`") == true)
        #expect(errors.count == 9)
    }
}
