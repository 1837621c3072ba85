// The udev rules that let the gateway (user and group countergate) open the hall's USB devices, made from the
// device profiles' USB ids. Pure: profiles in, rules text out; `countergate udev rules` does the reading and writing.

/// Generates `udev/70-countergate.rules` from the device profiles in `drivers/`.
///
/// For every USB id of every profile it writes the rules that give the `countergate` group read and write access
/// (`MODE="0660"`) to the device's nodes, tag them with `ENV{COUNTERGATE_PROFILE}` and give them a name under
/// `/dev/countergate/`:
///
/// - a printer: the USB device itself (`SUBSYSTEM=="usb"`, `DEVTYPE=="usb_device"`: what libusb opens for
///   `usb:VVVV:PPPP` addresses, detaching `usblp` while it prints) and the `usblp` node `/dev/usb/lpN`
///   (`SUBSYSTEM=="usbmisc"`), linked as `/dev/countergate/printer-usb-<port>`, where `<port>` is the USB port path
///   (`1-1.2`, as in `usb:1-1.2` addresses): the same name for whichever unit sits in that socket;
/// - a keyboard-wedge badge reader: its input event nodes (`SUBSYSTEM=="input"`, `KERNEL=="event*"`), kept away from
///   the desktop: `LIBINPUT_IGNORE_DEVICE` makes libinput (Wayland compositors, Xorg's libinput driver) skip it, and
///   clearing `ID_INPUT`, `ID_INPUT_KEY` and `ID_INPUT_KEYBOARD` makes Xorg and anything else that goes by udev's
///   input classification skip it too. Linked as `/dev/countergate/reader-eventN`. The gateway still takes the
///   exclusive grab (`EVIOCGRAB`): udev properties do not stop the kernel's console keyboard or a program that opens
///   the node itself;
/// - a serial badge reader on a USB serial adapter: its tty (`SUBSYSTEM=="tty"`), with `ID_MM_DEVICE_IGNORE` so
///   that ModemManager does not probe it with AT commands, linked as `/dev/countergate/reader-usb-<port>`.
///
/// A profile without USB ids gets a comment saying it needs no rule. A USB id that two profiles of one family claim
/// gets its rules once, naming both profiles. Output is deterministic: families in the order above, profiles by id,
/// each profile's ids in ascending order; ids are written as lowercase four-digit hex, as sysfs shows them.
public enum UdevRules {
    /// The group the rules grant access to: the gateway's service group (`Group=countergate` in
    /// `udev/countergate.service`).
    public static let group = "countergate"
    /// The rules file's name: after 60-input-id.rules (which sets the `ID_INPUT*` properties cleared here) and before
    /// 80-mm-candidate.rules (ModemManager) and libinput's own 80-/90- rules.
    public static let fileName = "70-countergate.rules"
    /// The command that writes the checked-in rules file.
    public static let regenerateCommand = "countergate udev rules --output udev/\(fileName)"

    /// What a profile's devices are to udev.
    public enum DeviceKind: String, Sendable, Hashable, CaseIterable {
        /// A USB receipt printer: the USB device (libusb) and its `usblp` node.
        case printer
        /// A USB keyboard-wedge badge reader: its input event nodes.
        case wedgeReader = "wedge-reader"
        /// A serial badge reader on a USB serial adapter: its tty.
        case serialReader = "serial-reader"

        var heading: String {
            switch self {
            case .printer: return "Receipt printers (drivers/printers)"
            case .wedgeReader: return "Keyboard-wedge badge readers (drivers/readers, kind = \"wedge\")"
            case .serialReader: return "Serial badge readers (drivers/readers, kind = \"serial-frame\" or \"serial-line\")"
            }
        }

        /// Said of a profile that has no USB id.
        var withoutUSBID: String {
            switch self {
            case .printer: return "no USB id, so no rule (a network printer needs none; for a USB one, add its id from lsusb and regenerate)"
            case .wedgeReader: return "no USB id, so no rule: add the reader's id (lsusb) to the profile and regenerate, or the desktop takes it for a keyboard"
            case .serialReader: return "no USB id, so no rule (reached by the path of its serial port, /dev/serial/by-path/...)"
            }
        }
    }

    /// One device profile as the rules need it.
    public struct Profile: Sendable {
        /// The profile's id (its file name without `.toml`).
        public let id: String
        public let kind: DeviceKind
        /// The USB vendor and product ids the model reports.
        public let usbIDs: [(vendor: UInt16, product: UInt16)]

        public init(id: String, kind: DeviceKind, usbIDs: [(vendor: UInt16, product: UInt16)]) {
            self.id = id
            self.kind = kind
            self.usbIDs = usbIDs
        }
    }

    /// The rules file for `profiles`.
    /// - Parameter profiles: every printer and reader profile, in any order (profiles without USB ids included: they
    ///   get a comment).
    /// - Returns: the whole file, ending with a newline.
    public static func render(_ profiles: [Profile]) -> String {
        var lines = header
        for kind in DeviceKind.allCases {
            let family = profiles.filter { $0.kind == kind }.sorted { $0.id < $1.id }
            guard !family.isEmpty else { continue }
            lines += ["", "# ---- " + kind.heading]
            // Which profiles claim each id, so that an id two profiles share is written once, naming both.
            var claimants: [USBID: [String]] = [:]
            for profile in family {
                for id in Set(profile.usbIDs.map(USBID.init)) { claimants[id, default: []].append(profile.id) }
            }
            var written: Set<USBID> = []
            for profile in family {
                let ids = Set(profile.usbIDs.map(USBID.init)).sorted()
                if ids.isEmpty {
                    lines += ["", "# \(profile.id): \(kind.withoutUSBID)"]
                    continue
                }
                for id in ids where written.insert(id).inserted {
                    let owners = (claimants[id] ?? [profile.id]).sorted()
                    lines += [""] + rules(kind: kind, id: id, profiles: owners)
                }
            }
        }
        lines += serialNumberNames
        return lines.joined(separator: "\n") + "\n"
    }

