// libFuzzer harness: the ESC/POS stream and status decoders (built by scripts/fuzz, not by SwiftPM).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = ESCPOSFuzzEntryPoint.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
