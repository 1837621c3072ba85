// Notices whose promised date is provisional (暂定), counted again with the holiday years loaded now.
import CounterConfig
import CounterCore
import CounterStore
import Foundation

/// A notice in force with a provisional promised date, and what the date is with the arrangements loaded now.
public struct ProvisionalDeadline: Sendable {
    public let notice: StoredNotice
    /// The years the date is still counted across on weekends alone; empty once they are all loaded.
    public let missingYears: [Int]
    /// The date counted again with every year it crosses loaded; nil while a year is still missing.
    public let countedNow: CivilDate?

    /// The year is loaded now and the printed date was wrong: the applicant must be told the right one.
    public var changed: Bool { countedNow.map { $0 != notice.notice.promisedCompletion } ?? false }
}

public enum ProvisionalDeadlines {
    /// The notices in force whose provisional promised date is `today` or later, counted again with `calendar`.
    public static func review(store: HallStore, calendar: WorkingDayCalendar, today: CivilDate) async throws -> [ProvisionalDeadline] {
        try await store.provisionalNotices(promisedFrom: today).map { stored in
            let draft = stored.notice.draft
            let recount = draft.promisedWorkingDays.flatMap {
                try? calendar.promisedCompletionDateAllowingProvisional(acceptedOn: draft.receivedOn, workingDays: $0)
            }
            return ProvisionalDeadline(notice: stored, missingYears: recount?.missingYears ?? [],
                                       countedNow: recount.flatMap { $0.provisional ? nil : $0.date })
        }
    }
}
