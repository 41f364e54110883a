import ArgumentParser
import MLANCore
import MLANData
import MLANEval
import MLANModel

// Library enums parse from flags here, once; ArgumentParser lists their values in `--help`.
extension EvalProtocol: ExpressibleByArgument {}
extension NLVRImageSelection: ExpressibleByArgument {}
extension DatasetFormat: ExpressibleByArgument {}
extension WeightForm: ExpressibleByArgument {}
extension ActivationPrecision: ExpressibleByArgument {}

extension EvalOptions.Limit: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}
