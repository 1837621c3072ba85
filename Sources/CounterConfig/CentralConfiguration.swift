// `[central]`: this hall forwards its records to the county's centre (docs/central.md). Absent, nothing of it runs.
import CounterTOML
import Foundation

extension HallConfiguration {
    /// Where and as whom the hall forwards.
    public struct Central: Sendable, Equatable {
        /// The centre's address: `https://HOST:PORT` (plain `http://` only to a loopback address, for a test centre).
        public var url: String
        /// This hall's identity at the centre; fixed once the hall has forwarded (a change would fork its records).
        public var hallID: String
        /// The file holding the hall's token, which `countergate central hall add` printed at the centre.
        public var tokenFile: String
        /// A CA certificate (PEM) to trust for the centre, beside the system's; nil: the system's only.
        public var caFile: String?
        /// Records per batch.
        public var batchSize = 1000
        /// How often an idle hall tells the centre it has nothing new (moves its watermark, shows it alive).
        public var heartbeatSeconds = 30

        public init(url: String, hallID: String, tokenFile: String) {
            self.url = url
            self.hallID = hallID
            self.tokenFile = tokenFile
        }
    }

    /// Reads `[central]`; nil when the table is absent.
    static func readCentral(_ table: TableReader, present: Bool, baseDirectory: String) -> Central? {
        guard present else { return nil }
        let url = table.requiredString("url", expected: "the centre's address, e.g. \"https://county-centre.example:8443\"")
        let hallID = table.requiredString("hall_id", expected: "this hall's id at the centre, e.g. \"taigu-county\"")
        let tokenFile = table.requiredString("token_file", expected: "the file with the hall's token, e.g. \"/etc/countergate/central.token\"")
        let caFile = table.string("ca_file", expected: "a CA certificate file (PEM)").map { resolve($0, against: baseDirectory) }
        let batchSize = table.int("batch_size", default: 1000, range: 1...10_000) ?? 1000
        let heartbeat = table.int("heartbeat_seconds", default: 30, range: 1...3600) ?? 30
        guard let url, let hallID, let tokenFile else { return nil }
        if let problem = centralURLProblem(url) {
            table.fail("url", at: table.table["url"]?.position.line ?? table.table.position.line, problem)
        }
        if !isName(hallID) {
            table.fail("hall_id", at: table.table["hall_id"]?.position.line ?? table.table.position.line,
                       "\"\(hallID)\" is not a hall id: 1 to 64 ASCII letters, digits, - or _")
        }
        var central = Central(url: url, hallID: hallID, tokenFile: resolve(tokenFile, against: baseDirectory))
        central.caFile = caFile
        central.batchSize = batchSize
        central.heartbeatSeconds = heartbeat
        return central
    }

    /// What is wrong with a centre's address, or nil.
    static func centralURLProblem(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            return "\"\(text)\" is not an address such as https://county-centre.example:8443"
        }
        switch scheme {
        case "https": return nil
        case "http":
            let loopback = host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
            return loopback ? nil : "\"\(text)\" is plain HTTP to another machine: the hall's token and records would cross the network in clear; use https://"
        default: return "\"\(text)\" must start with https://"
        }
    }

    /// The hall's token for the centre, read from ``Central/tokenFile`` (surrounding white space removed).
    public static func readCentralToken(_ central: Central) throws -> String {
        let text: String
        do { text = try String(contentsOfFile: central.tokenFile, encoding: .utf8) } catch {
            throw ConfigErrors(errors: [ConfigError(file: central.tokenFile, line: 0, key: "central.token_file",
                message: "cannot be read (\(error.localizedDescription)); put the token `countergate central hall add` printed at the centre into it")])
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw ConfigErrors(errors: [ConfigError(file: central.tokenFile, line: 0, key: "central.token_file",
                message: "is empty; put the token `countergate central hall add` printed at the centre into it")])
        }
        return token
    }
}
