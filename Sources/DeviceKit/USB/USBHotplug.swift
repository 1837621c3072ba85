// libusb hot-plug: a stream of "something was plugged or unplugged", on platforms that give such events.
import CLibUSB
import Foundation
import Synchronization

/// A USB device arrived or left.
public enum USBHotplugEvent: Sendable, Hashable {
    case arrived(vendorID: UInt16, productID: UInt16)
    case left(vendorID: UInt16, productID: UInt16)
}

/// libusb's hot-plug callbacks as an `AsyncStream`. Events only say when to look again: a container gets none, and an
/// event can be missed while the gateway starts, so discovery rescans on a timer as well and never relies on them.
public enum USBHotplug {
    /// Whether libusb can give hot-plug events here (`libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)`).
    public static var isSupported: Bool {
        libusb_has_capability(UInt32(LIBUSB_CAP_HAS_HOTPLUG.rawValue)) != 0
    }

    /// Events until the consumer stops iterating (or its task is cancelled). Empty when hot-plug is not supported or
    /// libusb cannot start (no USB here).
    ///
    /// A thread of its own runs libusb's event loop, waking every `poll` to see whether the consumer has gone; it
    /// then deregisters the callback and releases the libusb context.
    public static func events(poll: Duration = .milliseconds(250)) -> AsyncStream<USBHotplugEvent> {
        let (stream, continuation) = AsyncStream<USBHotplugEvent>.makeStream(bufferingPolicy: .bufferingNewest(64))
        guard isSupported else {
            continuation.finish()
            return stream
        }
        let listener = HotplugListener(continuation: continuation)
        continuation.onTermination = { _ in listener.stop.withLock { $0 = true } }
        let thread = Thread { listener.run(poll: poll) }
        thread.name = "countergate-usb-hotplug"
        thread.start()
        return stream
    }
}

/// The state the C callback reaches through `user_data`, kept alive by the thread until it ends.
private final class HotplugListener: Sendable {
    let continuation: AsyncStream<USBHotplugEvent>.Continuation
    let stop = Mutex(false)

    init(continuation: AsyncStream<USBHotplugEvent>.Continuation) {
        self.continuation = continuation
    }

    func run(poll: Duration) {
        var context: OpaquePointer?
        guard libusb_init(&context) == 0 else {
            continuation.finish()
            return
        }
        defer { libusb_exit(context) }
        var handle: libusb_hotplug_callback_handle = 0
        let events = Int32(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED.rawValue | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.rawValue)
        let unmanaged = Unmanaged.passRetained(self)
        defer { unmanaged.release() }
        let registered = libusb_hotplug_register_callback(context, events, 0, -1, -1, -1, { _, device, event, userData in
            guard let userData, let device else { return 0 }
            let listener = Unmanaged<HotplugListener>.fromOpaque(userData).takeUnretainedValue()
            var descriptor = libusb_device_descriptor()
            _ = libusb_get_device_descriptor(device, &descriptor)
            if event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED {
                listener.continuation.yield(.arrived(vendorID: descriptor.idVendor, productID: descriptor.idProduct))
            } else {
                listener.continuation.yield(.left(vendorID: descriptor.idVendor, productID: descriptor.idProduct))
            }
            return 0  // stay registered
        }, unmanaged.toOpaque(), &handle)
        guard registered == 0 else {
            continuation.finish()
            return
        }
        defer { libusb_hotplug_deregister_callback(context, handle) }
        let microseconds = Int(poll.components.seconds) * 1_000_000 + Int(poll.components.attoseconds / 1_000_000_000_000)
        while !stop.withLock({ $0 }) {
            var timeout = timeval(tv_sec: microseconds / 1_000_000, tv_usec: .init(microseconds % 1_000_000))
            _ = libusb_handle_events_timeout_completed(context, &timeout, nil)
        }
        continuation.finish()
    }
}
