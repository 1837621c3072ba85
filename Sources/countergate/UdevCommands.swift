// `countergate udev rules`: the udev rules that give the gateway its USB printers and badge readers, from drivers/.
import ArgumentParser
import CounterConfig
import DeviceKit
import Foundation
import Gateway

struct UdevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "udev", abstract: "udev rules for the hall's USB devices.",
                                                    subcommands: [Rules.self])

    struct Rules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the udev rules for every USB id in the printer and reader profiles (stdout, or --output).",
            discussion: """
                The rules give the gateway's group (countergate) access to the printers and readers, name them under \
                /dev/countergate/, and keep keyboard-wedge readers away from the desktop. The checked-in \
                udev/\(UdevRules.fileName) is this command's output; after changing a profile's usb ids run
                  \(UdevRules.regenerateCommand)
                Install: copy the file to /etc/udev/rules.d/, then `udevadm control --reload` and `udevadm trigger`.
                """)
        @Option(help: ArgumentHelp("Where the printer profiles are (default: drivers/printers here, else the installed ones).", valueName: "dir"))
        var printersDir = HallConfiguration.defaultProfilesDirectory("printers", baseDirectory: FileManager.default.currentDirectoryPath)
        @Option(help: ArgumentHelp("Where the reader profiles are (default: drivers/readers here, else the installed ones).", valueName: "dir"))
        var readersDir = HallConfiguration.defaultProfilesDirectory("readers", baseDirectory: FileManager.default.currentDirectoryPath)
        @Option(help: ArgumentHelp("Write the rules to this file instead of stdout.", valueName: "file")) var output: String?

        func run() async throws {
            let (text, profiles) = await reporting { try HallUdevRules.render(printersDirectory: printersDir, readersDirectory: readersDir) }
            guard let output else {
                FileHandle.standardOutput.write(Data(text.utf8))
                return
            }
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
                fail("cannot write \(output): \(error.localizedDescription)")
            }
            let ruleCount = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.count
            let idCount = Set(profiles.flatMap { p in p.usbIDs.map { "\(p.kind.rawValue) \($0.vendor):\($0.product)" } }).count
            printLine("""
                \(output): \(ruleCount) rules for \(idCount) USB ids of \(profiles.count) profiles (\(printersDir), \(readersDir))
                install: sudo install -m 0644 \(output) /etc/udev/rules.d/ && sudo udevadm control --reload && sudo udevadm trigger
                """)
        }
    }
}
