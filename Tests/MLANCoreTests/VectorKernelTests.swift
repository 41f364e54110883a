import CKernels
import Testing
@testable import MLANCore

/// The run-time-dispatched C kernels (`CKernels`) against their scalar formulas, every width this CPU has.
@Suite struct VectorKernelTests {
    /// The widths this CPU can run: the baseline always, AVX2 and AVX-512 where present.
    static var widths: [Int32] { [128, 256, 512].filter { $0 <= mlan_vector_width() } }

    @Test func adamWUpdateIsTheScalarFormulaBitForBit() {
        var rng = SplitMix64(seed: 21)
        let n = 1003  // a ragged tail for every vector width
        let w0 = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
        let g = (0..<n).map { _ in Float.random(in: -2...2, using: &rng) }
        let m0 = (0..<n).map { _ in Float.random(in: -0.1...0.1, using: &rng) }
        let v0 = (0..<n).map { _ in Float.random(in: 0...0.01, using: &rng) }
        let (decay, aw, b2, sw, bc2, eps, step): (Float, Float, Float, Float, Float, Float, Float) =
            (0.9999, 0.1, 0.999, 0.001, 0.0447, 1e-8, -0.0031)
        // The formula as torch.optim.AdamW (single tensor) rounds it, one operation at a time.
        var (we, me, ve) = (w0, m0, v0)
        for i in 0..<n {
            we[i] *= decay
            me[i] = me[i] + aw * (g[i] - me[i])
            ve[i] = ve[i] * b2 + sw * g[i] * g[i]
            let denom = ve[i].squareRoot() / bc2 + eps
            we[i] = we[i] + step * me[i] / denom
        }
        #expect(!Self.widths.isEmpty && Self.widths.first == 128)
        for width in Self.widths {
            var (w, m, v) = (w0, m0, v0)
            mlan_adamw_update_width(width, &w, &m, &v, g, n, decay, aw, b2, sw, bc2, eps, step)
            #expect(w.map(\.bitPattern) == we.map(\.bitPattern), "width \(width): weights")
            #expect(m.map(\.bitPattern) == me.map(\.bitPattern), "width \(width): first moment")
            #expect(v.map(\.bitPattern) == ve.map(\.bitPattern), "width \(width): second moment")
        }
    }
}
