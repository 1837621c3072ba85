// What went wrong talking to a terminal, said so ops can act on it.
import Foundation

/// A failure of the pull-protocol client. Each case says whether retrying can help (`isRetryable`).
public enum ZKClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The terminal could not be reached (refused, unreachable, no route).
    case unreachable(device: String, detail: String)
    /// No reply within the timeout: the terminal stalls, or a packet was lost.
    case timedOut(device: String, waitingFor: String, seconds: Double)
    /// The connection was closed or reset by the terminal (or the network) in the middle of an exchange.
    case connectionLost(device: String, during: String)
    /// The terminal refused the comm key (通讯密码).
    case unauthorized(device: String)
    /// The terminal answered a command with an error code.
    case refused(device: String, command: String, reply: String)
    /// The terminal sent bytes that are not the protocol (garbage, a wrong length, a size no layout fits).
    case protocolViolation(device: String, firmware: String?, detail: String)
    /// The client is not connected.
    case notConnected(device: String)
    /// The operation was cancelled (gateway shutting down).
    case cancelled(device: String)

    public var isRetryable: Bool {
        switch self {
        case .unreachable, .timedOut, .connectionLost: return true
        case .unauthorized, .refused, .protocolViolation, .notConnected, .cancelled: return false
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let d, let detail):
            return "terminal \(d) cannot be reached (\(detail)): check it is powered on, its network cable, and its IP address and port (default 4370) in the configuration"
        case .timedOut(let d, let what, let s):
            return "terminal \(d) did not answer \(what) within \(s) s: it may be busy or stalled; CounterGate retries, and if it keeps failing, restart the terminal"
        case .connectionLost(let d, let during):
            return "terminal \(d) closed the connection during \(during); CounterGate reconnects and downloads again (nothing is stored twice)"
        case .unauthorized(let d):
            return "terminal \(d) refused the comm key (通讯密码): set comm_key in the configuration to the terminal's Comm Key (菜单 > 通讯设置 > 连接密码)"
        case .refused(let d, let command, let reply):
            return "terminal \(d) refused \(command) (answered \(reply))"
        case .protocolViolation(let d, let firmware, let detail):
            return "terminal \(d)\(firmware.map { " (firmware \($0))" } ?? "") sent data CounterGate cannot read: \(detail). "
                + "Nothing from this download was stored; report the firmware version so the model can be supported"
        case .notConnected(let d): return "terminal \(d) is not connected"
        case .cancelled(let d): return "work with terminal \(d) was cancelled"
        }
    }
}
