// Asking a printer how it is, over any transport that reads back: the status requests' bytes and their replies in one
// place, used by the print spooler and `countergate printer status`.
import DeviceKit

/// What a printer said when asked its status.
public enum ESCPOSStatusAnswer: Sendable, Hashable {
    /// Every reply came and decoded.
    case condition(PrinterCondition)
    /// No reply to a status request within the timeout.
    case noAnswer
    /// A reply that is not a status byte (a printer in another mode, or line noise).
    case notAStatusByte(request: Int, byte: UInt8)
}

public enum ESCPOSStatusProbe {
    /// `DLE EOT n`: the real-time status request, answered even while the printer is stopped.
    public static func realTimeRequest(_ n: Int) -> [UInt8] { [0x10, 0x04, UInt8(n)] }
    /// `GS r 1`: the paper sensor status, answered only once everything before it has been printed.
    public static let transmitStatusRequest: [UInt8] = [0x1D, 0x72, 0x01]

    /// Asks DLE EOT 1, 2 and 4 (printer, offline cause, paper) and folds the replies into one condition.
    public static func ask(_ transport: any PrinterTransport, timeout: Duration) async throws(TransportError) -> ESCPOSStatusAnswer {
        var condition = PrinterCondition()
        for n in [1, 2, 4] {
            let reply = try await transport.exchange(realTimeRequest(n), replyUpTo: 1, timeout: timeout)
            guard let byte = reply.first else { return .noAnswer }
            do { condition = condition.applying(try ESCPOSStatus.decode(byte, for: n)) } catch { return .notAStatusByte(request: n, byte: byte) }
        }
        return .condition(condition)
    }

    /// Sends `GS r 1` after a job: true when the printer answers with a status byte, which it does once it has printed
    /// everything before it (the paper came out).
    public static func confirmPrinted(_ transport: any PrinterTransport, timeout: Duration) async throws(TransportError) -> Bool {
        let reply = try await transport.exchange(transmitStatusRequest, replyUpTo: 1, timeout: timeout)
        guard let byte = reply.first, (try? ESCPOSStatus.decodeTransmitStatus(byte)) != nil else { return false }
        return true
    }
}
