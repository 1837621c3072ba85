// The real binary: cards given to staff in any reader format, kept in one canonical form; reader profiles listed.
import CounterGateTestSupport
import Foundation
import Testing

@Suite(.serialized) struct ReaderEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func aCardIsGivenToStaffInAnyFormat() async throws {
        let directory = try temporaryDirectory("cards")
        let staff = directory.appendingPathComponent("staff.csv")
        try "staff_id,name,window,department,roles\nD001,王建国,1,县市场监督管理局,clerk\nD002,李秀英,1,县市场监督管理局,clerk\n"
            .write(to: staff, atomically: true, encoding: .utf8)
        #expect(try await RunningBinary.run(["staff", "import", staff.path], directory: directory).status == 0)
        let wiegand = try await RunningBinary.run(["staff", "card", "set", "D001", "123,45678", "--format", "wiegand-26"], directory: directory)
        #expect(wiegand.status == 0, "\(wiegand.stderr)")
        #expect(wiegand.stdout.contains("card 0008106606"))
        // The same card typed by another reader as hex moves to D002, and the move is audited.
        let hex = try await RunningBinary.run(["staff", "card", "set", "D002", "7BB26E", "--format", "hex"], directory: directory)
        #expect(hex.stdout.contains("card 0008106606"))
        // `staff list` shows whose card it is now, as text and as JSON.
        let list = try await RunningBinary.run(["staff", "list"], directory: directory)
        let rows = list.stdout.split(separator: "\n")
        #expect(rows.first { $0.hasPrefix("D002\t") }?.hasSuffix("卡号 0008106606") == true, "\(list.stdout)")
        #expect(rows.first { $0.hasPrefix("D001\t") }?.hasSuffix("卡号 —") == true, "\(list.stdout)")
        let json = try await RunningBinary.run(["staff", "list", "--json"], directory: directory)
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(listed.first { $0["id"] as? String == "D002" }?["cards"] as? [String] == ["0008106606"])
        #expect(listed.first { $0["id"] as? String == "D001" }?["cards"] as? [String] == [])
        let bad = try await RunningBinary.run(["staff", "card", "set", "D001", "12ab"], directory: directory)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("12ab"))
        let verify = try await RunningBinary.run(["audit", "verify"], directory: directory)
        #expect(verify.stdout.contains("intact"))
    }

    @Test func readerProfilesAreListed() async throws {
        let list = try await RunningBinary.run(["reader", "list", "--profiles-dir", Self.root.appendingPathComponent("drivers/readers").path])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("rdm6300-serial\tserial-frame"))
        #expect(list.stdout.contains("generic-usb-wedge-125khz\twedge"))
    }

    @Test("simulate reader: a pty serial reader (test fake) sends good cards, bad checksums, half cards and noise on command; reader watch reads only the good cards")
    func simulatedSerialReaderIsWatched() async throws {
        let directory = try temporaryDirectory("sim-reader")
        let simulator = try RunningBinary.start(["simulate", "reader"], directory: directory, input: true)
        try await simulator.wait(for: "the simulated reader's tty") { simulator.stdout.contains("commands:") }
        let path = try #require(simulator.stdout.split(separator: " ").first { $0.hasPrefix("/dev/pts/") }.map { String($0.dropLast()) })
        let watch = try RunningBinary.start(["reader", "watch", "--serial", path], directory: directory)
        try await watch.wait(for: "the reader to be opened") { watch.stderr.contains("reader connected: \(path)") }
        try simulator.send("tap 4215371\nbad 7\nhalf 8\nnoise\ntap 42\n")
        try await watch.wait(for: "the second good card") { watch.stdout.contains("0000000042") }
        let cards = watch.stdout.split(separator: "\n").filter { $0.first?.isNumber == true }
        #expect(cards == ["0004215371\tunknown card (未登记的卡)", "0000000042\tunknown card (未登记的卡)"], "\(watch.stdout)")
        #expect(watch.stderr.contains("rejected"), "the bad checksum is reported: \(watch.stderr)")
        try simulator.send("unplug\n")
        #expect(try await simulator.exitStatus() == 0)
        #expect(simulator.stdout.contains("simulated reader unplugged"))
        try await watch.wait(for: "the watcher to notice the unplug") { watch.stderr.contains("reopening") }
        watch.process.terminate()
    }

    @Test("simulate reader --wedge writes a umockdev description and an evemu script, and says how to replay them")
    func simulatedWedgeReaderFiles() async throws {
        let directory = try temporaryDirectory("sim-wedge")
        let result = try await RunningBinary.run(["simulate", "reader", "--wedge", directory.path, "--cards", "4215371,42", "--taps", "3", "--every", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("umockdev-run -d \(directory.path)/reader.umockdev -e /dev/input/event5=\(directory.path)/taps.events"))
        let description = try String(contentsOf: directory.appendingPathComponent("reader.umockdev"), encoding: .utf8)
        #expect(description.contains("A: id/vendor=ffff") && description.contains("A: id/product=0035"))
        let events = try String(contentsOf: directory.appendingPathComponent("taps.events"), encoding: .utf8)
        // 3 taps of 10 digits and Enter, 5 events per key.
        #expect(events.split(separator: "\n").filter { $0.hasPrefix("E: ") }.count == 3 * 11 * 5)
        let bad = try await RunningBinary.run(["simulate", "reader", "--wedge", directory.path, "--cards", "12ab"])
        #expect(bad.status != 0 && bad.stderr.contains("12ab"))
    }

    @Test("the demo under umockdev reads the simulated keyboard-wedge reader at window 2 through the real evdev path")
    func demoReadsTheWedgeReaderUnderUmockdev() async throws {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin"]
        let umockdev = try #require(path.map { $0 + "/umockdev-run" }.first { FileManager.default.isExecutableFile(atPath: $0) },
                                    "umockdev is missing: run scripts/setup --test")
        let directory = try temporaryDirectory("demo-wedge")
        let files = try await RunningBinary.run(["simulate", "reader", "--wedge", directory.path, "--cards", "10000003", "--taps", "1", "--every", "0.5"])
        #expect(files.status == 0, "\(files.stderr)")
        let demo = try ChildProcess(umockdev, ["-d", directory.appendingPathComponent("reader.umockdev").path,
                                               "-e", "/dev/input/event5=" + directory.appendingPathComponent("taps.events").path, "--",
                                               Binary.path, "demo", "--port", "0", "--data-dir", directory.appendingPathComponent("data").path,
                                               "--punch-every", "0", "--simulated-records", "10"],
                                    environment: RunningBinary.isolated, directory: Self.root)
        try await demo.wait(for: "the tap at window 2") { demo.stderr.contains("\"reader\":\"window-2-reader\"") }
        #expect(demo.stderr.contains("simulated keyboard-wedge reader (test fake, under umockdev) at window 2"))
        let tap = demo.stderr.split(separator: "\n").first { $0.contains("\"reader\":\"window-2-reader\"") } ?? ""
        #expect(tap.contains("\"card\":\"0010000003\""), "\(tap)")
        // Ctrl-C reaches the gateway itself (umockdev-run does not pass signals on); it stops cleanly, umockdev-run with it.
        let children = (try? String(contentsOfFile: "/proc/\(demo.processIdentifier)/task/\(demo.processIdentifier)/children", encoding: .utf8)) ?? ""
        for child in children.split(separator: " ").compactMap({ Int32($0) }) { kill(child, SIGINT) }
        #expect(try await demo.exitStatus() == 0)
        #expect(demo.stderr.contains("gateway stopped cleanly"))
    }
}
