// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
  // Specialise generic numeric code (Tensor<Float>, kernels) across module boundaries.
  .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))
]

let package = Package(
  name: "csmed",
  products: [
    .executable(name: "csmed", targets: ["csmed"]),
    .library(name: "CSMeDCorpus", targets: ["Corpus"]),
    .library(name: "CSMeDIngest", targets: ["Ingest"]),
    .library(name: "CSMeDStore", targets: ["Store"]),
    .library(name: "CSMeDEvaluation", targets: ["Evaluation"]),
    .library(name: "CSMeDWorkflows", targets: ["Workflows"]),
  ],
  targets: [
    // MARK: C libraries from Debian (pkg-config + apt providers)
    .systemLibrary(
      name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
      providers: [.apt(["libsqlite3-dev"])]),
    .systemLibrary(
      name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0",
      providers: [.apt(["libxml2-dev"])]),
    .systemLibrary(
      name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]),
    // oneDNN's int8 GEMM (dnnl_gemm_u8s8s32) for int8 inference.
    .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
    .systemLibrary(
      name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
      providers: [.apt(["libzstd-dev"])]),

    // Our own C: the element-wise Float kernels, built per vector ISA and dispatched at load time.
    .target(name: "CKernels", path: "Sources/CKernels"),

    // MARK: Layers (dependencies point down only)
    // What kind of failure an error is (CategorizedError): every layer's error type adopts it.
    .target(name: "Failures", swiftSettings: strict),
    .target(name: "Corpus", swiftSettings: strict),
    .target(name: "Ingest", dependencies: ["Corpus", "CLibXML2", "Failures"], swiftSettings: strict),
    .target(name: "Store", dependencies: ["Corpus", "CSQLite", "CZstd", "Failures"], swiftSettings: strict),
    .target(name: "Evaluation", dependencies: ["Corpus", "Failures"], swiftSettings: strict),
    .target(name: "Text", dependencies: ["Corpus", "Failures"], swiftSettings: strict),
    .target(name: "Tensor", dependencies: ["COpenBLAS", "CDNNL", "CKernels", "Failures"], swiftSettings: strict),
    .target(name: "Encoder", dependencies: ["Tensor", "Text", "Failures"], swiftSettings: strict),
    .target(name: "Adapters", dependencies: ["Corpus", "Tensor", "Encoder", "Failures"], swiftSettings: strict),
    .target(name: "Screening", dependencies: ["Corpus", "Text", "Failures"], swiftSettings: strict),
    .target(name: "HTMLPage", dependencies: ["Text", "Evaluation", "Failures"], swiftSettings: strict),
    .target(
      name: "Workflows", dependencies: ["Corpus", "Ingest", "Store", "Evaluation", "Screening", "Text", "Encoder", "Tensor", "Adapters", "HTMLPage", "Failures"], swiftSettings: strict),
    .target(name: "CLIKit", dependencies: ["Failures"], swiftSettings: strict),
    .executableTarget(
      name: "csmed",
      dependencies: ["Workflows", "CLIKit", "Failures", "Corpus", "Evaluation", "Screening", "Store", "Tensor", "Encoder", "Adapters", "HTMLPage"], swiftSettings: strict),
    .executableTarget(name: "classical-bench", dependencies: ["Corpus", "Text", "Screening"], swiftSettings: strict),
    // Every reader of outside input under libFuzzer (scripts/fuzz.sh); a replay tool otherwise.
    .target(name: "CFuzzDriver", path: "Sources/CFuzzDriver"),
    .executableTarget(
      name: "csmed-fuzz", dependencies: ["Corpus", "Ingest", "Evaluation", "Screening", "Text", "Encoder", "Workflows", "CFuzzDriver"],
      path: "Sources/csmed-fuzz"),
    .target(name: "TestSupport", dependencies: ["Corpus", "Encoder"], path: "Sources/TestSupport"),

    // MARK: Tests (one per source target)
    .testTarget(name: "CorpusTests", dependencies: ["Corpus"]),
    .testTarget(name: "IngestTests", dependencies: ["Ingest", "Corpus", "TestSupport"]),
    .testTarget(name: "StoreTests", dependencies: ["Store", "Corpus", "TestSupport"]),
    .testTarget(
      name: "WorkflowsTests",
      dependencies: [
        "Workflows", "Ingest", "Store", "Corpus", "TestSupport", "Encoder", "Text", "Tensor", "HTMLPage", "Adapters", "Evaluation",
        "Screening",
      ]),
    .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Corpus"]),
    .testTarget(name: "HTMLPageTests", dependencies: ["HTMLPage"]),
    .testTarget(name: "TextTests", dependencies: ["Text"], resources: [.copy("Fixtures")]),
    .testTarget(name: "TensorTests", dependencies: ["Tensor", "COpenBLAS", "CKernels", "Corpus"]),
    .testTarget(name: "EncoderTests", dependencies: ["Encoder", "Tensor", "Text", "Corpus"], resources: [.copy("Fixtures")]),
    .testTarget(name: "AdaptersTests", dependencies: ["Adapters", "Encoder", "Tensor", "Corpus"]),
    .testTarget(name: "ScreeningTests", dependencies: ["Screening", "Text", "Corpus"], resources: [.copy("Fixtures")]),
    .testTarget(name: "CLIKitTests", dependencies: ["CLIKit"]),
    .testTarget(name: "CLITests", dependencies: ["TestSupport", "csmed", "Encoder", "Tensor", "Corpus"]),
  ],
  swiftLanguageModes: [.v6]
)
