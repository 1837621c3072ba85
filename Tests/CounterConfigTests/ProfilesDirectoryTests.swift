// Where the device profiles are when the configuration does not say: beside it (a checkout), else installed.
@testable import CounterConfig
import Foundation
import Testing

@Suite struct ProfilesDirectoryTests {
    static func folder(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cg-drivers-\(name)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("drivers/ beside the configuration first, then the installed profiles, else the path beside (named in errors); profiles_dir wins")
    func lookedUpInOrder() throws {
        let etc = try Self.folder("etc"), share = try Self.folder("share")
        defer { try? FileManager.default.removeItem(atPath: etc); try? FileManager.default.removeItem(atPath: share) }

        // Nothing anywhere: the path beside the configuration, which the loader's errors then name.
        var config = try HallConfiguration.parse(text: "", file: "hall.toml", baseDirectory: etc, driverRoots: [share])
        #expect(config.printing.profilesDirectory == etc + "/drivers/printers")
        #expect(config.badges.profilesDirectory == etc + "/drivers/readers")

        // Installed (scripts and docs/operations.md put them under /usr/local/share/countergate/drivers).
        try FileManager.default.createDirectory(atPath: share + "/printers", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: share + "/readers", withIntermediateDirectories: true)
        config = try HallConfiguration.parse(text: "", file: "hall.toml", baseDirectory: etc, driverRoots: ["/nonexistent", share])
        #expect(config.printing.profilesDirectory == share + "/printers")
        #expect(config.badges.profilesDirectory == share + "/readers")

        // A checkout's drivers/ beside the configuration comes first.
        try FileManager.default.createDirectory(atPath: etc + "/drivers/printers", withIntermediateDirectories: true)
        config = try HallConfiguration.parse(text: "", file: "hall.toml", baseDirectory: etc, driverRoots: [share])
        #expect(config.printing.profilesDirectory == etc + "/drivers/printers")
        #expect(config.badges.profilesDirectory == share + "/readers")

        // Named in the file: that folder, relative to the file.
        config = try HallConfiguration.parse(text: "[printing]\nprofiles_dir = \"models\"\n", file: "hall.toml", baseDirectory: etc, driverRoots: [share])
        #expect(config.printing.profilesDirectory == etc + "/models")
    }
}
