// What a receipt printer's status replies say, merged into one condition with a line for ops.
import CounterCore

/// The printer's condition as its status replies (`DLE EOT 1…4`, ASB blocks, `GS r 1`) describe it. Fields the
/// replies seen so far did not cover stay at their defaults (nil or false); merge replies with ``applying(_:)``.
public struct PrinterCondition: Sendable, Hashable, CustomStringConvertible {
    public enum Paper: Sendable, Hashable {
        case adequate
        /// The near-end sensor sees the end of the roll coming; printing goes on.
        case nearEnd
        /// No paper: printing stopped.
        case out
    }

    /// nil until a reply said (DLE EOT 1, ASB).
    public var online: Bool?
    /// nil until a reply said (DLE EOT 4, ASB, GS r 1).
    public var paper: Paper?
    public var coverOpen = false
    /// Printing stopped because the paper ran out (DLE EOT 2 bit 5).
    public var stoppedAtPaperEnd = false
    /// Some error occurred (DLE EOT 2 bit 6); DLE EOT 3 says which.
    public var errorOccurred = false
    public var cutterError = false
    /// Needs the printer switched off and on (or service).
    public var unrecoverableError = false
    /// A recoverable mechanical error (e.g. the head or a jam), cleared by fixing it and `DLE ENQ`.
    public var recoverableError = false
    /// Clears by itself (e.g. the head too hot).
    public var autoRecoverableError = false
    /// The paper feed button is being pressed / paper is being fed by it.
    public var feedButtonPressed = false
    /// Drawer connector pin 3 is high (drawer open or closed depends on the drawer; halls use it for a sensor).
    public var drawerPinHigh: Bool?

    public init() {}

    /// Whether the printer can print now, as far as the replies tell.
    public var canPrint: Bool {
        online != false && paper != .out && !coverOpen && !stoppedAtPaperEnd && !cutterError && !unrecoverableError
            && !recoverableError && !autoRecoverableError
    }

    /// The most important problem first, for ops: English with the Chinese term, and what to do.
    /// E.g. "out of paper (缺纸): load paper". "ready (就绪)" when nothing is wrong.
    public var summary: String {
        let problems = self.problems
        return problems.isEmpty ? "ready (就绪)" : problems.joined(separator: "; ")
    }

    /// Each problem as a line for ops, most important first.
    public var problems: [String] {
        var lines: [String] = []
        if unrecoverableError { lines.append("unrecoverable error (不可恢复错误): switch the printer off and on; call service if it stays") }
        if cutterError { lines.append("cutter error (切刀故障): open the cover, clear the paper from the cutter, close the cover") }
        if coverOpen { lines.append("cover open (纸仓盖打开): close the cover") }
        if paper == .out || stoppedAtPaperEnd { lines.append("out of paper (缺纸): load paper") }
        if recoverableError { lines.append("mechanical error (机械故障): clear the jam, then close the cover") }
        if autoRecoverableError { lines.append("head overheated (打印头过热): wait; it resumes by itself") }
        if online == false && lines.isEmpty {
            lines.append("offline (脱机): check the cover, the paper and the feed button")
        }
        if paper == .nearEnd { lines.append("paper near end (纸将尽): have a new roll ready") }
        return lines
    }

    /// The device model's operational state: an error with ``summary`` when it cannot print; idle otherwise (a
    /// near-end roll still prints).
    public var operationalState: DeviceOperationalState {
        canPrint ? .idle : .error(reason: summary)
    }

    public var description: String { summary }

    /// This condition updated with what `reply` says (other fields kept).
    public func applying(_ reply: ESCPOSStatusReply) -> PrinterCondition {
        var c = self
        switch reply {
        case .printer(let byte):
            c.drawerPinHigh = byte & 0x04 != 0
            c.online = byte & 0x08 == 0
            c.feedButtonPressed = byte & 0x40 != 0
        case .offlineCause(let byte):
            c.coverOpen = byte & 0x04 != 0
            c.feedButtonPressed = byte & 0x08 != 0
            c.stoppedAtPaperEnd = byte & 0x20 != 0
            c.errorOccurred = byte & 0x40 != 0
        case .errorCause(let byte):
            c.recoverableError = byte & 0x04 != 0
            c.cutterError = byte & 0x08 != 0
            c.unrecoverableError = byte & 0x20 != 0
            c.autoRecoverableError = byte & 0x40 != 0
            c.errorOccurred = c.recoverableError || c.cutterError || c.unrecoverableError || c.autoRecoverableError
        case .paperSensor(let byte):
            c.paper = byte & 0x60 != 0 ? .out : byte & 0x0C != 0 ? .nearEnd : .adequate
        case .transmitPaper(let byte):
            c.paper = byte & 0x0C != 0 ? .out : byte & 0x03 != 0 ? .nearEnd : .adequate
        case .automatic(let block):
            c.drawerPinHigh = block[0] & 0x04 != 0
            c.online = block[0] & 0x08 == 0
            c.coverOpen = block[0] & 0x20 != 0
            c.feedButtonPressed = block[0] & 0x40 != 0
            c.recoverableError = block[1] & 0x04 != 0
            c.cutterError = block[1] & 0x08 != 0
            c.unrecoverableError = block[1] & 0x20 != 0
            c.autoRecoverableError = block[1] & 0x40 != 0
            c.errorOccurred = c.recoverableError || c.cutterError || c.unrecoverableError || c.autoRecoverableError
            c.paper = block[2] & 0x0C != 0 ? .out : block[2] & 0x03 != 0 ? .nearEnd : .adequate
            c.stoppedAtPaperEnd = c.paper == .out
        }
        return c
    }
}
