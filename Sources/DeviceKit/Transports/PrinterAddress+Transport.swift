// The transport of a printer address (the address itself is parsed in CounterCore's device model).
import CounterCore

extension PrinterAddress {
    /// A transport for this address, not yet open.
    /// - Parameters:
    ///   - connectTimeout: how long connecting (TCP) may take.
    ///   - writeTimeout: how long one `write` may take.
    public func makeTransport(connectTimeout: Duration = .seconds(5), writeTimeout: Duration = .seconds(10)) -> any PrinterTransport {
        switch self {
        case .tcp(let host, let port):
            return TCPPrinterTransport(host: host, port: port, connectTimeout: connectTimeout, writeTimeout: writeTimeout)
        case .usb(let match):
            return USBPrinterTransport(match: match, writeTimeout: writeTimeout)
        case .file(let path, let readable):
            return FilePrinterTransport(path: path, readable: readable, writeTimeout: writeTimeout)
        case .serial(let path, let settings):
            return SerialPrinterTransport(path: path, settings: settings, writeTimeout: writeTimeout)
        case .lpQueue(let queue):
            return LPQueueTransport(queue: queue, timeout: writeTimeout)
        case .cups(let queue, let server):
            return CUPSPrinterTransport(queue: queue, server: server, requestTimeout: writeTimeout)
        }
    }
}
