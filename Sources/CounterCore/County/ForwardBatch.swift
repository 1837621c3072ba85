// What a hall's gateway sends the county's centre, and what the centre answers (docs/central.md, "The wire").
// Pure values: the store fills them (CounterStore/Records/OutboxStore.swift), the forwarder sends them
// (Gateway/Central/), the centre checks and commits them (CountyCentre/).

/// One record of a batch: the hall's sequence number, the record's kind and identity, its times and its fields.
public struct ForwardedRecord: Sendable, Hashable, Codable {
    public let seq: Int64
    public let kind: String
    public let key: String
    /// When it happened by the hall's clock, seconds since 1970.
    public let occurredAt: Int64
    /// When the hall stored it, seconds since 1970.
    public let recordedAt: Int64
    /// The record's fields: a JSON object, as text.
    public let body: String

    public init(seq: Int64, kind: String, key: String, occurredAt: Int64, recordedAt: Int64, body: String) {
        self.seq = seq
        self.kind = kind
        self.key = key
        self.occurredAt = occurredAt
        self.recordedAt = recordedAt
        self.body = body
    }

    enum CodingKeys: String, CodingKey {
        case seq, kind, key, body
        case occurredAt = "occurred_at"
        case recordedAt = "recorded_at"
    }
}

/// A batch: the hall, its numbering stream, the records in order (possibly none: a heartbeat that moves the
/// watermark), and whether the outbox was empty after them.
public struct ForwardBatch: Sendable, Hashable, Codable {
    public let hall: String
    public let stream: String
    /// The highest sequence the centre had acknowledged to the hall when it read the batch: the records follow it with
    /// nothing of the hall's in between (sequences need not be consecutive; the hall's order is what counts).
    public let after: Int64
    public let records: [ForwardedRecord]
    /// True when these were the last records waiting: everything the hall stored up to ``hallClock`` is in this batch
    /// or before it, so the centre may move the hall's watermark to that time.
    public let caughtUp: Bool
    /// The hall's clock when the batch was read, seconds since 1970 (halls' clocks disagree: the centre keeps both).
    public let hallClock: Int64
    /// Records still waiting at the hall after this batch (for the centre's lag view).
    public let waiting: Int64

    public init(hall: String, stream: String, after: Int64, records: [ForwardedRecord], caughtUp: Bool, hallClock: Int64, waiting: Int64) {
        self.hall = hall
        self.stream = stream
        self.after = after
        self.records = records
        self.caughtUp = caughtUp
        self.hallClock = hallClock
        self.waiting = waiting
    }

    enum CodingKeys: String, CodingKey {
        case hall, stream, after, records, waiting
        case caughtUp = "caught_up"
        case hallClock = "hall_clock"
    }

    /// The kinds a hall forwards.
    public static let kinds: Set<String> = ["punch", "sign_in", "sign_in_review", "leave", "punch_correction", "notice", "notice_void",
                                            "print_outcome", "mode", "published_sheet", "audit"]

    /// What is wrong with the batch's shape, or nil: the records must be in the hall's order (rising sequences after
    /// ``after``), of known kinds, with non-empty keys, and belong to a stream and a hall that are named.
    public func problem(maximumRecords: Int) -> String? {
        if hall.isEmpty { return "the batch names no hall" }
        if stream.isEmpty || stream.count > 64 { return "the batch's stream must be 1 to 64 characters" }
        if records.count > maximumRecords { return "the batch has \(records.count) records; at most \(maximumRecords) are taken at once" }
        if after < 0 { return "the batch's after (\(after)) is negative" }
        for (index, record) in records.enumerated() {
            let previous = index > 0 ? records[index - 1].seq : after
            if record.seq <= previous {
                return "record \(index + 1) has sequence \(record.seq) after \(previous); a batch's records come in the hall's order, each numbered above the one before"
            }
            if !Self.kinds.contains(record.kind) { return "record \(index + 1) is of unknown kind \"\(record.kind)\"" }
            if record.key.isEmpty || record.key.utf8.count > 512 { return "record \(index + 1) has an empty or over-long key" }
        }
        return nil
    }
}

/// The centre's answer: the highest sequence of the stream it has committed (the hall may forget everything up to
/// it), or why it refused the batch.
public struct ForwardReceipt: Sendable, Hashable, Codable {
    public let stream: String
    public let committed: Int64
    public let error: String?

    public init(stream: String, committed: Int64, error: String? = nil) {
        self.stream = stream
        self.committed = committed
        self.error = error
    }
}
