// The client behind an API request, as its token says: seen by the store (which finds it) and the routes.
import Foundation

/// Who made an API request: the token's id and name, and its role. Never carries the token itself.
public struct APICaller: Sendable, Hashable, Codable {
    /// The token's id in the store (`countergate token list`, `token revoke ID`).
    public let tokenID: Int64
    /// The name ops gave the token (3号窗口电脑).
    public let name: String
    public let role: APIRole
    /// The person the token speaks for (`token create --staff`), when it was given to one: a duty chief's, the
    /// inspection office's or the leader's token acts as that person on leave, corrections and the roster.
    public let staffID: String?

    public init(tokenID: Int64, name: String, role: APIRole, staffID: String? = nil) {
        self.tokenID = tokenID
        self.name = name
        self.role = role
        self.staffID = staffID
    }

    /// How the audit log names this caller: `api:<token id>:<name>`.
    public var auditActor: String { "api:\(tokenID):\(name)" }
}
