import Foundation

// libFuzzer's entry points. One binary holds every target; `MLAN_FUZZ_TARGET` picks the one a run exercises
// (`make fuzz` sets it), so the instrumented library is linked once.

/// The target chosen for this process.
nonisolated(unsafe) private var selected: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    let name = ProcessInfo.processInfo.environment["MLAN_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget.all.first(where: { $0.name == name }) else {
        let names = FuzzTarget.all.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(Data("mlan-fuzz: set MLAN_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    target.prepare()
    if let seeds = ProcessInfo.processInfo.environment["MLAN_FUZZ_WRITE_SEEDS"] {
        target.writeSeeds(URL(fileURLWithPath: seeds))
    }
    selected = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selected?.run(bytes)
    return 0
}
