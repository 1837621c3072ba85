// Turns an ESC/POS byte stream, arriving in pieces split anywhere, into elements; never traps or loops on garbage.
import DeviceKit

/// An incremental ESC/POS decoder: give it bytes as they arrive (``decode(_:)``), and it returns the elements that
/// are complete; a command or a Chinese character split between two pieces waits for the rest.
///
/// Text is decoded as GB18030 whether or not `FS &` came first: python-escpos, and many printers sold in China,
/// send GB18030 without entering Chinese mode. ASCII is a subset, so plain text decodes the same.
///
/// It never traps and never loops: every step consumes bytes or waits for more. Commands announcing more data than
/// `maxKeptBytes` (a raster image claiming 4 GB) are reported and their data passed over as it arrives, so memory
/// stays bounded whatever comes in.
public struct ESCPOSStreamDecoder: Sendable {
    private var pending: [UInt8] = []
    private var start = 0
    /// Data bytes of an oversized command still to pass over.
    private var skipping = 0
    private let parser: ESCPOSCommandParser

    /// - Parameter maxKeptBytes: the largest command (with its data) that is kept whole; default 4 MiB.
    public init(maxKeptBytes: Int = 4 << 20) {
        parser = ESCPOSCommandParser(maxKeptBytes: max(16, maxKeptBytes))
    }

    /// Bytes received but not yet part of a complete element.
    public var pendingByteCount: Int { pending.count - start + skipping }

    /// Decodes everything in `bytes` that completes an element.
    public mutating func decode(_ bytes: some Sequence<UInt8>) -> [ESCPOSElement] {
        var input = Array(bytes)
        if skipping > 0 {
            let passed = min(skipping, input.count)
            skipping -= passed
            input.removeFirst(passed)
        }
        pending += input
        var elements: [ESCPOSElement] = []
        while start < pending.count, skipping == 0 {
            let rest = pending[start...]
            let first = rest[start]
            if first >= 0x20 && first != 0x7F || first == ASCIIControl.ht {
                let (text, length) = Self.textRun(rest, final: false)
                if length == 0 { break }
                append(.text(text), to: &elements)
                start += length
                continue
            }
            switch parser.parse(rest) {
            case .needMore:
                compact()
                return elements
            case .element(let element, let length):
                append(element, to: &elements)
                start += length
            case .skipping(let element, let length, let skip):
                append(element, to: &elements)
                start += length
                let available = pending.count - start
                let passed = min(skip, available)
                start += passed
                skipping = skip - passed
            }
        }
        compact()
        return elements
    }

    /// Ends the stream: what is left (an unfinished command or character) comes back as unknown bytes or text.
    public mutating func finish() -> [ESCPOSElement] {
        var elements: [ESCPOSElement] = []
        while start < pending.count {
            let rest = pending[start...]
            let first = rest[start]
            if first >= 0x20 && first != 0x7F || first == ASCIIControl.ht {
                let (text, length) = Self.textRun(rest, final: true)
                append(.text(text), to: &elements)
                start += max(1, length)
            } else {
                append(.unknown(Array(rest)), to: &elements)
                start = pending.count
            }
        }
        pending = []
        start = 0
        skipping = 0
        return elements
    }

    /// Decodes a whole stream at once.
    public static func decodeAll(_ bytes: some Sequence<UInt8>) -> [ESCPOSElement] {
        var decoder = ESCPOSStreamDecoder()
        var elements = decoder.decode(bytes)
        for element in decoder.finish() { decoder.append(element, to: &elements) }
        return elements
    }

    // MARK: Private

    private mutating func compact() {
        if start == pending.count {
            pending.removeAll(keepingCapacity: pending.count < 1 << 16)
            start = 0
        } else if start > 4096 && start > pending.count / 2 {
            pending.removeFirst(start)
            start = 0
        }
    }

    /// Adjacent text and adjacent unknown bytes are joined into one element.
    private func append(_ element: ESCPOSElement, to elements: inout [ESCPOSElement]) {
        switch (elements.last, element) {
        case (.text(let a)?, .text(let b)):
            elements[elements.count - 1] = .text(a + b)
        case (.unknown(let a)?, .unknown(let b)):
            elements[elements.count - 1] = .unknown(a + b)
        default:
            elements.append(element)
        }
    }

    /// The text at the start of `bytes` up to the next control byte, and how many bytes it took. Unless `final`, a
    /// multi-byte character cut off at the end is left for the next piece (length may then be 0).
    static func textRun(_ bytes: ArraySlice<UInt8>, final: Bool) -> (String, Int) {
        var end = bytes.startIndex
        while end < bytes.endIndex {
            let b = bytes[end]
            if b < 0x20 && b != ASCIIControl.ht || b == 0x7F { break }
            end += 1
        }
        let run = bytes[bytes.startIndex..<end]
        var text = ""
        var valid: [UInt8] = []
        var i = run.startIndex
        func flushValid() {
            guard !valid.isEmpty else { return }
            text += GB18030.decode(valid) ?? decodeEach(valid)
            valid.removeAll(keepingCapacity: true)
        }
        while i < run.endIndex {
            let lead = run[i]
            if lead < 0x80 {
                valid.append(lead)
                i += 1
                continue
            }
            let length = sequenceLength(run, at: i)
            switch length {
            case .incomplete:
                if !final && end == bytes.endIndex {
                    flushValid()
                    return (text, i - bytes.startIndex)
                }
                flushValid()
                text += "\u{FFFD}"
                i += 1
            case .invalid:
                flushValid()
                text += "\u{FFFD}"
                i += 1
            case .bytes(let n):
                valid += run[i..<(i + n)]
                i += n
            }
        }
        flushValid()
        return (text, end - bytes.startIndex)
    }

    enum SequenceLength { case bytes(Int), incomplete, invalid }

    /// The length of the GB18030 sequence starting with the non-ASCII byte at `i`.
    static func sequenceLength(_ run: ArraySlice<UInt8>, at i: Int) -> SequenceLength {
        let lead = run[i]
        guard (0x81...0xFE).contains(lead) else { return .invalid }
        guard i + 1 < run.endIndex else { return .incomplete }
        let second = run[i + 1]
        if (0x40...0x7E).contains(second) || (0x80...0xFE).contains(second) { return .bytes(2) }
        guard (0x30...0x39).contains(second) else { return .invalid }
        guard i + 2 < run.endIndex else { return .incomplete }
        guard (0x81...0xFE).contains(run[i + 2]) else { return .invalid }
        guard i + 3 < run.endIndex else { return .incomplete }
        guard (0x30...0x39).contains(run[i + 3]) else { return .invalid }
        return .bytes(4)
    }

    /// Well-formed sequences one by one, for a run iconv refused as a whole (codes GB18030 leaves unassigned).
    private static func decodeEach(_ bytes: [UInt8]) -> String {
        var text = ""
        var i = 0
        while i < bytes.count {
            let n = bytes[i] < 0x80 ? 1 : (i + 1 < bytes.count && (0x30...0x39).contains(bytes[i + 1]) ? 4 : 2)
            let end = min(bytes.count, i + n)
            text += GB18030.decode(bytes[i..<end]) ?? "\u{FFFD}"
            i = end
        }
        return text
    }
}
