/// A layer or model that lists its parameters and submodules explicitly, under checkpoint keys.
///
/// ```swift
/// final class Pair: Module {
///     let first = Linear(4, 4, rng: &rng), second = Linear(4, 2, rng: &rng)
///     func visit(_ v: inout ParameterVisitor) { v.module("0", first); v.module("1", second) }
/// }
/// pair.namedParameters().map(\.name)  // ["0.weight", "0.bias", "1.weight", "1.bias"]
/// ```
/// Loading, freezing, the optimizer and parameter counts all go through `visit(_:)`.
public protocol Module: AnyObject {
    /// Reports each parameter with `v.parameter(_:_:)` and each submodule with `v.module(_:_:)`.
    func visit(_ v: inout ParameterVisitor)
}

/// Walks a module tree, handing every parameter to a callback with its dotted name.
public struct ParameterVisitor {
    private var prefix: String
    private let onParameter: (String, Tensor) -> Void
    private let onModule: (String, any Module) -> Void

    init(prefix: String = "", onParameter: @escaping (String, Tensor) -> Void,
         onModule: @escaping (String, any Module) -> Void = { _, _ in }) {
        self.prefix = prefix
        self.onParameter = onParameter
        self.onModule = onModule
    }

    /// Reports a parameter (nil, e.g. an absent bias, is skipped).
    public mutating func parameter(_ name: String, _ tensor: Tensor?) {
        guard let tensor else { return }
        onParameter(prefix + name, tensor)
    }

    /// Descends into a submodule under `name` (nil is skipped).
    public mutating func module(_ name: String, _ module: (any Module)?) {
        guard let module else { return }
        let saved = prefix
        prefix += name.isEmpty ? "" : name + "."
        onModule(String(prefix.dropLast()), module)
        module.visit(&self)
        prefix = saved
    }
}

/// A module whose behaviour differs between training and evaluation (dropout).
public protocol ModeDependent: AnyObject {
    var isTraining: Bool { get set }
}

extension Module {
    /// Every parameter with its dotted Hugging Face name, in visiting order.
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        var out: [(name: String, tensor: Tensor)] = []
        var visitor = ParameterVisitor(onParameter: { out.append(($0, $1)) })
        visit(&visitor)
        return out
    }

    /// The parameters that receive gradients (not frozen).
    public func trainableParameters() -> [(name: String, tensor: Tensor)] {
        namedParameters().filter { $0.tensor.requiresGrad }
    }

    /// Parameters by name.
    public func parameterDictionary() -> [String: Tensor] {
        Dictionary(namedParameters().map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
    }

    /// The number of scalars in all parameters.
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.tensor.count } }

    /// Every weight kept in stored form (`Linear` and `Embedding` over a `FrozenMatrix`) with its dotted name;
    /// these are not parameters.
    public func namedFrozenMatrices() -> [(name: String, matrix: FrozenMatrix)] {
        var out: [(name: String, matrix: FrozenMatrix)] = []
        func collect(_ name: String, _ module: any Module) {
            let frozen = (module as? Linear)?.frozenWeight ?? (module as? Embedding)?.frozenWeight
            if let frozen { out.append((name.isEmpty ? "weight" : name + ".weight", frozen)) }
        }
        collect("", self)
        var visitor = ParameterVisitor(onParameter: { _, _ in }, onModule: collect)
        visit(&visitor)
        return out
    }

    /// The bytes the weights occupy: 4 per parameter scalar plus the stored bytes of every frozen matrix.
    public var weightBytes: Int {
        4 * parameterCount + namedFrozenMatrices().reduce(0) { $0 + $1.matrix.byteCount }
    }

    /// Freezes (no gradient, skipped by optimizers) every parameter whose name starts with one of `prefixes`.
    public func freeze(prefixes: [String]) { setTrainable(false, prefixes: prefixes) }

    /// Unfreezes every parameter whose name starts with one of `prefixes` ("" matches all).
    public func unfreeze(prefixes: [String] = [""]) { setTrainable(true, prefixes: prefixes) }

    private func setTrainable(_ value: Bool, prefixes: [String]) {
        for (name, tensor) in namedParameters() where prefixes.contains(where: { name.hasPrefix($0) }) {
            tensor.setRequiresGrad(value)
        }
    }

    /// Clears the gradients of every parameter.
    public func zeroGrad() { for p in namedParameters() { p.tensor.zeroGrad() } }

    /// Switches dropout and other mode-dependent layers between training and evaluation.
    public func setTraining(_ training: Bool) {
        (self as? ModeDependent)?.isTraining = training
        var visitor = ParameterVisitor(onParameter: { _, _ in },
                                       onModule: { _, m in (m as? ModeDependent)?.isTraining = training })
        visit(&visitor)
    }
}
