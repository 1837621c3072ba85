// reader-probe: a test and diagnostic tool for keyboard-wedge badge readers, through BadgeReaders' own code paths.
//
//   reader-probe VVVV:PPPP [--cards N] [--timeout-ms MS]
//       finds the reader's /dev/input/event* node by its USB ids, grabs it, reads N cards (default 1) and prints
//       JSON: {"node", "cards": [{"number", "time"}], "discarded", "unexpectedKeys", "unplugged", "problems"}
//
// The BadgeReaders tests run it under umockdev (a faked /sys/class/input and an evemu replay on the node); on a
// gateway it answers "is the reader there, can the service user grab it, what does it type?".
// Exit status: 0 all cards read, 1 failure or timeout, 2 usage.
import BadgeReaders
import DeviceKit
import Foundation
import Synchronization

struct CardEntry: Encodable {
    let number: String
    let node: String
    /// The kernel timestamp of the Enter, in seconds.
    let time: Double
}

struct Report: Encodable {
    var node: String?
    var cards: [CardEntry] = []
    var discarded: [String] = []
    var unexpectedKeys: [Int] = []
    var unplugged: [String] = []
    var problems: [String] = []
    var error: String?
}

func emit(_ report: Report) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(report)) ?? Data("{}".utf8)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

let usage = "usage: reader-probe VVVV:PPPP [--cards N] [--timeout-ms MS]"
var arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String) -> Int? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    defer { arguments.removeSubrange(index...(index + 1)) }
    return Int(arguments[index + 1])
}
let wanted = option("--cards") ?? 1
let timeoutMilliseconds = option("--timeout-ms") ?? 10_000
let ids = arguments.first?.split(separator: ":").compactMap { UInt16($0, radix: 16) } ?? []
guard arguments.count == 1, ids.count == 2 else {
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
}

/// What has been seen so far, also printed when the probe times out.
let seen = Mutex(Report())
let reader = WedgeReader(vendorID: ids[0], productID: ids[1], rescanInterval: .milliseconds(200))
let outcome = await withTaskGroup(of: Report?.self) { group in
    group.addTask {
        var report = Report()
        for await event in reader.events() {
            defer { seen.withLock { $0 = report } }
            switch event {
            case .attached(let node): report.node = node
            case .card(let card, let node):
                let (seconds, attoseconds) = card.time.components
                report.cards.append(CardEntry(number: card.number, node: node, time: Double(seconds) + Double(attoseconds) / 1e18))
                if report.cards.count >= wanted { return report }
            case .discarded(let partial, _): report.discarded.append(partial)
            case .unexpectedKey(let code, _): report.unexpectedKeys.append(Int(code))
            case .unplugged(let node): report.unplugged.append(node)
            case .problem(let problem):
                report.problems.append(problem.description)
                if case .grabRefused = problem {
                    report.error = problem.description
                    return report
                }
            }
        }
        return report
    }
    group.addTask {
        try? await Task.sleep(for: .milliseconds(timeoutMilliseconds))
        return nil
    }
    let first = await group.next() ?? nil
    group.cancelAll()
    return first
}
guard var report = outcome else {
    var partial = seen.withLock { $0 }
    partial.error = "no \(wanted) card(s) within \(timeoutMilliseconds) ms"
    emit(partial)
    exit(1)
}
if report.error == nil, report.cards.count < wanted { report.error = "the reader stopped after \(report.cards.count) card(s)" }
emit(report)
exit(report.error == nil ? 0 : 1)
