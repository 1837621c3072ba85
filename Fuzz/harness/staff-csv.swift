// libFuzzer harness: the staff list (CSV) reader (built by scripts/fuzz, not by SwiftPM).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = StaffListFuzzEntryPoint.parse(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
