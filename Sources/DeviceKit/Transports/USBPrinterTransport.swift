// A USB printer driven directly through libusb: printer interface and bulk endpoints from the descriptors.
import CounterCore
import CLibUSB
import Foundation
import Synchronization

/// Sends to a USB printer through libusb, bypassing `/dev/usb/lpN`.
///
/// Opening finds the device (by ids, narrowed by serial number or port; or by port alone), reads its active
/// configuration, picks the printer-class interface and its bulk OUT and bulk IN endpoints from the descriptors
/// (``USBPrinterInterface/find(in:)``), detaches the kernel's `usblp` driver when it is bound, and claims the
/// interface. Closing releases the interface and gives it back to `usblp`, so `/dev/usb/lpN` reappears.
public actor USBPrinterTransport: PrinterTransport {
    /// Which device this transport opens.
    public nonisolated let match: USBPrinterMatch
    /// How long one `write` may take.
    public nonisolated let writeTimeout: Duration

    private let name: Mutex<String>
    private var session: HeldDevice<USBPrinterSession>?
    private var wantsOpen = false

    /// - Parameters:
    ///   - match: which device.
    ///   - writeTimeout: the bound on one `write`; a printer out of paper stops taking data, so this is how long
    ///     a job waits before the spooler hears about it.
    public init(match: USBPrinterMatch, writeTimeout: Duration = .seconds(10)) {
        self.match = match
        self.writeTimeout = writeTimeout
        name = Mutex("printer \(match)")
    }

    /// `printer usb:0416:5011` until opened, then `printer usb:1-1.2 (0416:5011)` naming the port it was found on.
    public nonisolated var deviceName: String { name.withLock { $0 } }

    /// True once open when the printer interface has a bulk IN endpoint (bidirectional printers).
    public var canRead: Bool { session?.use { $0.interface.bulkIn != nil } ?? false }

    /// The interface and endpoints in use, once open.
    public var printerInterface: USBPrinterInterface? { session?.use { $0.interface } }

    public func open() async throws(TransportError) {
        wantsOpen = true
        guard session == nil else { return }
        let (match, device) = (self.match, self.deviceName)
        let opened = try await PrinterIOThreads.run(device: device) { _ in
            Result { () throws(TransportError) -> USBPrinterSession in try USBPrinterSession.open(match, device: device) }
        }
        name.withLock { $0 = opened.deviceName }
        session = HeldDevice(opened) { $0.release() }
    }

    public func write(_ bytes: [UInt8]) async throws(TransportError) {
        let held = try await currentSession()
        let deadline = ContinuousClock.now + writeTimeout
        let (device, timeout) = (deviceName, writeTimeout)
        do {
            try await PrinterIOThreads.run(device: device) { stop in
                held.use { session in
                    session.write(bytes, until: deadline, timeout: timeout, stops: [stop, held.closingSignal])
                } ?? .failure(TransportError.from(.stopped, device: device, doing: "write"))
            }
        } catch {
            if error.endsConnection { await drop(held) }
            throw error
        }
    }

    public func read(upTo maxCount: Int, timeout: Duration) async throws(TransportError) -> [UInt8] {
        let held = try await currentSession()
        let deadline = ContinuousClock.now + timeout
        let device = deviceName
        do {
            return try await PrinterIOThreads.run(device: device) { stop in
                held.use { session in
                    session.read(upTo: maxCount, until: deadline, stops: [stop, held.closingSignal])
                } ?? .failure(TransportError.from(.stopped, device: device, doing: "read"))
            }
        } catch {
            if error.endsConnection { await drop(held) }
            throw error
        }
    }

    public func close() async {
        wantsOpen = false
        if let session { await drop(session) }
    }

    private func currentSession() async throws(TransportError) -> HeldDevice<USBPrinterSession> {
        if session == nil, wantsOpen { try await open() }
        guard let session else { throw TransportError(.notOpen, device: deviceName, detail: "not opened") }
        return session
    }

    private func drop(_ old: HeldDevice<USBPrinterSession>) async {
        if session === old { session = nil }
        await old.close()
    }
}

