// swift-tools-version:6.1
import PackageDescription

/// dsconsole: a terminal console for deepstream.io RPCs.
///
/// One module per concern; arrows of `import` point down the list only:
/// DeepstreamProtocol ← DeepstreamBroker / DeepstreamClient / MockProviders / ConsoleCore ← ConsoleTerminal ←
/// dsconsole; DeepstreamProtocol ← RPCSteering ← DeepstreamBroker / ConsoleCore (the Rules overlay). EventLoopPacing
/// (NIO only) ← DeepstreamBroker / DeepstreamProxy. ConsoleCore sees the engine only through DeepstreamProtocol's observation vocabulary.
///
/// Linux only (glibc): the terminal code, the signal handling and the child-process tests are written
/// against glibc, so the package claims no Apple platform (docs/decisions.md).
let package = Package(
    name: "dsconsole",
    products: [
        .library(name: "DeepstreamProtocol", targets: ["DeepstreamProtocol"]),
        .library(name: "DeepstreamClient", targets: ["DeepstreamClient"]),
        .library(name: "DeepstreamBroker", targets: ["DeepstreamBroker"]),
        .library(name: "DeepstreamProxy", targets: ["DeepstreamProxy"]),
        .executable(name: "dsconsole", targets: ["dsconsole"]),
        .executable(name: "protocol-benchmark", targets: ["ProtocolBenchmark"]),
        .executable(name: "broker-benchmark", targets: ["BrokerBenchmark"]),
        .executable(name: "attack-benchmark", targets: ["AttackBenchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
    ],
    targets: [
        // Pure: message model, JSON value, ws-binary and ws-json codecs. No dependencies.
        .target(
            name: "DeepstreamProtocol",
            // Double rounding in the stdlib is inlined as calls into libm, which is not linked by default.
            linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]
        ),

        // What a NIO event loop does between reads: busy-polling (`--busy-poll`, broker and proxy) and
        // read coalescing (`--coalesce-reads`, broker); each a pure policy and a thin NIO driver.
        .target(
            name: "EventLoopPacing",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),

        // Embedded deepstream-compatible RPC broker: pure routing state machine + NIO server.
        .target(
            name: "DeepstreamBroker",
            dependencies: [
                "DeepstreamProtocol", "RPCSteering", "EventLoopPacing",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                // Only the configuration layer imports it, to read deepstream's own YAML files.
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // Client engine: connection state machine (pure) + ClientEngine actor over NIO WebSockets.
        .target(
            name: "DeepstreamClient",
            dependencies: [
                "DeepstreamProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Byte-forwarding proxy in front of a real deepstream server: NIO forwarding path + pure observer
        // that turns the forwarded frames into the broker tap's TrafficEvent vocabulary.
        .target(
            name: "DeepstreamProxy",
            dependencies: [
                "DeepstreamProtocol", "RPCSteering", "EventLoopPacing",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // Pure mock-provider behaviours and the providers file format, shared by the console and the
        // headless `provide` command.
        .target(name: "MockProviders", dependencies: ["DeepstreamProtocol"]),

        // deepstream's Redis cluster bus: RESP2 codec, read-only pub/sub client (NIO) and the pure
        // ClusterObserver that turns bus messages into nodes, providers and cross-node calls.
        .target(
            name: "DeepstreamCluster",
            dependencies: [
                "DeepstreamProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),

        // Pure steering rules (issue 13): the rules file, glob matching and the per-call decision that the
        // embedded broker (and later the proxy) takes before forwarding.
        .target(name: "RPCSteering", dependencies: ["DeepstreamProtocol"]),

        // Pure per-RPC statistics (counts by outcome, HdrHistogram latencies, rates), shared by the
        // console's Stats view and `watch --stats`.
        .target(
            name: "CallStatistics",
            dependencies: ["DeepstreamProtocol", .product(name: "Histogram", package: "hdrhistogram-swift")]
        ),

        // Pure recording format (JSON Lines, one ended call per line) shared by `record`, the console's `w`
        // and, later, `open`/`replay`.
        .target(name: "CallRecording", dependencies: ["DeepstreamProtocol", "CallStatistics"]),

        // Pure console state, actions, reducer, call log, stats, filters, keymap, themes model. It sees the
        // engine only through DeepstreamProtocol's observation vocabulary, so it links no NIO.
        .target(name: "ConsoleCore", dependencies: ["DeepstreamProtocol", "CallStatistics", "CallRecording", "RPCSteering"]),

        // C shim over ncursesw (wide characters).
        .systemLibrary(
            name: "CNcursesw",
            pkgConfig: "ncursesw",
            providers: [.apt(["libncursesw5-dev"])]
        ),

        // Screen buffer, views, key decoding and the ncurses backend.
        .target(name: "ConsoleTerminal", dependencies: ["ConsoleCore", "CNcursesw"]),

        // The executable: argument parsing and wiring of every module.
        .executableTarget(
            name: "dsconsole",
            dependencies: [
                "DeepstreamProtocol", "DeepstreamClient", "DeepstreamBroker", "DeepstreamProxy", "DeepstreamCluster", "EventLoopPacing",
                "MockProviders", "RPCSteering", "CallStatistics", "CallRecording", "ConsoleCore", "ConsoleTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),

        .executableTarget(
            name: "ProtocolBenchmark",
            dependencies: ["DeepstreamProtocol"],
            path: "Benchmarks/ProtocolBenchmark"
        ),

        .executableTarget(
            name: "BrokerBenchmark",
            dependencies: [
                "DeepstreamBroker", "DeepstreamProtocol", "RPCSteering",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Benchmarks/BrokerBenchmark"
        ),

        // Denial-of-service figures against a spawned `dsconsole serve` (issue 9).
        .executableTarget(
            name: "AttackBenchmark",
            dependencies: [
                "DeepstreamProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Benchmarks/AttackBenchmark"
        ),

        .testTarget(
            name: "DeepstreamProtocolTests",
            dependencies: ["DeepstreamProtocol"],
            exclude: ["Vectors/generate_capture_vectors.py"]
        ),
        .testTarget(
            name: "DeepstreamBrokerTests",
            dependencies: ["DeepstreamBroker", "DeepstreamProtocol", "RPCSteering", "EventLoopPacing"],
            exclude: ["Vectors/generate_replay_scripts.py"]
        ),
        // Shared test utilities (ManualClock). A plain target under Tests/ so only test targets use it.
        .target(
            name: "TestSupport",
            dependencies: ["DeepstreamCluster", .product(name: "NIOSSL", package: "swift-nio-ssl")],
            path: "Tests/TestSupport"
        ),

        .testTarget(
            name: "DeepstreamClientTests",
            dependencies: ["DeepstreamClient", "DeepstreamBroker", "DeepstreamProtocol", "RPCSteering", "TestSupport"]
        ),
        .testTarget(
            name: "DeepstreamProxyTests",
            dependencies: [
                "DeepstreamProxy", "DeepstreamBroker", "DeepstreamClient", "DeepstreamProtocol", "RPCSteering", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            exclude: ["Vectors/generate_vectors.py"]
        ),
        .testTarget(
            name: "DeepstreamClusterTests",
            dependencies: ["DeepstreamCluster", "DeepstreamProtocol", "TestSupport"],
            exclude: ["Vectors/generate_cluster_vectors.py"]
        ),
        .testTarget(name: "EventLoopPacingTests", dependencies: ["EventLoopPacing"]),
        .testTarget(name: "MockProvidersTests", dependencies: ["MockProviders"]),
        .testTarget(name: "RPCSteeringTests", dependencies: ["RPCSteering", "DeepstreamProtocol"]),
        .testTarget(name: "CallStatisticsTests", dependencies: ["CallStatistics", "DeepstreamProtocol"]),
        .testTarget(name: "CallRecordingTests", dependencies: ["CallRecording", "CallStatistics", "DeepstreamProtocol"]),
        .testTarget(name: "ConsoleCoreTests", dependencies: ["ConsoleCore", "CallStatistics", "CallRecording", "RPCSteering"]),
        .testTarget(name: "ConsoleTerminalTests", dependencies: ["ConsoleTerminal", "ConsoleCore"]),
        .testTarget(
            name: "dsconsoleTests",
            dependencies: [
                "dsconsole", "CallRecording", "DeepstreamClient", "DeepstreamBroker", "DeepstreamCluster", "DeepstreamProtocol",
                "TestSupport",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
