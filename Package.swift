// swift-tools-version:6.1
// CounterGate: a hardware gateway for the service counters (窗口) of a government service hall.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "CounterGate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "countergate", targets: ["countergate"]),
        .library(name: "CounterCore", targets: ["CounterCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // The county's centre (issue 16): halls forward to it over HTTPS, it writes into PostgreSQL.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // libusb-1.0 from the system (Debian: libusb-1.0-0-dev), found through pkg-config.
        .systemLibrary(
            name: "CLibUSB",
            pkgConfig: "libusb-1.0",
            providers: [.apt(["libusb-1.0-0-dev"])]
        ),
        // zlib, to read the hall's .xlsx lists (their parts are deflated) and to compress the A4 notices' PDF streams.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // FreeType 2 from the system (Debian: libfreetype-dev), found through pkg-config: draws the text a receipt
        // printer's own font cannot print (raster Chinese, docs/notices.md).
        .systemLibrary(
            name: "CFreeType",
            pkgConfig: "freetype2",
            providers: [.apt(["libfreetype-dev"])]
        ),
        // The hall's rules: pure values and decisions, no I/O, clock injected.
        .target(name: "CounterCore", swiftSettings: strict),
        // Our TOML reader: keeps the line and column of every key, for errors a person can act on.
        .target(name: "CounterTOML", swiftSettings: strict),
        // The hall's configuration file (TOML) and the calendar data it ships with.
        .target(
            name: "CounterConfig",
            dependencies: ["CounterCore", "CounterTOML"],
            resources: [.copy("Calendar")],
            swiftSettings: strict
        ),
        // Durable state: SQLite (WAL) through GRDB.
        .target(
            name: "CounterStore",
            dependencies: [
                "CounterCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Device identity, discovery and transports.
        .target(
            name: "DeviceKit",
            dependencies: ["CounterCore", "CLibUSB", .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strict
        ),
        // Fingerprint attendance terminals: the pull protocol's codec (pure) and client.
        .target(
            name: "ZKTerminal",
            dependencies: ["CounterCore", "DeviceKit", "CounterTOML", .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // Test fakes that speak the devices' real wire protocols on loopback (the ZK terminal simulator);
        // used by the tests and the demo, never talking to real hardware.
        .target(
            name: "Simulators",
            dependencies: [
                "ZKTerminal", "ESCPOS", "BadgeReaders", "CounterCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),  // the push-terminal fake's HTTP client
            ],
            swiftSettings: strict
        ),
        // Receipt printers: the ESC/POS encoder, status decoding, printer profiles, and a stream decoder (pure); text
        // the printer's font lacks drawn with FreeType (Raster/GlyphRasterizer.swift, the one impure part).
        .target(
            name: "ESCPOS",
            dependencies: ["CounterCore", "DeviceKit", "CounterTOML", "CFreeType"],
            swiftSettings: strict
        ),
        // The hall's notices (通知书): templates -> printable document -> ESC/POS bytes, text and HTML previews.
        .target(
            name: "Notices",
            dependencies: ["CounterCore", "ESCPOS", "CZlib"],
            swiftSettings: strict
        ),
        // Badge readers: keyboard-wedge readers through evdev and serial readers (decoders pure, adapters on threads),
        // card numbers, reader profiles.
        .target(name: "BadgeReaders", dependencies: ["CounterCore", "DeviceKit", "CounterTOML"], swiftSettings: strict),
        // Our XLSX writer (Foundation only): the monthly sheet's export at a hall and the county's at the centre.
        .target(name: "XLSXWriter", swiftSettings: strict),
        // The running gateway: services, HTTP, logging, systemd integration.
        .target(
            name: "Gateway",
            dependencies: [
                "CounterCore", "CounterConfig", "CounterStore", "DeviceKit", "ZKTerminal", "ESCPOS", "Notices", "BadgeReaders", "CZlib", "XLSXWriter",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),  // the backups' checksums (Backup/)
                .product(name: "AsyncHTTPClient", package: "async-http-client"),  // forwarding to the county's centre (Central/)
            ],
            // The pages (HTML, CSS, JS; no build step), served under /pages: docs/pages.md.
            resources: [.copy("HTTP/Pages/site")],
            swiftSettings: strict
        ),
        // The county's centre (`countergate central`): receives the halls' forwarded records over HTTPS and writes them
        // into PostgreSQL exactly once; the county's views across halls. docs/central.md.
        .target(
            name: "CountyCentre",
            dependencies: [
                "CounterCore", "CounterTOML", "XLSXWriter",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "countergate",
            dependencies: [
                "Gateway", "CountyCentre", "CounterConfig", "CounterCore", "CounterStore", "ZKTerminal", "Simulators", "BadgeReaders", "DeviceKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                // The demo's simulator control (a test fake's loopback listener).
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        // A test and diagnostic tool: lists USB devices and printer interfaces as JSON, and sends bytes to a
        // printer address. The DeviceKit tests run it under umockdev; on a gateway it shows what libusb sees.
        .executableTarget(name: "usb-probe", dependencies: ["DeviceKit", "CounterCore"], path: "Sources/usb-probe", swiftSettings: strict),
        // A test and diagnostic tool: finds a wedge reader by its USB ids, grabs it and prints the cards as JSON.
        // The BadgeReaders tests run it under umockdev.
        .executableTarget(name: "reader-probe", dependencies: ["BadgeReaders", "DeviceKit"], path: "Sources/reader-probe", swiftSettings: strict),
        // Test support shared by the test targets (fakes of what the OS gives the gateway); never linked into it.
        .target(name: "CounterGateTestSupport", path: "Sources/CounterGateTestSupport", swiftSettings: strict),
        .testTarget(name: "CounterCoreTests", dependencies: ["CounterCore", "CounterGateTestSupport"], swiftSettings: strict),
        .testTarget(name: "ZKTerminalTests", dependencies: ["ZKTerminal", "Simulators", "CounterCore", "CounterGateTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "SimulatorsTests",
            dependencies: [
                "CounterGateTestSupport",
                "Simulators", "ZKTerminal", "ESCPOS", "DeviceKit", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // CFreeType: the raster tests draw the expected glyphs with FreeType themselves, not through our rasterizer.
        // CounterGateTestSupport: an ESC/POS raster reader of its own, independent of the encoder and decoder.
        .testTarget(name: "ESCPOSTests", dependencies: ["ESCPOS", "DeviceKit", "CFreeType", "CounterGateTestSupport"], swiftSettings: strict),
        .testTarget(name: "NoticesTests", dependencies: ["Notices", "ESCPOS", "CounterCore", "CFreeType", "CounterGateTestSupport"],
                    swiftSettings: strict),
        // usb-probe is a dependency so that it is built beside the tests, which run it under umockdev.
        .testTarget(name: "DeviceKitTests", dependencies: ["ESCPOS", "BadgeReaders", "DeviceKit", "CounterGateTestSupport", "usb-probe"], swiftSettings: strict),
        // reader-probe is a dependency so that it is built beside the tests, which run it under umockdev.
        .testTarget(name: "BadgeReadersTests", dependencies: ["BadgeReaders", "DeviceKit", "CounterGateTestSupport", "Simulators", "reader-probe"], swiftSettings: strict),
        .testTarget(name: "CounterTOMLTests", dependencies: ["CounterTOML", "CounterGateTestSupport"], swiftSettings: strict),
        .testTarget(name: "CounterConfigTests", dependencies: ["CounterConfig", "CounterTOML"], swiftSettings: strict),
        .testTarget(name: "CounterStoreTests", dependencies: ["CounterStore"], swiftSettings: strict),
        .testTarget(name: "CountyCentreTests", dependencies: ["CountyCentre", "CounterTOML"], swiftSettings: strict),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "CounterGateTestSupport", "Simulators", "ZKTerminal", "BadgeReaders",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["countergate", "CounterGateTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
    ]
)
