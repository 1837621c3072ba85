// Service windows (窗口) and their A/B post pairs (AB岗), so no service stops because nobody is on post.
import Foundation

/// A service window of the hall.
public struct ServiceWindow: Sendable, Hashable, Codable {
    /// The number shown above the window (3 for 3号窗口).
    public let number: Int
    public var name: String
    /// The stationed department (派驻单位) that runs the window.
    public var department: String

    public init(number: Int, name: String, department: String) {
        self.number = number
        self.name = name
        self.department = department
    }

    /// `3号窗口`.
    public var chineseLabel: String { "\(number)号窗口" }
}

/// The two people who back each other up at a window. Either may be missing while the post is being staffed.
public struct PostPair: Sendable, Hashable {
    public let window: Int
    public var a: String?
    public var b: String?

    /// The colleague who covers for `staffID`, if the pair is complete.
    public func backup(for staffID: String) -> String? {
        if staffID == a { return b }
        if staffID == b { return a }
        return nil
    }

    public var isComplete: Bool { a != nil && b != nil }
}

/// A staff list that breaks the A/B post rule.
public struct PostPairConflict: Error, Sendable, Equatable, CustomStringConvertible {
    public let window: Int
    public let slot: PostSlot
    public let holders: [String]

    public var description: String {
        "window \(window) has more than one \(slot.rawValue) post (\(slot.rawValue)岗): \(holders.joined(separator: ", ")); each window has one A and one B"
    }
}

public enum PostPairs {
    /// Builds the A/B pairs of every window from the staff's post assignments.
    /// - Throws: ``PostPairConflict`` when a window has two people on the same post.
    public static func build(from staff: [Staff]) throws(PostPairConflict) -> [Int: PostPair] {
        var pairs: [Int: PostPair] = [:]
        for person in staff.sorted(by: { $0.id < $1.id }) {
            guard let window = person.window, let post = person.post else { continue }
            var pair = pairs[window] ?? PostPair(window: window, a: nil, b: nil)
            switch post {
            case .a:
                if let holder = pair.a { throw PostPairConflict(window: window, slot: .a, holders: [holder, person.id]) }
                pair.a = person.id
            case .b:
                if let holder = pair.b { throw PostPairConflict(window: window, slot: .b, holders: [holder, person.id]) }
                pair.b = person.id
            }
            pairs[window] = pair
        }
        return pairs
    }
}
