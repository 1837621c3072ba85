// What the TOML fuzzer feeds to the reader; the libFuzzer harness (Fuzz/toml) and the replay tests call it.

public enum TOMLFuzzEntryPoint {
    /// Parses the bytes as a TOML document (invalid UTF-8 repaired, as a file read would).
    /// - Returns: nil when the document parsed, else the reader's message with its line and column.
    public static func parse(_ input: [UInt8]) -> String? {
        do throws(TOMLSyntaxError) {
            _ = try TOMLReader.parse(String(decoding: input, as: UTF8.self))
            return nil
        } catch {
            return error.description
        }
    }
}