/// An opened, claimed printer interface. Used from the I/O threads one call at a time per direction.
final class USBPrinterSession: @unchecked Sendable {
    // @unchecked: libusb device handles may be used from any thread; `pending` is behind its Mutex; the rest is
    // set once in init.
    let context: LibUSBContext
    let handle: OpaquePointer
    let interface: USBPrinterInterface
    let deviceName: String
    /// Whether `usblp` was bound and detached by us, so that release gives the printer back to it.
    let detachedKernelDriver: Bool
    /// Bytes read beyond what a caller asked for: reads are whole packets (asking for less than a packet
    /// risks LIBUSB_ERROR_OVERFLOW), the rest waits here for the next read.
    private let pending = Mutex<[UInt8]>([])

    private init(context: LibUSBContext, handle: OpaquePointer, interface: USBPrinterInterface, deviceName: String, detached: Bool) {
        self.context = context
        self.handle = handle
        self.interface = interface
        self.deviceName = deviceName
        self.detachedKernelDriver = detached
    }

    /// Finds, opens and claims the printer. Every step that fails undoes the ones before it.
    static func open(_ match: USBPrinterMatch, device: String) throws(TransportError) -> USBPrinterSession {
        let context: LibUSBContext
        do { context = try LibUSBContext() } catch {
            throw TransportError(.ioFailure, device: device, summary: "cannot be reached: USB is not available",
                                 detail: "libusb_init: \(String(cString: libusb_error_name(error.code)))",
                                 advice: "check that the gateway can see /dev/bus/usb (inside a container, pass it through)")
        }
        let devices = context.devices().sorted { $0.summary.portPath < $1.summary.portPath }
        let candidates = devices.filter { candidate in
            match.matches(vendorID: candidate.summary.vendorID, productID: candidate.summary.productID,
                          portPath: candidate.summary.portPath, serialNumber: candidate.serialNumber())
        }
        guard let chosen = candidates.first else {
            let printers = devices.filter { $0.summary.interfaceClasses.contains(7) }.map { d in
                d.summary.ids + " at usb:" + d.summary.portPath + (d.sysfsSerialNumber.map { " serial \($0)" } ?? "")
            }
            throw TransportError(.notFound, device: device, summary: "is not connected",
                                 detail: printers.isEmpty ? "no USB printer is attached" : "printers attached: " + printers.joined(separator: "; "),
                                 advice: "check the cable and the power, and that the address matches the printer; printing resumes when it is there")
        }
        guard candidates.count == 1 else {
            let places = candidates.map { "usb:\($0.summary.portPath)" + ($0.sysfsSerialNumber.map { " (serial \($0))" } ?? "") }
            throw TransportError(.misconfigured, device: device, summary: "is ambiguous",
                                 detail: "\(candidates.count) devices match: " + places.joined(separator: ", "),
                                 advice: "name one by serial number (usb:VVVV:PPPP?serial=…) or by port (usb:1-1.2)")
        }
        let name = "printer usb:\(chosen.summary.portPath) (\(chosen.summary.ids))"
        guard let configuration = chosen.configuration, let interface = USBPrinterInterface.find(in: configuration) else {
            let classes = chosen.summary.interfaceClasses.map { String($0, radix: 16) }.joined(separator: ", ")
            throw TransportError(.misconfigured, device: name, summary: "has no printer interface",
                                 detail: "interface classes: \(classes.isEmpty ? "none readable" : classes)",
                                 advice: "this device is not a USB printer-class device (class 7); check the vendor:product ids")
        }
        var handle: OpaquePointer?
        let opened = libusb_open(chosen.pointer, &handle)
        guard opened == 0, let handle else { throw TransportError.usb(opened, device: name, doing: "open") }
        let number = Int32(interface.interfaceNumber)
        var detached = false
        // usblp binds every printer-class interface; while it holds the interface, claiming fails with BUSY.
        if libusb_kernel_driver_active(handle, number) == 1 {
            let result = libusb_detach_kernel_driver(handle, number)
            guard result == 0 || result == LIBUSB_ERROR_NOT_FOUND.rawValue else {
                libusb_close(handle)
                throw TransportError.usb(result, device: name, doing: "detach usblp from")
            }
            detached = result == 0
        }
        let claimed = libusb_claim_interface(handle, number)
        guard claimed == 0 else {
            if detached { _ = libusb_attach_kernel_driver(handle, number) }
            libusb_close(handle)
            throw TransportError.usb(claimed, device: name, doing: "claim")
        }
        if interface.alternateSetting != 0 {
            let result = libusb_set_interface_alt_setting(handle, number, Int32(interface.alternateSetting))
            guard result == 0 else {
                _ = libusb_release_interface(handle, number)
                if detached { _ = libusb_attach_kernel_driver(handle, number) }
                libusb_close(handle)
                throw TransportError.usb(result, device: name, doing: "select the printer setting of")
            }
        }
        return USBPrinterSession(context: context, handle: handle, interface: interface, deviceName: name, detached: detached)
    }

