// Decoding the printer's status replies: DLE EOT n bytes, GS r 1 bytes and ASB blocks; malformed ones are typed errors.

/// One status reply, checked for its fixed bits.
public enum ESCPOSStatusReply: Sendable, Hashable {
    /// `DLE EOT 1`: bit 2 drawer pin 3, bit 3 offline, bit 6 feed button.
    case printer(UInt8)
    /// `DLE EOT 2`: bit 2 cover open, bit 3 feeding by button, bit 5 stopped at paper end, bit 6 error.
    case offlineCause(UInt8)
    /// `DLE EOT 3`: bit 2 recoverable error, bit 3 auto-cutter error, bit 5 unrecoverable, bit 6 auto-recoverable.
    case errorCause(UInt8)
    /// `DLE EOT 4`: bits 2-3 paper near end, bits 5-6 paper end.
    case paperSensor(UInt8)
    /// `GS r 1`: bits 0-1 paper near end, bits 2-3 paper end.
    case transmitPaper(UInt8)
    /// A 4-byte Automatic Status Back block (`GS a`).
    case automatic([UInt8])
}

/// A reply that does not have the form the protocol fixes.
public enum ESCPOSStatusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `DLE EOT n` takes n = 1 to 4.
    case noSuchRequest(Int)
    /// A `DLE EOT` reply byte not of the form `0xx1xx10`.
    case malformedReply(byte: UInt8, request: Int)
    /// A `GS r` reply byte not of the form `0xx0xxxx`.
    case malformedTransmitStatus(UInt8)
    /// An ASB block that is not 4 bytes, first `0xx1xx00`, the others `0xx0xxxx`.
    case malformedASB([UInt8])

    public var description: String {
        switch self {
        case .noSuchRequest(let n): "DLE EOT \(n) is no status request (n is 1 to 4)"
        case .malformedReply(let byte, let n): "printer answered DLE EOT \(n) with \(binary(byte)), not a status byte (0xx1xx10): the link is out of step or this is no ESC/POS printer"
        case .malformedTransmitStatus(let byte): "printer answered GS r 1 with \(binary(byte)), not a status byte (0xx0xxxx)"
        case .malformedASB(let bytes): "\(bytes.map { binary($0) }.joined(separator: " ")) is no Automatic Status Back block"
        }
    }
}

private func binary(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 2)
    return String(repeating: "0", count: 8 - digits.count) + digits
}

/// Decoders for status replies.
public enum ESCPOSStatus {
    /// Whether a byte has the fixed bits of a `DLE EOT` reply (`0xx1xx10`).
    public static func isRealTimeReply(_ byte: UInt8) -> Bool { byte & 0x93 == 0x12 }

    /// Decodes the byte answering `DLE EOT n`.
    public static func decode(_ byte: UInt8, for n: Int) throws(ESCPOSStatusError) -> ESCPOSStatusReply {
        guard (1...4).contains(n) else { throw .noSuchRequest(n) }
        guard isRealTimeReply(byte) else { throw .malformedReply(byte: byte, request: n) }
        switch n {
        case 1: return .printer(byte)
        case 2: return .offlineCause(byte)
        case 3: return .errorCause(byte)
        default: return .paperSensor(byte)
        }
    }

    /// Decodes the byte answering `GS r 1`.
    public static func decodeTransmitStatus(_ byte: UInt8) throws(ESCPOSStatusError) -> ESCPOSStatusReply {
        guard byte & 0x90 == 0 else { throw .malformedTransmitStatus(byte) }
        return .transmitPaper(byte)
    }

    /// Decodes a 4-byte ASB block.
    public static func decodeASB(_ block: [UInt8]) throws(ESCPOSStatusError) -> ESCPOSStatusReply {
        guard block.count == 4, block[0] & 0x93 == 0x10, block.dropFirst().allSatisfy({ $0 & 0x90 == 0 }) else {
            throw .malformedASB(block)
        }
        return .automatic(block)
    }

    /// The condition the four `DLE EOT` replies (n = 1, 2, 3, 4 in that order) describe.
    public static func condition(fromReplies bytes: [UInt8]) throws(ESCPOSStatusError) -> PrinterCondition {
        var condition = PrinterCondition()
        for (index, byte) in bytes.enumerated() {
            condition = condition.applying(try decode(byte, for: index % 4 + 1))
        }
        return condition
    }

    /// The byte a printer in `condition` answers to `DLE EOT n` (what the simulator sends, and test vectors).
    public static func replyByte(for n: Int, condition: PrinterCondition) -> UInt8 {
        var byte: UInt8 = 0x12
        switch n {
        case 1:
            if condition.drawerPinHigh == true { byte |= 0x04 }
            if condition.online == false { byte |= 0x08 }
            if condition.feedButtonPressed { byte |= 0x40 }
        case 2:
            if condition.coverOpen { byte |= 0x04 }
            if condition.feedButtonPressed { byte |= 0x08 }
            if condition.stoppedAtPaperEnd || condition.paper == .out { byte |= 0x20 }
            if condition.errorOccurred || condition.cutterError || condition.unrecoverableError
                || condition.recoverableError || condition.autoRecoverableError { byte |= 0x40 }
        case 3:
            if condition.recoverableError { byte |= 0x04 }
            if condition.cutterError { byte |= 0x08 }
            if condition.unrecoverableError { byte |= 0x20 }
            if condition.autoRecoverableError { byte |= 0x40 }
        default:
            if condition.paper == .nearEnd { byte |= 0x0C }
            if condition.paper == .out { byte |= 0x6C }
        }
        return byte
    }

    /// The byte a printer in `condition` answers to `GS r 1`.
    public static func transmitStatusByte(condition: PrinterCondition) -> UInt8 {
        switch condition.paper {
        case .out: 0x0F
        case .nearEnd: 0x03
        default: 0x00
        }
    }

    /// The ASB block a printer in `condition` pushes.
    public static func asbBlock(condition: PrinterCondition) -> [UInt8] {
        var first: UInt8 = 0x10
        if condition.drawerPinHigh == true { first |= 0x04 }
        if condition.online == false { first |= 0x08 }
        if condition.coverOpen { first |= 0x20 }
        if condition.feedButtonPressed { first |= 0x40 }
        var second: UInt8 = 0
        if condition.recoverableError { second |= 0x04 }
        if condition.cutterError { second |= 0x08 }
        if condition.unrecoverableError { second |= 0x20 }
        if condition.autoRecoverableError { second |= 0x40 }
        let third: UInt8 = condition.paper == .out ? 0x0F : condition.paper == .nearEnd ? 0x03 : 0
        return [first, second, third, 0]
    }
}
