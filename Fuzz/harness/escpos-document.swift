// The one name of the encoder the ESC/POS decoder uses, for the fuzz build (which leaves the encoder out).
public enum ESCPOSDocument {
    public typealias Alignment = ESCPOSAlignment
}
