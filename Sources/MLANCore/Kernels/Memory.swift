#if canImport(Glibc)
import Glibc
#endif

/// Output buffers for the kernels, backed by transparent huge pages when they are large.
///
/// By default glibc serves every allocation of 32 MiB or more with a fresh `mmap` (unless the executable called
/// `Allocator.reuseFreedMemory()`), so each large tensor an op creates costs one page fault (and a kernel
/// zeroing) per 4 KiB on first touch: for a 64 MiB result that is 16 K faults, about three times the time of
/// the arithmetic; new heap pages cost the same the first time. Before a kernel writes such a buffer it asks for
/// huge pages (`madvise(MADV_HUGEPAGE)` on the 2 MiB-aligned interior), which cuts the faults 512-fold where
/// the system's transparent-huge-page mode is `madvise` or `always`. It is only a hint: values never change.
enum Memory {
    /// Buffers at least this large (bytes) get the huge-page hint: glibc's largest mmap threshold.
    static let hugePageThreshold = 32 << 20

    /// Hints that `bytes` at `pointer`, about to be written, should use transparent huge pages.
    @inline(__always)
    static func adviseHugePages(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        #if os(Linux)
        guard bytes >= hugePageThreshold else { return }
        let huge = UInt(2 << 20)
        let start = (UInt(bitPattern: pointer) + huge - 1) & ~(huge - 1)
        let end = (UInt(bitPattern: pointer) + UInt(bytes)) & ~(huge - 1)
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, Int(end - start), MADV_HUGEPAGE)
        #endif
    }

    /// An array of `count` floats that `body` must initialize completely.
    @inline(__always)
    static func floats(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0, let base = buffer.baseAddress {
                adviseHugePages(UnsafeMutableRawPointer(base), bytes: count * MemoryLayout<Float>.stride)
                body(base)
            }
            initialized = count
        }
    }

    /// An array of `count` zeros.
    @inline(__always)
    static func zeros(_ count: Int) -> [Float] {
        floats(count) { $0.initialize(repeating: 0, count: count) }
    }
}

/// How the C allocator serves tensor buffers, process-wide.
///
/// Every op returns a fresh array. glibc serves anything over 128 KiB (at most 32 MiB, its largest threshold)
/// with its own `mmap` and unmaps it on `free`, and returns freed heap to the kernel early, so each large tensor
/// costs a page fault and a kernel zeroing per 4 KiB, every step: for train L (200 MiB of logits and as much
/// gradient per step) 40 % of a step's profile was the kernel clearing new pages. Executables call
/// `reuseFreedMemory()` once at startup (`mlan`, `mlan-bench` do) so that freed buffers are reused instead.
public enum Allocator {
    /// glibc's `mallopt` parameters (`malloc.h`).
    private static let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3, mmapMaximum: Int32 = -4

    /// Serves every buffer from the heap (`M_MMAP_MAX` 0: no per-buffer `mmap`) and never returns freed heap to
    /// the kernel (`M_TRIM_THRESHOLD` -1), so a training step's large tensors reuse the pages of the previous
    /// step's. (A 1 GiB threshold was not enough: a SmolLM2-135M step frees more than that at its end, glibc gave
    /// it back, and 8 % of the next step was the kernel clearing the same pages again.) Values never change;
    /// resident memory stays at the process's peak. Large buffers still get huge pages (see `Memory`). Returns
    /// false where glibc's `mallopt` is unavailable (nothing changes then).
    @discardableResult
    public static func reuseFreedMemory() -> Bool {
        #if os(Linux)
        // mallopt is not in Swift's Glibc module; look it up in the process (RTLD_DEFAULT is a null handle).
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        return mallopt(mmapThreshold, Int32(Memory.hugePageThreshold)) == 1 && mallopt(mmapMaximum, 0) == 1
            && mallopt(trimThreshold, -1) == 1
        #else
        return false
        #endif
    }
}
