import ArgumentParser
import MLANEval

// Library enums parse from flags here, once; ArgumentParser lists their values in `--help`.
extension EvalProtocol: ExpressibleByArgument {}
extension NLVRImageSelection: ExpressibleByArgument {}

extension EvalOptions.Limit: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}
