// The evdev path for real: reader-probe finds the reader by its USB ids in a umockdev-faked /sys/class/input, grabs
// /dev/input/event5 and reads a card that umockdev replays from an evemu recording (Tests/Fixtures/input).
import CounterGateTestSupport
import Foundation
import Simulators
import Testing

struct ReaderTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The fixtures: `reader.umockdev` (a USB HID keyboard-wedge reader, ffff:0035, at event5) and `card.events`.
enum ReaderFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/input").path
}

/// `reader-probe` as `swift build` put it beside the test bundle, or `$READER_PROBE_BIN`; run under umockdev.
enum ReaderProbe {
    static var path: String? {
        if let path = ProcessInfo.processInfo.environment["READER_PROBE_BIN"] { return path }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent(), Bundle.main.bundleURL.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("reader-probe").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static var umockdevRun: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return (path.split(separator: ":").map(String.init) + ["/usr/bin"]).map { $0 + "/umockdev-run" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `reader-probe arguments` on the fixture devices, replaying `events` (evemu) on /dev/input/event5.
    static func run(_ arguments: [String], events: String? = "card.events") async throws -> (status: Int32, json: [String: Any], output: String) {
        try await run(arguments, description: ReaderFixtures.directory + "/reader.umockdev",
                      eventsPath: events.map { "\(ReaderFixtures.directory)/\($0)" })
    }

    /// Runs `reader-probe arguments` under umockdev with the device `description` and, if any, `eventsPath` replayed
    /// on /dev/input/event5.
    static func run(_ arguments: [String], description: String, eventsPath: String?) async throws -> (status: Int32, json: [String: Any], output: String) {
        guard let run = umockdevRun else {
            throw ReaderTestFailure("umockdev is missing: run scripts/setup --test (apt-get install umockdev)")
        }
        guard let probe = path else {
            throw ReaderTestFailure("reader-probe was not built beside the tests: swift build --build-tests (or set READER_PROBE_BIN)")
        }
        var umockdevArguments = ["-d", description]
        if let eventsPath { umockdevArguments += ["-e", "/dev/input/event5=\(eventsPath)"] }
        let result = try await ChildProcess.run(run, umockdevArguments + ["--", probe] + arguments, timeout: .seconds(30))
        let json = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        return (result.status, json, result.stdout + result.stderr)
    }
}

@Suite("wedge reader under umockdev")
struct WedgeReaderUnderUmockdevTests {
    @Test("the reader is found by its USB ids, grabbed, and the card typed on it is read")
    func cardRead() async throws {
        let result = try await ReaderProbe.run(["ffff:0035", "--timeout-ms", "10000"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.json["node"] as? String == "/dev/input/event5", "\(result.output)")
        let cards = try #require(result.json["cards"] as? [[String: Any]], "\(result.output)")
        #expect(cards.map { $0["number"] as? String } == ["0004215371"])
        #expect((result.json["problems"] as? [String]) == [], "open, grab and reads all succeeded")
        #expect((result.json["unexpectedKeys"] as? [Int]) == [])
    }

    @Test("other ids find nothing, and the error lists what is attached")
    func notFound() async throws {
        let result = try await ReaderProbe.run(["ffff:0036", "--timeout-ms", "1500"], events: nil)
        #expect(result.status == 1)
        #expect((result.json["cards"] as? [Any])?.isEmpty == true)
        let problems = try #require(result.json["problems"] as? [String], "\(result.output)")
        #expect(problems == ["no input device ffff:0036 in /sys/class/input (attached: /dev/input/event5: Sycreader RFID Technology Co., Ltd SYC ID&IC USB Reader (ffff:0035))"],
                "reported once, not once per rescan")
    }

    @Test("the simulated wedge reader's files (a test fake) replay through the real evdev path: taps read, a half card thrown away")
    func simulatedWedgeReader() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-wedge-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let reader = SimulatedWedgeReader()
        let script = try reader.evemuEvents([.tap("0004215371"), .pause(.seconds(1)), .halfCard("00042"), .pause(.seconds(1)), .tap("00beef0042")])
        try reader.umockdevDescription.write(to: directory.appendingPathComponent("reader.umockdev"), atomically: true, encoding: .utf8)
        try script.write(to: directory.appendingPathComponent("taps.events"), atomically: true, encoding: .utf8)
        let result = try await ReaderProbe.run(["ffff:0035", "--cards", "2", "--timeout-ms", "15000"],
                                               description: directory.appendingPathComponent("reader.umockdev").path,
                                               eventsPath: directory.appendingPathComponent("taps.events").path)
        #expect(result.status == 0, "\(result.output)")
        let cards = try #require(result.json["cards"] as? [[String: Any]], "\(result.output)")
        #expect(cards.map { $0["number"] as? String } == ["0004215371", "00beef0042"])
        #expect(result.json["discarded"] as? [String] == ["00042"], "\(result.output)")
    }
}
