// Where a body stops being JSON (RFC 8259): line, column and what was expected, for a 400 a person can act on.
import Foundation

/// Finds the first mistake in JSON text. Foundation's decoder only says "not valid JSON"; this says where.
/// Only run on bodies the decoder refused, so the happy path pays nothing.
enum JSONSyntax {
    /// Deeper nesting than this is refused (the decoder's own limit is 512).
    static let maxDepth = 512

    /// "unexpected `x` at line 3, column 14; expected a value", or nil when the text is well-formed JSON.
    static func firstMistake(in data: Data) -> String? {
        var scanner = Scanner(bytes: Array(data))
        do throws(Mistake) {
            scanner.skipWhitespace()
            try scanner.value(depth: 0)
            scanner.skipWhitespace()
            if scanner.index < scanner.bytes.count {
                throw Mistake(index: scanner.index, message: "unexpected text after the JSON value; send one JSON value")
            }
            return nil
        } catch {
            let (line, column) = scanner.position(of: error.index)
            return "\(error.message) at line \(line), column \(column)"
        }
    }

    struct Mistake: Error {
        let index: Int
        let message: String
    }

    struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        func unexpected(_ expected: String) -> Mistake {
            guard let byte = current else { return Mistake(index: index, message: "the body ends too early; expected \(expected)") }
            let shown: String
            if byte >= 0x21 && byte < 0x7F { shown = "`\(Character(Unicode.Scalar(byte)))`" } else if byte >= 0x80 { shown = "a non-ASCII character" } else { shown = String(format: "byte 0x%02X", byte) }
            return Mistake(index: index, message: "unexpected \(shown); expected \(expected)")
        }

        mutating func value(depth: Int) throws(Mistake) {
            guard let byte = current else { throw unexpected("a value") }
            switch byte {
            case UInt8(ascii: "{"): try object(depth: depth + 1)
            case UInt8(ascii: "["): try array(depth: depth + 1)
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: throw unexpected("a value (an object, array, string, number, true, false or null)")
            }
        }

        mutating func object(depth: Int) throws(Mistake) {
            if depth > JSONSyntax.maxDepth { throw Mistake(index: index, message: "nested deeper than \(JSONSyntax.maxDepth) levels") }
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "}") { index += 1; return }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw unexpected("a key in double quotes") }
                try string()
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw unexpected("`:` after the key") }
                index += 1
                skipWhitespace()
                try value(depth: depth)
                skipWhitespace()
                if current == UInt8(ascii: ",") { index += 1; continue }
                if current == UInt8(ascii: "}") { index += 1; return }
                throw unexpected("`,` or `}`")
            }
        }

        mutating func array(depth: Int) throws(Mistake) {
            if depth > JSONSyntax.maxDepth { throw Mistake(index: index, message: "nested deeper than \(JSONSyntax.maxDepth) levels") }
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") { index += 1; return }
            while true {
                skipWhitespace()
                try value(depth: depth)
                skipWhitespace()
                if current == UInt8(ascii: ",") { index += 1; continue }
                if current == UInt8(ascii: "]") { index += 1; return }
                throw unexpected("`,` or `]`")
            }
        }

        mutating func string() throws(Mistake) {
            let start = index
            index += 1
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    guard String(validating: bytes[(start + 1)..<(index - 1)], as: UTF8.self) != nil else {
                        throw Mistake(index: start, message: "a string that is not UTF-8; send the body as UTF-8")
                    }
                    return
                case UInt8(ascii: "\\"):
                    index += 1
                    guard let escaped = current else { throw unexpected("an escape such as \\n") }
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        index += 1
                    case UInt8(ascii: "u"):
                        index += 1
                        for _ in 0..<4 {
                            guard let hex = current, isHexDigit(hex) else { throw unexpected("four hex digits after \\u") }
                            index += 1
                        }
                    default:
                        throw unexpected("an escape: \\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX")
                    }
                case 0x00..<0x20:
                    throw unexpected("no control character inside a string (write a line break as \\n)")
                default:
                    index += 1
                }
            }
            throw Mistake(index: start, message: "a string that is never closed (a `\"` is missing)")
        }

        mutating func number() throws(Mistake) {
            if current == UInt8(ascii: "-") { index += 1 }
            guard let first = current, isDigit(first) else { throw unexpected("a digit") }
            index += 1
            if first != UInt8(ascii: "0") { while let byte = current, isDigit(byte) { index += 1 } }
            if current == UInt8(ascii: ".") {
                index += 1
                guard let byte = current, isDigit(byte) else { throw unexpected("a digit after the decimal point") }
                while let byte = current, isDigit(byte) { index += 1 }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard let byte = current, isDigit(byte) else { throw unexpected("a digit in the exponent") }
                while let byte = current, isDigit(byte) { index += 1 }
            }
        }

        mutating func literal(_ word: String) throws(Mistake) {
            for expected in word.utf8 {
                guard current == expected else { throw unexpected("`\(word)`") }
                index += 1
            }
        }

        /// Line and column (in characters) of a byte index, both from 1.
        func position(of target: Int) -> (line: Int, column: Int) {
            var line = 1
            var column = 1
            for byte in bytes[..<min(target, bytes.count)] {
                if byte == 0x0A {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
            }
            return (line, column)
        }
    }
}

private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
private func isHexDigit(_ byte: UInt8) -> Bool {
    isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
}