    /// How long one libusb transfer waits before the loop looks at its deadline and stop signals again.
    /// Longer than the descriptors' check interval: each expiry cancels and resubmits the transfer.
    static let transferSlice: Duration = .milliseconds(500)

    func write(_ bytes: [UInt8], until deadline: ContinuousClock.Instant, timeout: Duration, stops: [StopSignal]) -> Result<Void, TransportError> {
        var data = bytes
        var sent = 0
        var stallsCleared = 0
        while sent < data.count {
            if stops.contains(where: \.isRaised) { return .failure(.from(.stopped, device: deviceName, doing: "write")) }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else {
                return .failure(TransportError(.timedOut, device: deviceName, summary: "did not accept data within \(TransportError.format(timeout))",
                                               detail: "\(sent) of \(data.count) bytes sent"))
            }
            var transferred: Int32 = 0
            let result = data.withUnsafeMutableBufferPointer { buffer in
                libusb_bulk_transfer(handle, interface.bulkOut, buffer.baseAddress! + sent, Int32(buffer.count - sent),
                                     &transferred, Self.milliseconds(min(remaining, Self.transferSlice)))
            }
            // A timed-out transfer may still have moved part of the data: count it, send only the rest.
            sent += Int(transferred)
            switch result {
            case 0, LIBUSB_ERROR_TIMEOUT.rawValue:
                continue
            case LIBUSB_ERROR_PIPE.rawValue where stallsCleared == 0:
                // A halted endpoint: clear the stall once and go on, as printers recover from it after an error.
                stallsCleared += 1
                _ = libusb_clear_halt(handle, interface.bulkOut)
            default:
                // How far the job got tells whether part of a receipt may already be on paper.
                return .failure(TransportError.usb(result, device: deviceName, doing: "write, \(sent) of \(data.count) bytes sent"))
            }
        }
        return .success(())
    }

