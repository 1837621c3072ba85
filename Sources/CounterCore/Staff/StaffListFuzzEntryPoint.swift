// What the staff-list fuzzer feeds to the CSV reader; the libFuzzer harness (Fuzz/staff-csv) and the replay tests call it.

public enum StaffListFuzzEntryPoint {
    /// Reads the bytes as a staff list for windows 1 to 20.
    /// - Returns: nil when the list was accepted, else the reader's message naming the bad rows.
    public static func parse(_ input: [UInt8]) -> String? {
        do throws(StaffListError) {
            _ = try StaffList.parse(String(decoding: input, as: UTF8.self), windows: Set(1...20))
            return nil
        } catch {
            return error.description
        }
    }
}
