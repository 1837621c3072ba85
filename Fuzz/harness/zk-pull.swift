// libFuzzer harness: the pull protocol's deframer and payload decoders (built by scripts/fuzz, not by SwiftPM).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = ZKFuzzEntryPoints.pull(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
