// A serial badge reader on a tty: opens it raw at the configured rate, decodes, and keeps reading across replugs.
import CounterCore
import DeviceKit

/// Reads cards from a serial badge reader (RDM6300 frames or digit lines) on a tty.
///
/// ``events()`` opens the tty through DeviceKit's ``SerialPort`` (raw 8N1 at ``baudRate``, exclusive), reads on
/// DeviceKit's I/O threads (never blocking Swift's cooperative threads), feeds the decoder, and yields cards,
/// rejections and line changes in arrival order. When the tty disappears (ENXIO, EIO, ENODEV, ENOENT: a USB serial
/// adapter pulled) it yields ``Event/lost(_:)``, then tries to open the path again with a backoff that doubles from
/// ``initialBackoff`` to ``maximumBackoff``; a half frame from before is dropped. Ending the stream (or cancelling
/// the task iterating it) stops the reader and closes the tty.
public struct SerialBadgeReader: Sendable {
    /// How the reader sends cards.
    public enum Mode: Sendable, Hashable {
        /// RDM6300-style frames (0x02, 10 hex, 2 hex checksum, 0x03).
        case frames
        /// Digits ended by CR/LF, read in `format`, at most `maxLength` digits.
        case lines(format: CardFormat, maxLength: Int)

        func makeDecoder() -> any SerialCardDecoder {
            switch self {
            case .frames: return RDM6300FrameDecoder()
            case .lines(let format, let maxLength): return LineCardDecoder(format: format, maxLength: maxLength)
            }
        }
    }

    /// What the reader reports.
    public enum Event: Sendable {
        /// The tty was opened (first, or again after it was lost).
        case connected
        /// A card was read.
        case card(SerialCardReading)
        /// Bytes that were not a card; the counts so far are in `counts`.
        case rejected(SerialRejection, counts: [SerialRejection.Kind: Int])
        /// The tty could not be opened or stopped answering; the reader retries after a backoff.
        case lost(TransportError)
    }

    /// The tty path (a stable `/dev/serial/by-id/...` or `by-path` link is best).
    public let path: String
    public let baudRate: Int
    public let mode: Mode
    public let initialBackoff: Duration
    public let maximumBackoff: Duration
    /// How long one read waits before checking for cancellation.
    public let pollInterval: Duration

    /// - Parameters:
    ///   - path: the tty.
    ///   - baudRate: one of `SerialLineSettings.supportedBaudRates` (RDM6300: 9600).
    ///   - mode: frames or lines.
    ///   - initialBackoff: the first wait before reopening; doubled per failure up to `maximumBackoff`.
    ///   - maximumBackoff: the longest wait between attempts.
    ///   - pollInterval: the bound on one read.
    public init(path: String, baudRate: Int = 9600, mode: Mode = .frames, initialBackoff: Duration = .milliseconds(200),
                maximumBackoff: Duration = .seconds(5), pollInterval: Duration = .milliseconds(250)) {
        self.path = path
        self.baudRate = baudRate
        self.mode = mode
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.pollInterval = pollInterval
    }

    /// Starts reading; the stream ends only when the consumer stops iterating (or the task is cancelled).
    public func events() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(1024))
        let port = SerialPort(path: path, settings: SerialLineSettings(baudRate: baudRate), role: "badge reader")
        let task = Task { [self] in
            await run(port: port, continuation: continuation)
            await port.close()
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Only the cards (rejections are counted by the decoder but not delivered).
    public func cards() -> AsyncStream<SerialCardReading> {
        let events = events()
        return AsyncStream { continuation in
            let task = Task {
                for await event in events {
                    if case .card(let reading) = event { continuation.yield(reading) }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func run(port: SerialPort, continuation: AsyncStream<Event>.Continuation) async {
        var decoder = mode.makeDecoder()
        var backoff = RetryBackoff(initial: initialBackoff, maximum: maximumBackoff)
        while !Task.isCancelled {
            do {
                try await port.open()
            } catch {
                continuation.yield(.lost(error))
                guard (try? await Task.sleep(for: backoff.next())) != nil else { return }
                continue
            }
            backoff.reset()
            decoder.reset()
            continuation.yield(.connected)
            while !Task.isCancelled {
                let bytes: [UInt8]
                do {
                    bytes = try await port.read(upTo: 512, timeout: pollInterval)
                } catch {
                    if error.kind == .cancelled, Task.isCancelled { return }
                    await port.close()
                    continuation.yield(.lost(error))
                    guard (try? await Task.sleep(for: backoff.next())) != nil else { return }
                    break
                }
                for output in decoder.feed(bytes) {
                    switch output {
                    case .card(let reading): continuation.yield(.card(reading))
                    case .rejected(let rejection): continuation.yield(.rejected(rejection, counts: decoder.rejections))
                    }
                }
            }
        }
    }
}