    func read(upTo maxCount: Int, until deadline: ContinuousClock.Instant, stops: [StopSignal]) -> Result<[UInt8], TransportError> {
        guard let endpoint = interface.bulkIn else {
            return .failure(TransportError(.cannotRead, device: deviceName, detail: "the printer interface has no bulk IN endpoint",
                                           advice: "this model cannot report status over USB; use the kernel's /dev/usb/lpN or a network connection"))
        }
        let waiting = pending.withLock { pending -> [UInt8] in
            let taken = Array(pending.prefix(maxCount))
            pending.removeFirst(taken.count)
            return taken
        }
        if !waiting.isEmpty { return .success(waiting) }
        let packet = Int(max(interface.bulkInMaxPacketSize ?? 64, 1))
        var buffer = [UInt8](repeating: 0, count: (max(maxCount, 1) + packet - 1) / packet * packet)
        while true {
            if stops.contains(where: \.isRaised) { return .failure(.from(.stopped, device: deviceName, doing: "read")) }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return .success([]) }
            var transferred: Int32 = 0
            let result = buffer.withUnsafeMutableBufferPointer { pointer in
                libusb_bulk_transfer(handle, endpoint, pointer.baseAddress!, Int32(pointer.count), &transferred,
                                     Self.milliseconds(min(remaining, Self.transferSlice)))
            }
            if transferred > 0 {
                let received = Array(buffer.prefix(Int(transferred)))
                pending.withLock { $0 += received.dropFirst(maxCount) }
                return .success(Array(received.prefix(maxCount)))
            }
            switch result {
            case 0, LIBUSB_ERROR_TIMEOUT.rawValue: continue // a zero-length packet, or nothing yet
            default: return .failure(TransportError.usb(result, device: deviceName, doing: "read from"))
            }
        }
    }

    /// Releases the interface and hands the printer back to `usblp` if we took it from it.
    func release() {
        let number = Int32(interface.interfaceNumber)
        _ = libusb_release_interface(handle, number)
        if detachedKernelDriver { _ = libusb_attach_kernel_driver(handle, number) }
        libusb_close(handle)
    }

    private static func milliseconds(_ duration: Duration) -> UInt32 {
        UInt32(max(1, duration.milliseconds))
    }
}

extension LibUSBDevice {
    /// The serial number: from sysfs when it is there, else from the device's string descriptor (which needs
    /// opening the device, so only matching by serial number does this).
    func serialNumber() -> String? {
        if let serial = sysfsSerialNumber { return serial }
        guard serialIndex != 0 else { return nil }
        var handle: OpaquePointer?
        guard libusb_open(pointer, &handle) == 0, let handle else { return nil }
        defer { libusb_close(handle) }
        var text = [UInt8](repeating: 0, count: 256)
        let length = libusb_get_string_descriptor_ascii(handle, serialIndex, &text, Int32(text.count))
        guard length > 0 else { return nil }
        return String(decoding: text.prefix(Int(length)), as: UTF8.self)
    }
}

extension TransportError {
    /// The error for a libusb failure, with the advice people need for the common ones.
    static func usb(_ code: Int32, device: String, doing: String) -> TransportError {
        let detail = "\(doing): \(String(cString: libusb_error_name(code)))"
        switch code {
        case LIBUSB_ERROR_BUSY.rawValue:
            return TransportError(.busy, device: device, detail: "Resource busy; \(detail)",
                                  advice: "another driver holds it — CounterGate detaches usblp; if this persists, check no CUPS queue uses it")
        case LIBUSB_ERROR_ACCESS.rawValue:
            return TransportError(.permissionDenied, device: device, detail: "Access denied; \(detail)",
                                  advice: "install udev/70-countergate.rules and add the service user to group countergate")
        case LIBUSB_ERROR_NO_DEVICE.rawValue:
            return TransportError(.unplugged, device: device, detail: "No such device; \(detail)")
        case LIBUSB_ERROR_NOT_FOUND.rawValue:
            return TransportError(.unplugged, device: device, summary: "is gone", detail: "Not found; \(detail)")
        case LIBUSB_ERROR_TIMEOUT.rawValue:
            return TransportError(.timedOut, device: device, detail: detail)
        case LIBUSB_ERROR_PIPE.rawValue:
            return TransportError(.ioFailure, device: device, summary: "stalled its endpoint", detail: "Pipe error; \(detail)",
                                  advice: "switch the printer off and on; printing is retried")
        case LIBUSB_ERROR_INTERRUPTED.rawValue:
            return TransportError(.ioFailure, device: device, summary: "was interrupted", detail: detail, advice: "retrying helps")
        case LIBUSB_ERROR_NO_MEM.rawValue, LIBUSB_ERROR_NOT_SUPPORTED.rawValue:
            return TransportError(.misconfigured, device: device, summary: "cannot be driven through libusb here", detail: detail,
                                  advice: "use the kernel's /dev/usb/lpN address instead")
        default:
            return TransportError(.ioFailure, device: device, detail: detail)
        }
    }
}
