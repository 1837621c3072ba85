// The comm key (通讯密码) answer to ACK_UNAUTH: a scramble of the key and the session id.
import Foundation

public enum ZKCommKey {
    /// The 4 bytes AUTH carries for `key` on `session`.
    ///
    /// Bit-reverse the 32-bit key, add the session id, take it little-endian, XOR with `Z K S O`, swap the
    /// two 16-bit halves, then XOR bytes 0, 1 and 3 with `ticks` and put `ticks` in byte 2.
    public static func scramble(key: UInt32, sessionID: UInt16, ticks: UInt8 = 50) -> [UInt8] {
        var reversed: UInt32 = 0
        for i in 0..<32 where key & (1 << UInt32(i)) != 0 {
            reversed |= 1 << UInt32(31 - i)
        }
        let k = reversed &+ UInt32(sessionID)
        var b = [UInt8(k & 0xFF), UInt8((k >> 8) & 0xFF), UInt8((k >> 16) & 0xFF), UInt8(k >> 24)]
        b[0] ^= UInt8(ascii: "Z"); b[1] ^= UInt8(ascii: "K"); b[2] ^= UInt8(ascii: "S"); b[3] ^= UInt8(ascii: "O")
        b = [b[2], b[3], b[0], b[1]]
        return [b[0] ^ ticks, b[1] ^ ticks, ticks, b[3] ^ ticks]
    }
}
