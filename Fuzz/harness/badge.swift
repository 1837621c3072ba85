// libFuzzer harness: the badge readers' serial frames, evdev events and card-number parsers (built by scripts/fuzz, not by SwiftPM).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = BadgeFuzzEntryPoint.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
