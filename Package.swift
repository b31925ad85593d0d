// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "parley",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "parley", targets: ["parley"])
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C shims: typed wrappers around variadic C APIs.
        .target(
            name: "CLineEdit",
            // libedit is loaded with dlopen when a line editor is made (see CLineEdit.c), not linked.
            linkerSettings: [.linkedLibrary("dl")]
        ),
        .target(
            name: "CCurl",
            // libcurl is loaded with dlopen on first use (see CCurl.c), not linked.
            linkerSettings: [.linkedLibrary("dl")]
        ),
        .target(
            name: "CPostgres",
            // libpq is loaded with dlopen on first use (see CPostgres.c), not linked.
            linkerSettings: [.linkedLibrary("dl")]
        ),

        // Core: model, access rules, queue rules, clock. No I/O.
        .target(
            name: "ParleyCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Store: SQLite through GRDB; PostgreSQL through libpq (CPostgres).
        .target(
            name: "ParleyStore",
            dependencies: [
                "ParleyCore", "CPostgres", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // X channel client over libcurl. Knows nothing of the shell.
        .target(
            name: "ParleyX",
            dependencies: [
                "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Shell library: language, command table, completion, output, script runner. No libedit.
        .target(
            name: "ParleyShell",
            dependencies: ["ParleyCore", "ParleyStore", "ParleyX"]
        ),
        // The terminal: line editing (libedit) and secret prompts. Knows nothing of parley's commands.
        .target(name: "ParleyTerminal", dependencies: ["CLineEdit"]),
        // The executable: process flags and wiring of the shell to the terminal.
        .executableTarget(
            name: "parley",
            dependencies: [
                "ParleyShell", "ParleyTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // A small line-editor driver for the terminal tests (Tests/terminal/test_line_editor.py).
        .executableTarget(name: "parley-line-demo", dependencies: ["ParleyCore", "ParleyTerminal"]),

        // Benchmarks (scripts/bench): in-process timings of parley's hot paths.
        .executableTarget(
            name: "parley-bench",
            dependencies: ["ParleyShell", "ParleyStore", "ParleyCore"],
            path: "Sources/ParleyBench"
        ),

        // What the Swift tests share: a fixed clock, a shell with captured output.
        .target(
            name: "ParleyTestSupport", dependencies: ["ParleyCore", "ParleyShell", "ParleyStore"],
            path: "Tests/ParleyTestSupport"),

        .testTarget(name: "ParleyCoreTests", dependencies: ["ParleyCore"]),
        .testTarget(
            name: "ParleyReliabilityTests",
            dependencies: ["ParleyShell", "ParleyStore", "ParleyCore", "ParleyTestSupport"]),
        .testTarget(name: "ParleyStoreTests", dependencies: ["ParleyStore", "ParleyCore", "ParleyTestSupport"]),
        .testTarget(
            name: "ParleyShellTests", dependencies: ["ParleyShell", "ParleyStore", "ParleyCore", "ParleyTestSupport"]),
        .testTarget(name: "ParleyXTests", dependencies: ["ParleyX"]),
        .testTarget(name: "ParleyProcessTests", dependencies: ["parley", "ParleyTestSupport"]),
    ]
)
