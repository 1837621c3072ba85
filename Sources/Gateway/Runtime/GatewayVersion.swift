// The gateway's version: shown by `countergate --version`, written into every backup's manifest, and the version of the
// Debian package (scripts/package-deb reads VERSION, which a test keeps equal to this).
public enum GatewayVersion {
    public static let current = "0.15.0"
}
