// The configured terminals' models (drivers/terminals): what each profile says about its terminal, for the start
// checks, `countergate doctor` and a replacement's restore. An unknown model is not an error: a ZK terminal needs no
// profile to be read, so it gets the generic facts and a warning.
import CounterConfig
import CounterCore
import Foundation
import ZKTerminal

public enum TerminalModels {
    /// What the profiles say about one configured terminal.
    public struct Note: Sendable, Hashable {
        public let device: String
        /// False when the model is unknown, or speaks another protocol than the address says.
        public let agrees: Bool
        public let text: String
        public let fix: String?
    }

    /// The terminal profiles by id; nil when the folder does not exist (the generic facts apply).
    /// - Throws: `ConfigErrors` when the folder's files are broken, naming file, line and key.
    public static func load(_ config: HallConfiguration) throws -> [String: TerminalProfile]? {
        let directory = config.attendance.profilesDirectory
        guard FileManager.default.fileExists(atPath: directory) else { return nil }
        return Dictionary(try TerminalProfiles.load(directory: directory).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// One note per configured terminal (`profiles` nil: the profile folder does not exist).
    public static func notes(_ config: HallConfiguration, profiles: [String: TerminalProfile]?) -> [Note] {
        config.devices.filter { $0.kind == .terminal }.map { device in
            guard let profiles else {
                return Note(device: device.id, agrees: false,
                            text: "terminal \(device.id): there is no terminal profile folder \(config.attendance.profilesDirectory); "
                                + "it is read as a generic ZK terminal",
                            fix: "install the drivers folder (docs/operations.md) or set [attendance] profiles_dir")
            }
            guard let profile = profiles[device.profile] else {
                return Note(device: device.id, agrees: false,
                            text: "terminal \(device.id): no profile \"\(device.profile)\" in \(config.attendance.profilesDirectory); "
                                + "it is read as a generic ZK terminal",
                            fix: "name its model (profile = \"\(device.link.isPushTerminal ? TerminalProfile.genericPush : TerminalProfile.genericPull)\" "
                                + "or a file of drivers/terminals), or add a profile for it")
            }
            guard profile.agrees(with: device.link) else {
                return Note(device: device.id, agrees: false,
                            text: "terminal \(device.id): its model \(profile.name) speaks the \(profile.terminalProtocol.rawValue) protocol, "
                                + "but its address \(device.address) says \(device.link.isPushTerminal ? "push" : "pull")",
                            fix: profile.terminalProtocol == .push ? "write its address as push:SERIAL" : "write its address as tcp://HOST:4370")
            }
            return Note(device: device.id, agrees: true,
                        text: "terminal \(device.id): \(profile.name), \(profile.terminalProtocol.rawValue) protocol, ZKFinger \(profile.fingerprintVersion), "
                            + "up to \(profile.users) users, \(profile.fingerprints) templates, \(profile.records) records",
                        fix: nil)
        }
    }
}
