import CKernels

/// Vectorizable single-precision exponential, shared by softmax, attention, cross-entropy and the activations.
///
/// `Foundation.exp` is a scalar libm call per element; softmax over a `[16, 577, 577]` score tensor spends
/// most of its time there. `FastMath.exp` uses Cody–Waite range reduction `x = n·ln2 + r` (|r| ≤ ln2/2) and
/// Cephes' degree-6 polynomial for e^r, then scales by 2^n in two steps so subnormal results come out right.
/// Its error is within 2 ulp of `Foundation.exp` over the whole Float range (`FastMathTests`), it returns
/// +inf above ≈ 88.72, 0 below ≈ -103.97 and propagates NaN. The scalar and SIMD forms run the same
/// operations in the same order, so they give identical bits: results do not depend on how an array is split.
enum FastMath {
    // Rounding by adding and subtracting 1.5·2^23 gives round-to-nearest-even for |v| < 2^22 without SSE4.1.
    @usableFromInline static let roundingMagic: Float = 12_582_912
    @usableFromInline static let log2e: Float = 1.442_695_040_888_963_4
    @usableFromInline static let ln2High: Float = 0.693_359_375  // exactly representable, few mantissa bits
    @usableFromInline static let ln2Low: Float = -2.121_944_400_546_905_8e-4
    @usableFromInline static let upper: Float = 89  // exp(89) overflows to +inf after scaling
    @usableFromInline static let lower: Float = -104  // exp(-104) rounds to 0
    @usableFromInline static let p0: Float = 1.987_569_150_0e-4
    @usableFromInline static let p1: Float = 1.398_199_950_7e-3
    @usableFromInline static let p2: Float = 8.333_451_907_3e-3
    @usableFromInline static let p3: Float = 4.166_579_589_4e-2
    @usableFromInline static let p4: Float = 1.666_666_545_9e-1
    @usableFromInline static let p5: Float = 5.000_000_120_1e-1

    /// e^x for one scalar (bit-identical to each lane of the SIMD form).
    @inline(__always) @usableFromInline
    static func exp(_ x: Float) -> Float {
        // Comparisons are false for NaN, which then flows through the arithmetic and comes out as NaN.
        var c = x < lower ? lower : x
        c = c > upper ? upper : c
        let t = c * log2e + roundingMagic
        let n = t - roundingMagic
        let r = (c - n * ln2High) - n * ln2Low
        let z = r * r
        var p = p0 * r + p1
        p = p * r + p2
        p = p * r + p3
        p = p * r + p4
        p = p * r + p5
        p = p * z + r + 1
        // n = bits(t) - bits(1.5·2^23); 2^n = 2^(n >> 1) · 2^(n - n >> 1), each a normal number.
        let k = Int32(bitPattern: t.bitPattern) &- 0x4B40_0000
        let k1 = k >> 1, k2 = k &- k1
        let s1 = Float(bitPattern: UInt32(bitPattern: (k1 &+ 127) << 23))
        let s2 = Float(bitPattern: UInt32(bitPattern: (k2 &+ 127) << 23))
        let result = p * s1 * s2
        return x.isNaN ? x : result
    }

    /// e^x lane by lane.
    @inline(__always) @usableFromInline
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var c = x.replacing(with: lower, where: x .< lower)
        c.replace(with: upper, where: c .> upper)
        let t = c * log2e + roundingMagic
        let n = t - roundingMagic
        let r = (c - n * ln2High) - n * ln2Low
        let z = r * r
        var p = p0 * r + p1
        p = p * r + p2
        p = p * r + p3
        p = p * r + p4
        p = p * r + p5
        p = p * z + r + 1
        let k = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let k1 = k &>> 1, k2 = k &- k1
        let s1 = unsafeBitCast((k1 &+ 127) &<< 23, to: SIMD8<Float>.self)
        let s2 = unsafeBitCast((k2 &+ 127) &<< 23, to: SIMD8<Float>.self)
        let result = p * s1 * s2
        return result.replacing(with: x, where: x .!= x)  // NaN in, NaN out
    }

    /// Eight floats as doubles.
    @inline(__always) @usableFromInline
    static func widen(_ v: SIMD8<Float>) -> SIMD8<Double> {
        SIMD8<Double>(Double(v[0]), Double(v[1]), Double(v[2]), Double(v[3]),
                      Double(v[4]), Double(v[5]), Double(v[6]), Double(v[7]))
    }

    /// Writes e^(x[i] + shift) to `y[i]` for `count` scalars and returns their sum, accumulated in Double in a
    /// fixed order (eight lanes, then the lanes in order, then the tail). Runs `CKernels`' AVX2 loop where the CPU
    /// has it (the same operations as `exp`, so the same bits as the Swift form at any width).
    @inline(__always) @usableFromInline
    static func expAndSum(_ x: UnsafePointer<Float>, shift: Float, into y: UnsafeMutablePointer<Float>?,
                          count: Int) -> Double {
        mlan_exp_and_sum(vectorWidth, x, shift, y, count)
    }

    /// The width `CKernels`' loops run at on this CPU (`mlan_vector_width()`).
    @usableFromInline static let vectorWidth: Int32 = mlan_vector_width()

    /// The largest of `count` scalars (-inf when empty).
    @inline(__always) @usableFromInline
    static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var i = 0
        var peak: Float = -.infinity
        if count >= 8 {
            var lanes = SIMD8<Float>(repeating: -.infinity)
            while i + 8 <= count {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                lanes.replace(with: v, where: v .> lanes)
                i += 8
            }
            for l in 0..<8 where lanes[l] > peak { peak = lanes[l] }
        }
        while i < count {
            if x[i] > peak { peak = x[i] }
            i += 1
        }
        return peak
    }

    /// Σ a[i]·b[i], each product rounded to Float and accumulated in Double (eight lanes, then in order).
    @inline(__always) @usableFromInline
    static func dotProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
        var lanes = SIMD8<Double>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            lanes += widen(UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self))
            i += 8
        }
        var total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
        while i < count { total += Double(a[i] * b[i]); i += 1 }
        return total
    }

    /// Σ x[i] accumulated in Double (eight lanes, then in order).
    @inline(__always) @usableFromInline
    static func sum(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var lanes = SIMD8<Double>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            lanes += widen(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self))
            i += 8
        }
        var total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
        while i < count { total += Double(x[i]); i += 1 }
        return total
    }

    /// Σ x[i]² with each square taken in Double, accumulated in Double (eight lanes, then in order).
    @inline(__always) @usableFromInline
    static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var lanes = SIMD8<Double>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            let v = widen(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self))
            lanes += v * v
            i += 8
        }
        var total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
        while i < count { let v = Double(x[i]); total += v * v; i += 1 }
        return total
    }
}
