// The Debian package: scripts/package-deb with the built binary, its contents, then an install and an in-place upgrade
// into a temporary root (scripts/test-package-deb: dpkg --root, maintainer scripts chrootless under DPKG_ROOT).
import CounterGateTestSupport
import Foundation
import Testing

@Suite("The .deb: contents, install and upgrade into a temporary root", .serialized, .timeLimit(.minutes(5)))
struct PackageEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("packaged twice from the built binary; installed, then upgraded in place keeping the data, a backup taken first, migrated")
    func installAndUpgrade() async throws {
        // Needs root and dpkg (the script says so and fails otherwise: never a silent pass).
        let run = try await ChildProcess.run(Self.root.appendingPathComponent("scripts/test-package-deb").path, [Binary.path],
                                             directory: Self.root, timeout: .seconds(240))
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("PACKAGE OK"), "\(run.stdout)\n\(run.stderr)")
    }
}
