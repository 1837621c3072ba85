// The udev rules of this hall's device profiles: what `countergate udev rules` writes and `doctor` compares with the
// installed file.
import BadgeReaders
import DeviceKit
import ESCPOS

public enum HallUdevRules {
    /// The rules for every USB id of the printer and reader profiles in these folders, and the profiles they came from.
    /// - Throws: the profile loaders' `ConfigErrors`, naming file, line and key.
    public static func render(printersDirectory: String, readersDirectory: String) throws -> (text: String, profiles: [UdevRules.Profile]) {
        let printers = try PrinterProfiles.load(directory: printersDirectory)
        let readers = try ReaderProfiles.load(directory: readersDirectory)
        let profiles = printers.profiles.map(\.udevProfile) + readers.map(\.udevProfile)
        return (UdevRules.render(profiles), profiles)
    }
}
