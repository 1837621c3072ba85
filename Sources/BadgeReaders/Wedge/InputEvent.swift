// Linux evdev `struct input_event` records, as a read of /dev/input/eventN returns them (pure, no I/O).

/// One Linux `struct input_event` as laid out on 64-bit Linux (x86-64, arm64): a `timeval` of two 64-bit
/// integers (seconds, microseconds), then `__u16 type`, `__u16 code`, `__s32 value`, little-endian, 24 bytes.
public struct InputEvent: Sendable, Hashable, CustomStringConvertible {
    /// The size of one record on 64-bit Linux.
    public static let size = 24

    /// `EV_SYN`: the end of one report.
    public static let synchronization: UInt16 = 0x00
    /// `EV_KEY`: a key press (value 1), auto-repeat (2) or release (0).
    public static let key: UInt16 = 0x01
    /// `EV_MSC`: e.g. the HID usage of the key (`MSC_SCAN`); ignored by the card assembler.
    public static let miscellaneous: UInt16 = 0x04

    /// `timeval.tv_sec` as the kernel stamped it.
    public var seconds: Int64
    /// `timeval.tv_usec`.
    public var microseconds: Int64
    /// `EV_*`.
    public var type: UInt16
    /// `KEY_*` for key events.
    public var code: UInt16
    /// 1 press, 0 release, 2 auto-repeat for key events.
    public var value: Int32

    /// Makes an event; `seconds`/`microseconds` are the kernel's timestamp.
    public init(seconds: Int64 = 0, microseconds: Int64 = 0, type: UInt16, code: UInt16, value: Int32) {
        self.seconds = seconds
        self.microseconds = microseconds
        self.type = type
        self.code = code
        self.value = value
    }

    /// Makes an event stamped with `time` (from the start of whatever clock the kernel uses).
    public init(time: Duration, type: UInt16, code: UInt16, value: Int32) {
        let (seconds, attoseconds) = time.components
        self.init(seconds: seconds, microseconds: attoseconds / 1_000_000_000_000, type: type, code: code, value: value)
    }

    /// The kernel's timestamp as a duration since the clock's origin.
    public var time: Duration { .seconds(seconds) + .microseconds(microseconds) }

    public var description: String { "input_event(\(seconds).\(microseconds) type \(type) code \(code) value \(value))" }

    /// Decodes exactly one record; any other length is refused.
    public static func decode(_ bytes: some Collection<UInt8>) throws(InputEventDecodingError) -> InputEvent {
        guard bytes.count == size else { throw .wrongSize(bytes.count) }
        let b = Array(bytes)
        func integer<T: FixedWidthInteger>(_ offset: Int, as: T.Type) -> T {
            var result: T = 0
            for index in 0..<MemoryLayout<T>.size {
                result |= T(truncatingIfNeeded: b[offset + index]) << (8 * index)
            }
            return result
        }
        return InputEvent(seconds: integer(0, as: Int64.self), microseconds: integer(8, as: Int64.self),
                          type: integer(16, as: UInt16.self), code: integer(18, as: UInt16.self), value: integer(20, as: Int32.self))
    }

    /// Decodes a whole read's worth of records; the length must be a multiple of ``size``.
    public static func decodeAll(_ bytes: some Collection<UInt8>) throws(InputEventDecodingError) -> [InputEvent] {
        guard bytes.count % size == 0 else { throw .wrongSize(bytes.count) }
        let b = Array(bytes)
        var events: [InputEvent] = []
        events.reserveCapacity(b.count / size)
        var offset = 0
        while offset < b.count {
            events.append(try decode(b[offset..<offset + size]))
            offset += size
        }
        return events
    }

    /// The 24 bytes the kernel would deliver for this event.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.size)
        func append<T: FixedWidthInteger>(_ value: T) {
            for index in 0..<MemoryLayout<T>.size { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
        }
        append(seconds)
        append(microseconds)
        append(type)
        append(code)
        append(value)
        return bytes
    }
}

/// Why bytes are not `input_event` records.
public enum InputEventDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The length is not one record (or a multiple of records): a 32-bit layout or a torn read.
    case wrongSize(Int)

    public var description: String {
        switch self {
        case .wrongSize(let count):
            "\(count) bytes are not whole input_event records of \(InputEvent.size) bytes (a 32-bit time layout or a torn read)"
        }
    }
}
