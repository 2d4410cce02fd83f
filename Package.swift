// swift-tools-version:6.1
import PackageDescription

/// DPDK needs the CPU's instruction set at compile time (rte_memcpy.h uses
/// SSSE3/AVX builtins); SwiftPM drops `-march` from pkg-config, so it is
/// given here, to C and to the Clang importer alike.
let dpdkC: [CSetting] = [.unsafeFlags(["-march=native", "-I/usr/include/dpdk", "-I/usr/include/x86_64-linux-gnu/dpdk"])]
let dpdkSwift: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-march=native", "-Xcc", "-I/usr/include/dpdk", "-Xcc", "-I/usr/include/x86_64-linux-gnu/dpdk"]),
]
let fast: [SwiftSetting] = dpdkSwift + [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]

let package = Package(
    name: "SwiftNFV",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "nfv", targets: ["nfv"]),
        .executable(name: "example-nf", targets: ["ExampleNF"]),
        .library(name: "NFVKit", targets: ["NFVKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The control API's HTTP server (no configuration-file support needed: traits off).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.14.0"),
        // Hummingbird's service runner, used directly to stop the API gracefully.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // The only C: static-inline accessors over DPDK and the shared-table layout.
        .systemLibrary(name: "CDPDK", path: "Sources/CDPDK"),
        // Value types: IDs, actions, chains, flow rules, configuration, statistics. No syscalls.
        .target(name: "NFVCore", dependencies: ["NFVPacket", .product(name: "Yams", package: "Yams")], swiftSettings: fast),
        // Packet parsing, rewriting and building over bounds-checked views. Pure Swift.
        .target(name: "NFVPacket", swiftSettings: [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]),
        // Classification: a decision tree over 5-field range rules, shared by the firewall and (next) the flow table.
        .target(name: "NFVClassify", swiftSettings: [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]),
        // Routing policy as pure values: the flow table (compiled rules, flow cache) and consistent hashing.
        .target(name: "NFVRouting", dependencies: ["NFVCore", "NFVPacket", "NFVClassify"], swiftSettings: [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]),
        // The shared-memory layer: EAL, packet pool, rings, shared table, doorbells.
        // The only home of raw pointers and atomics.
        .target(name: "NFVShared", dependencies: ["CDPDK", "NFVCore", "NFVPacket"], exclude: ["Models"], cSettings: dpdkC,
                swiftSettings: fast),
        // The NF manager: registry and lifecycle, the dataplane worker, statistics.
        .target(name: "NFVManager", dependencies: ["NFVShared", "NFVCore", "NFVRouting"], swiftSettings: fast),
        // The NF library: the protocol NF authors implement and the run loop.
        .target(name: "NFVKit", dependencies: ["NFVShared", "NFVCore", "NFVPacket"], swiftSettings: fast),
        // The control plane's server: the HTTP API (Unix socket, optional
        // loopback TCP with a bearer token), its OpenAPI document, the event
        // stream, Prometheus metrics and the web console. Off the packet path.
        .target(name: "NFVControl", dependencies: ["NFVCore",
                                                   .product(name: "Hummingbird", package: "hummingbird"),
                                                   .product(name: "Prometheus", package: "swift-prometheus"),
                                                   .product(name: "Logging", package: "swift-log"),
                                                   .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        // The client of the control API: typed calls over HTTP/1.1 on the
        // Unix socket or TCP, and the orchestration built on them (start a
        // platform, wait until ready) that nfv ctl, demo, bench and the
        // integration tests share. Foundation and sockets only.
        .target(name: "NFVOrchestration", dependencies: ["NFVCore"]),
        // Built-in network functions.
        .target(name: "NFVFunctions", dependencies: ["NFVKit", "NFVClassify"], swiftSettings: fast),
        // The `nfv` command: argument parsing, process orchestration for demo and bench.
        .executableTarget(
            name: "nfv",
            dependencies: ["NFVManager", "NFVKit", "NFVFunctions", "NFVCore", "NFVControl", "NFVOrchestration",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: fast),
        // An NF written outside the built-ins, showing the whole API.
        .executableTarget(name: "ExampleNF", dependencies: ["NFVKit"], path: "Examples/ExampleNF", swiftSettings: fast),
        // Helpers the test targets share (a seeded random generator).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "NFVCoreTests", dependencies: ["NFVCore", "NFVPacket"]),
        .testTarget(name: "NFVPacketTests", dependencies: ["NFVPacket", "TestSupport"]),
        .testTarget(name: "NFVRoutingTests", dependencies: ["NFVRouting", "NFVPacket", "TestSupport"]),
        .testTarget(name: "NFVClassifyTests", dependencies: ["NFVClassify", "TestSupport"]),
        .testTarget(name: "NFVFunctionsTests", dependencies: ["NFVFunctions", "NFVPacket", "TestSupport"], swiftSettings: dpdkSwift),
        .testTarget(name: "NFVSharedTests", dependencies: ["NFVShared", "NFVCore", "NFVRouting"], swiftSettings: dpdkSwift),
        .testTarget(name: "IntegrationTests", dependencies: ["NFVCore", "NFVOrchestration", "TestSupport"]),
    ]
)
