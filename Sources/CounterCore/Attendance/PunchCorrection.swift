// A punch correction (补卡): the duty chief records a clock-in or -out the terminal did not take (a finger it could not
// read, a terminal that was off), with the reason. Raw punches are never edited: a correction is one more input of the
// day's judgement, audited and counted on the monthly sheet.
import Foundation

/// Why a correction is refused.
public enum PunchCorrectionError: Error, Sendable, Equatable, CustomStringConvertible {
    case notADutyChief(String)
    case ownPunch
    case noReason
    case inTheFuture

    public var description: String {
        switch self {
        case .notADutyChief(let id): return "\(id) is not a duty chief (值班长); only the duty chief corrects punches (补卡)"
        case .ownPunch: return "nobody corrects their own punches; another duty chief or the inspection office does"
        case .noReason: return "say why the punch is corrected (the reason is kept in the audit log)"
        case .inTheFuture: return "a correction is for a time that has passed"
        }
    }
}

public enum PunchCorrection {
    /// Checks a correction of `staffID`'s punch at `at` by `corrector`.
    public static func check(staffID: String, at: Date, reason: String, by corrector: Staff, now: Date) throws(PunchCorrectionError) {
        guard corrector.has(.dutyChief) else { throw .notADutyChief(corrector.id) }
        guard corrector.id != staffID else { throw .ownPunch }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw .noReason }
        guard at <= now else { throw .inTheFuture }
    }
}
