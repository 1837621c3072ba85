// API tokens in the store: created once (only the SHA-256 kept), looked up per request, revoked; audited.
import CounterCore
import Crypto
import Foundation
import GRDB

/// The bearer tokens of the HTTP API: their form, and how they are kept.
///
/// A token is `cg_` followed by 32 random bytes in unpadded base64url (46 characters). With 256 bits of
/// entropy a single SHA-256 is the right hash (a slow password hash would only slow every request): the store
/// keeps the hash, finds a token by it, and the token text exists only in the client.
public enum APIToken {
    public static let prefix = "cg_"
    /// `cg_` plus 43 base64url characters.
    public static let length = 46

    /// A new token from the system's cryptographic random source.
    public static func generate() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let text = bytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + text
    }

    /// Whether `text` has a token's form: `cg_` and 43 base64url characters. Checked before any lookup.
    public static func isWellFormed(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == length, text.hasPrefix(prefix) else { return false }
        return utf8.dropFirst(prefix.utf8.count).allSatisfy { byte in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    /// What the store keeps of a token: SHA-256 of its text.
    static func hash(_ token: String) -> Data { Data(SHA256.hash(data: Data(token.utf8))) }
}

/// A token as `countergate token list` shows it; never its secret.
public struct APITokenRecord: Sendable, Hashable, Codable {
    public let id: Int64
    public let name: String
    public let role: APIRole
    /// The person the token speaks for, if it was given to one.
    public let staffID: String?
    public let createdAt: Date
    public let createdBy: String
    public let lastUsedAt: Date?
    public let revokedAt: Date?
    public let revokedBy: String?

    public var isRevoked: Bool { revokedAt != nil }
}

/// A token operation that cannot be done, said so ops can act on it.
public enum APITokenError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownToken(Int64)
    case alreadyRevoked(id: Int64, at: Date)
    case invalidName(String)
    /// A stored role that no longer reads as a role (the row was edited by hand); the token is refused.
    case unreadableRole(id: Int64, text: String)

    public var description: String {
        switch self {
        case .unknownToken(let id): "no API token with id \(id); `countergate token list` shows them"
        case .alreadyRevoked(let id, let at): "API token \(id) was already revoked at \(HallTime.format(at))"
        case .invalidName(let reason): "the token name \(reason); name the client it is for, e.g. \"3号窗口电脑\""
        case .unreadableRole(let id, let text):
            "API token \(id) has the role \"\(text)\" in the store, which is not a role; revoke it and create a new one"
        }
    }
}

extension HallStore {
    /// How long a token's `last_used_at` may lag: the lookup writes it at most once a minute, so a busy client
    /// does not turn every request into a write.
    static let tokenUseResolution: Int64 = 60

    /// Creates a token for a client. The token text is returned here once and never stored; audited without it.
    /// - Parameters:
    ///   - name: the client it is for (3号窗口电脑), up to 64 characters.
    ///   - role: what it may do.
    ///   - actor: who creates it (`cli`, an ops token's audit actor).
    /// - Returns: the new token's id and its text, to be handed to the client.
    ///   - staffID: the person the token speaks for (a duty chief, the inspection office, the leader, a window lead), if any.
    public func createToken(name: String, role: APIRole, staffID: String? = nil, actor: String, at: Date) async throws -> (id: Int64, token: String) {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { throw APITokenError.invalidName("is empty") }
        if name.count > 64 { throw APITokenError.invalidName("is longer than 64 characters") }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw APITokenError.invalidName("contains control characters")
        }
        let token = APIToken.generate()
        let hash = APIToken.hash(token)
        let id = try await pool.write { db in
            if let staffID, try Bool.fetchOne(db, sql: "SELECT 1 FROM staff WHERE id = ?", arguments: [staffID]) == nil {
                throw StoreError.unknownStaff(staffID)
            }
            try db.execute(sql: """
                INSERT INTO api_tokens (name, role, hash, created_at, created_by, staff_id) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [name, role.text, hash, at.storeSeconds, actor, staffID])
            let id = db.lastInsertedRowID
            try AuditChain.append(db, at: at, actor: actor, action: "token.created", subject: "token \(id)",
                                  detail: "name \(name), role \(role.text)" + (staffID.map { ", for \($0)" } ?? ""))
            return id
        }
        return (id, token)
    }

    /// Every token, revoked ones included, oldest first.
    public func tokens() async throws -> [APITokenRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_tokens ORDER BY id").map { row in
                let id: Int64 = row["id"]
                let text: String = row["role"]
                guard let role = try? APIRole(parsing: text) else { throw APITokenError.unreadableRole(id: id, text: text) }
                return APITokenRecord(
                    id: id, name: row["name"], role: role, staffID: row["staff_id"],
                    createdAt: Date(storeSeconds: row["created_at"]), createdBy: row["created_by"],
                    lastUsedAt: (row["last_used_at"] as Int64?).map(Date.init(storeSeconds:)),
                    revokedAt: (row["revoked_at"] as Int64?).map(Date.init(storeSeconds:)), revokedBy: row["revoked_by"])
            }
        }
    }

    /// Revokes a token: from now on it is answered 401. Audited.
    public func revokeToken(id: Int64, actor: String, at: Date) async throws {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT name, role, revoked_at FROM api_tokens WHERE id = ?", arguments: [id]) else {
                throw APITokenError.unknownToken(id)
            }
            if let revoked = row["revoked_at"] as Int64? { throw APITokenError.alreadyRevoked(id: id, at: Date(storeSeconds: revoked)) }
            try db.execute(sql: "UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ?", arguments: [at.storeSeconds, actor, id])
            let name: String = row["name"]
            let role: String = row["role"]
            try AuditChain.append(db, at: at, actor: actor, action: "token.revoked", subject: "token \(id)", detail: "name \(name), role \(role)")
        }
    }

    /// The caller a bearer token stands for, or nil when the token is malformed, unknown or revoked.
    ///
    /// Notes the use (`last_used_at`) at most once a minute.
    /// - Parameters:
    ///   - token: the text after `Bearer ` (never logged, never stored).
    ///   - at: now, from the gateway's clock.
    public func caller(forToken token: String, at: Date = Date()) async throws -> APICaller? {
        guard APIToken.isWellFormed(token) else { return nil }
        let hash = APIToken.hash(token)
        let found = try await pool.read { db -> (id: Int64, name: String, role: String, staffID: String?, lastUsed: Int64?)? in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, name, role, staff_id, last_used_at FROM api_tokens WHERE hash = ? AND revoked_at IS NULL",
                                             arguments: [hash]) else { return nil }
            return (row["id"], row["name"], row["role"], row["staff_id"], row["last_used_at"])
        }
        guard let (id, name, text, staffID, lastUsed) = found else { return nil }
        guard let role = try? APIRole(parsing: text) else { throw APITokenError.unreadableRole(id: id, text: text) }
        let now = at.storeSeconds
        if let last = lastUsed, now - last < Self.tokenUseResolution {
            // Noted less than a minute ago.
        } else {
            // Informational only: a busy writer must not turn a valid token away, so a failure here is let go.
            do {
                try await pool.write { db in
                    try db.execute(sql: """
                        UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)
                        """, arguments: [now, id, now - Self.tokenUseResolution])
                }
            } catch {}
        }
        return APICaller(tokenID: id, name: name, role: role, staffID: staffID)
    }
}
