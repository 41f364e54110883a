/// FNV-1a, 64-bit: a small hash of bytes that, unlike `Hasher`, gives the same value on every machine, run and
/// Swift version, for seeds and fingerprints.
public struct FNV1a: Sendable, Equatable {
    /// The hash of everything mixed in so far.
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    /// The hash of nothing (FNV's offset basis).
    public init() {}

    /// Mixes in `bytes`, in order.
    public mutating func mix(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    }

    /// Mixes in the eight little-endian bytes of `number`.
    public mutating func mix(_ number: UInt64) {
        withUnsafeBytes(of: number.littleEndian) { mix($0) }
    }
}
