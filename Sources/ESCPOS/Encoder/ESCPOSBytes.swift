// The control bytes of ESC/POS, named once for the encoder and the stream decoder.

/// Control bytes that start ESC/POS commands.
enum ASCIIControl {
    static let nul: UInt8 = 0x00
    static let bel: UInt8 = 0x07
    static let ht: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let ff: UInt8 = 0x0C
    static let cr: UInt8 = 0x0D
    static let dle: UInt8 = 0x10
    static let dc4: UInt8 = 0x14
    static let can: UInt8 = 0x18
    static let esc: UInt8 = 0x1B
    static let fs: UInt8 = 0x1C
    static let gs: UInt8 = 0x1D
    static let eot: UInt8 = 0x04
    static let enq: UInt8 = 0x05
}