    /// Names by the device's own USB serial number, where it has one (`/dev/countergate/printer-<serial>`,
    /// `reader-<serial>`): the same physical device keeps its name on any port. Matches only nodes the rules above
    /// tagged with a profile; `usb_id` reads the serial from the USB device above the node.
    static let serialNumberNames: [String] = {
        let always = "ACTION!=\"remove\"", tagged = "ENV{COUNTERGATE_PROFILE}==\"?*\""
        var lines = ["", "# ---- Names by USB serial number, where the device has one: /dev/countergate/<kind>-<serial>"]
        for (match, kind) in [("SUBSYSTEM==\"usbmisc\", KERNEL==\"lp[0-9]*\"", "printer"), ("SUBSYSTEM==\"input\", KERNEL==\"event*\"", "reader"),
                              ("SUBSYSTEM==\"tty\"", "reader")] {
            lines.append("\(always), \(match), \(tagged), IMPORT{builtin}=\"usb_id\"")
            lines.append("\(always), \(match), \(tagged), ENV{ID_SERIAL_SHORT}==\"?*\", SYMLINK+=\"countergate/\(kind)-$env{ID_SERIAL_SHORT}\"")
        }
        return lines
    }()

    /// The rules of one USB id, with the comment naming its profiles.
    static func rules(kind: DeviceKind, id: USBID, profiles: [String]) -> [String] {
        let access = ["GROUP=\"\(group)\"", "MODE=\"0660\"", "ENV{COUNTERGATE_PROFILE}=\"\(profiles.joined(separator: " "))\""]
        let comment = "# \(id): " + profiles.joined(separator: ", ")
        // ACTION!="remove": rules apply on add, change (udevadm trigger) and bind events alike; a removed node needs none.
        let always = "ACTION!=\"remove\""
        let parents = ["ATTRS{idVendor}==\"\(id.vendorHex)\"", "ATTRS{idProduct}==\"\(id.productHex)\""]
        func line(_ tokens: [String]) -> String { tokens.joined(separator: ", ") }
        switch kind {
        case .printer:
            return [
                comment,
                line([always, "SUBSYSTEM==\"usb\"", "ENV{DEVTYPE}==\"usb_device\"",
                      "ATTR{idVendor}==\"\(id.vendorHex)\"", "ATTR{idProduct}==\"\(id.productHex)\""] + access),
                line([always, "SUBSYSTEM==\"usbmisc\"", "KERNEL==\"lp[0-9]*\""] + parents + access
                     + ["SYMLINK+=\"countergate/printer-usb-%b\""]),
            ]
        case .wedgeReader:
            return [
                comment,
                line([always, "SUBSYSTEM==\"input\"", "KERNEL==\"event*\""] + parents + access
                     + ["ENV{LIBINPUT_IGNORE_DEVICE}=\"1\"", "ENV{ID_INPUT}=\"\"", "ENV{ID_INPUT_KEY}=\"\"",
                        "ENV{ID_INPUT_KEYBOARD}=\"\"", "SYMLINK+=\"countergate/reader-%k\""]),
            ]
        case .serialReader:
            return [
                comment,
                line([always, "SUBSYSTEM==\"tty\""] + parents + access
                     + ["ENV{ID_MM_DEVICE_IGNORE}=\"1\"", "SYMLINK+=\"countergate/reader-usb-%b\""]),
            ]
        }
    }

    static let header: [String] = [
        "# CounterGate udev rules: access for the gateway to the hall's USB printers and badge readers.",
        "#",
        "# Generated by `countergate udev rules` from the profiles in drivers/printers and drivers/readers.",
        "# DO NOT EDIT: add or change the `usb` ids of a profile in drivers/, then run",
        "#   \(regenerateCommand)",
        "# (a test fails while this file and the profiles disagree).",
        "#",
        "# Install, as root:",
        "#   install -m 0644 udev/\(fileName) /etc/udev/rules.d/",
        "#   udevadm control --reload",
        "#   udevadm trigger",
        "# The group `\(group)` must exist: the gateway runs as user \(group), group \(group)",
        "# (udev/countergate.service), and docs/operations.md creates both before these rules are installed.",
        "# A keyboard-wedge reader that was plugged in before the rules were installed: unplug it and plug it in",
        "# again, so that the desktop, which has already taken it as a keyboard, lets it go.",
        "#",
        "# Every rule gives group \(group) read and write access (MODE 0660) and sets COUNTERGATE_PROFILE to the",
        "# profile id (`udevadm info /dev/...` shows it). Names under /dev/countergate/:",
        "#   printer-usb-<port>   a printer's usblp node (/dev/usb/lpN) by USB port path, as in usb:1-1.2 addresses",
        "#   reader-eventN        a keyboard-wedge reader's input node (the gateway finds it by its USB ids)",
        "#   reader-usb-<port>    a serial reader's tty by USB port path",
        "#   printer-<serial>, reader-<serial>   any of these by the device's own USB serial number, where it has one",
        "# Wedge readers are hidden from the desktop (LIBINPUT_IGNORE_DEVICE, ID_INPUT cleared) even before the gateway",
        "# grabs them (EVIOCGRAB), so the digits they type never land in a clerk's open form.",
    ]
}
