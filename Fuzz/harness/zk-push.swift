// libFuzzer harness: the push protocol's bodies, lines and query values (built by scripts/fuzz, not by SwiftPM).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = ZKFuzzEntryPoints.push(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
