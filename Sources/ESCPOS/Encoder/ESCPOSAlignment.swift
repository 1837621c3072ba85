// Where a printed line sits, shared by the encoder and the decoder.

/// `ESC a n`: left, centred or right (``ESCPOSDocument/Alignment`` is this type).
public enum ESCPOSAlignment: UInt8, Sendable {
    case left = 0, center = 1, right = 2
}
