// The printer simulator checked by a client nobody here wrote: python-escpos prints text, GB18030 Chinese, a
// native QR code and a cut over the network, and queries the status; the simulator's record must show all of it.
import CounterGateTestSupport
import ESCPOS
import Foundation
import Simulators
import Testing

/// python-escpos, the reference Python library. Missing, the test fails; it never passes silently.
enum PythonEscpos {
    struct Missing: Error, CustomStringConvertible {
        let detail: String
        var description: String { "python-escpos is missing: run scripts/setup --test (pip install python-escpos)\n\(detail)" }
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Peers/escpos_check.py").path

    static func requireInstalled() async throws {
        let result: (status: Int32, stdout: String, stderr: String)
        do {
            result = try await PeerProcess.run("python3", ["-c", "import escpos.printer; escpos.printer.Network"])
        } catch {
            throw Missing(detail: "python3 could not be run: \(error)")
        }
        if result.status != 0 { throw Missing(detail: result.stderr) }
    }

    struct Report: Decodable {
        let online: Bool
        let paper_status: Int
    }

    /// Runs escpos_check.py against `port` and returns what it printed after "RESULT ".
    static func run(port: Int, statusOnly: Bool = false) async throws -> Report {
        let result = try await PeerProcess.run("python3", [script, "--port", String(port)] + (statusOnly ? ["--status-only"] : []))
        try #require(result.status == 0, "escpos_check.py failed:\n\(result.stderr)")
        guard let line = result.stdout.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") }) else {
            throw ChildProcessTimedOut(what: "a RESULT line from escpos_check.py", output: result.stdout + result.stderr)
        }
        return try JSONDecoder().decode(Report.self, from: Data(line.dropFirst("RESULT ".count).utf8))
    }
}

@Suite struct PrinterPythonEscposPeerTests {
    @Test func pythonEscposPrintsTextChineseQRAndCut() async throws {
        try await PythonEscpos.requireInstalled()
        try await withPrinter { simulator, port in
            let report = try await PythonEscpos.run(port: port)
            #expect(report.online && report.paper_status == 2)
            try await simulator.waitUntil("python-escpos' connection to end") { $0.jobs.count == 1 && !$0.jobs[0].isOpen }
            let job = simulator.jobs[0]
            #expect(job.transcript == """
                CounterGate
                Window 3 / python-escpos
                受理通知书：王喆、李堃、陈赟
                申请人：吉𠮷（Ji Zhe），窗口3。
                [QR: 2026-000123]






                [CUT]
                """)
            let page = try #require(job.pages.first)
            #expect(job.pages.count == 1 && page.cut == .full && page.qrCodes == ["2026-000123"])
            let heading = page.lines[0]
            #expect(heading.alignment == .center && heading.bold && heading.width == 2 && heading.height == 2)
            #expect(page.lines[1].alignment == .left && !page.lines[1].bold && page.lines[1].width == 1)
            #expect(job.printout.statusRequests == ["DLE EOT 1", "DLE EOT 4"])
            #expect(job.printout.unknownBytes == 0, "every byte python-escpos sent was understood")
            #expect(!job.transcript.contains("?") && !job.transcript.contains("\u{FFFD}"))
        }
    }

    @Test func pythonEscposReadsTheSimulatedStatus() async throws {
        try await PythonEscpos.requireInstalled()
        try await withPrinter { simulator, port in
            simulator.setPaperNearEnd(true)
            let nearEnd = try await PythonEscpos.run(port: port, statusOnly: true)
            #expect(nearEnd.online && nearEnd.paper_status == 1)
            simulator.runOutOfPaper()
            let out = try await PythonEscpos.run(port: port, statusOnly: true)
            #expect(!out.online && out.paper_status == 0)
        }
    }
}
