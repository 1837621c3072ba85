// The pages in a real browser: headless Chromium (Debian's chromium, driven through chromedriver by selenium) against
// the real `countergate demo`. A clerk prints a notice; the terminal fails and staff sign in at the kiosk; the duty chief
// sees the sign-ins live and confirms or rejects; ops see a printer go red and replace it. Screenshots of every step:
// .build/test-artifacts/pages/ (docs/pages.md).
import CounterGateTestSupport
import Foundation
import Testing

@Suite(.serialized) struct PagesBrowserEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = root.appendingPathComponent("Tests/Peers/pages_check.py").path
    static let artifacts = root.appendingPathComponent(".build/test-artifacts/pages")

    @Test("clerk, kiosk, duty chief and ops pages in headless Chromium against countergate demo", .timeLimit(.minutes(6)))
    func pagesInHeadlessChromium() async throws {
        try await BrowserTools.requireInstalled()
        let data = try temporaryDirectory("pages")
        // No simulated punches or badge taps: nothing but the test signs anyone in.
        let demo = try RunningBinary.start(["demo", "--port", "0", "--data-dir", data.path, "--punch-every", "0", "--simulated-records", "200"],
                                           directory: Self.root)
        try await demo.wait(for: "the demo's listening line, its page links and its simulator control", timeout: .seconds(120)) {
            demo.stdout.contains("/pages/ops#token=") && demo.stdout.contains("simulator control (TEST FAKE, demo only): http://")
        }
        let base = try #require(Self.capture(#"CounterGate demo is running: (http://[0-9.]+:[0-9]+)/"#, in: demo.stdout), "\(demo.stdout)")
        let control = try #require(Self.capture(#"simulator control \(TEST FAKE, demo only\): (http://[0-9.]+:[0-9]+)/simulators"#, in: demo.stdout))
        #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("demo-tokens.txt").path))

        let check = try await ChildProcess.run("/usr/bin/env", ["python3", Self.script, "--base", base, "--control", control, "--data", data.path,
                                                                "--artifacts", Self.artifacts.path],
                                               environment: ["PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"], timeout: .seconds(300))
        #expect(check.status == 0, """
            pages_check.py failed (screenshots in \(Self.artifacts.path)):
            \(check.stdout)
            \(check.stderr)
            demo standard output:
            \(demo.stdout)
            demo log (end):
            \(String(demo.stderr.suffix(6000)))
            """)
        #expect(check.stdout.contains("PASS: every page drove its flow"), "\(check.stdout)")
        let screenshots = try FileManager.default.contentsOfDirectory(atPath: Self.artifacts.path).filter { $0.hasSuffix(".png") && !$0.hasPrefix("failed-") }
        #expect(screenshots.count >= 12, "screenshots of every step: \(screenshots.sorted())")

        kill(demo.processIdentifier, SIGTERM)
        #expect(try await demo.exitStatus() == 0, "\(String(demo.stderr.suffix(4000)))")
    }

    static func capture(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }
}

/// Debian's chromium and chromedriver, and Python's selenium. Missing, the test fails saying how to install them; it
/// never passes without a browser.
enum BrowserTools {
    struct Missing: Error, CustomStringConvertible {
        let what: String
        var description: String {
            "\(what) is missing: run scripts/setup --test (it installs Debian's chromium and chromium-driver with apt-get, "
                + "and selenium with pip from scripts/test-requirements.txt)"
        }
    }

    static func requireInstalled() async throws {
        let environment = ProcessInfo.processInfo.environment
        for (name, path) in [("chromium (Debian package chromium)", environment["CHROMIUM"] ?? "/usr/bin/chromium"),
                             ("chromedriver (Debian package chromium-driver)", environment["CHROMEDRIVER"] ?? "/usr/bin/chromedriver")]
        where !FileManager.default.isExecutableFile(atPath: path) {
            throw Missing(what: "\(name) at \(path)")
        }
        let selenium: (status: Int32, stdout: String, stderr: String)
        do {
            selenium = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", "import selenium"])
        } catch {
            throw Missing(what: "python3 (\(error))")
        }
        if selenium.status != 0 { throw Missing(what: "the Python package selenium (\(selenium.stderr.trimmingCharacters(in: .whitespacesAndNewlines)))") }
    }
}
