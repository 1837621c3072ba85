// A USB vendor:product id, as lsusb prints it and as the device profiles, the udev rules and discovery use it.

/// A USB vendor and product id pair (`0483:5743`), ordered by vendor then product.
public struct USBID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let vendor: UInt16
    public let product: UInt16

    public init(vendor: UInt16, product: UInt16) {
        self.vendor = vendor
        self.product = product
    }

    public init(_ pair: (vendor: UInt16, product: UInt16)) {
        self.init(vendor: pair.vendor, product: pair.product)
    }

    /// Parses `vvvv:pppp` (four hexadecimal digits each, as lsusb prints them); nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 4 }),
              let vendor = UInt16(parts[0], radix: 16), let product = UInt16(parts[1], radix: 16) else { return nil }
        self.init(vendor: vendor, product: product)
    }

    /// As sysfs writes `idVendor`: four lowercase hexadecimal digits.
    public var vendorHex: String { Self.hex4(vendor) }
    /// As sysfs writes `idProduct`.
    public var productHex: String { Self.hex4(product) }
    public var description: String { vendorHex + ":" + productHex }

    public static func < (a: USBID, b: USBID) -> Bool { (a.vendor, a.product) < (b.vendor, b.product) }

    private static func hex4(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}
