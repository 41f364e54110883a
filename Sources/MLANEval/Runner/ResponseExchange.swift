import MLANDistributed

/// Shares the responses each process of a sharded evaluation computed (batches `rank, rank + N, …`) with every
/// process, as bytes: exact doubles and UTF-8 text, so every rank then scores the very responses one process
/// would have. A rank that failed sends its error instead, and every rank then throws.
enum ResponseExchange {
    /// Every rank's batches, keyed by batch index; throws the first failure in rank order.
    /// - Throws: `EvalError.otherRankFailed` when another rank failed, this rank's `local` error when it failed.
    static func allGather(_ local: Result<[Int: [[Response]]], any Error>,
                          over communicator: any Communicator) throws -> [Int: [[Response]]] {
        var writer = Writer()
        switch local {
        case .success(let batches):
            writer.byte(0)
            writer.int(batches.count)
            for index in batches.keys.sorted() {
                writer.int(index)
                writer.int(batches[index]!.count)
                for responses in batches[index]! {
                    writer.int(responses.count)
                    for response in responses { writer.response(response) }
                }
            }
        case .failure(let error):
            writer.byte(1)
            writer.text(String(describing: error))
        }
        var all: [Int: [[Response]]] = [:]
        for (rank, bytes) in communicator.allGather(bytes: writer.bytes).enumerated() {
            var reader = Reader(bytes: bytes)
            if reader.byte() == 1 {
                if rank == communicator.rank, case .failure(let error) = local { throw error }
                throw EvalError.otherRankFailed(rank: rank, message: reader.text())
            }
            for _ in 0..<reader.int() {
                let index = reader.int()
                all[index] = (0..<reader.int()).map { _ in (0..<reader.int()).map { _ in reader.response() } }
            }
        }
        return all
    }

    private struct Writer {
        var bytes: [UInt8] = []
        mutating func byte(_ value: UInt8) { bytes.append(value) }
        mutating func int(_ value: Int) { withUnsafeBytes(of: Int64(value).littleEndian) { bytes += $0 } }
        mutating func double(_ value: Double) { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        mutating func text(_ value: String) {
            let utf8 = Array(value.utf8)
            int(utf8.count)
            bytes += utf8
        }
        mutating func response(_ response: Response) {
            switch response {
            case .loglikelihood(let result):
                byte(0)
                double(result.logprob)
                byte(result.isGreedy ? 1 : 0)
            case .loglikelihoodRolling(let logprob):
                byte(1)
                double(logprob)
            case .generation(let text):
                byte(2)
                self.text(text)
            }
        }
    }

    /// Reads what `Writer` wrote (bytes from this same program on another rank).
    private struct Reader {
        let bytes: [UInt8]
        var position = 0
        mutating func byte() -> UInt8 {
            defer { position += 1 }
            return bytes[position]
        }
        mutating func word() -> UInt64 {
            var value: UInt64 = 0
            for k in 0..<8 { value |= UInt64(bytes[position + k]) << (8 * UInt64(k)) }
            position += 8
            return value
        }
        mutating func int() -> Int { Int(Int64(bitPattern: word())) }
        mutating func double() -> Double { Double(bitPattern: word()) }
        mutating func text() -> String {
            let count = int()
            defer { position += count }
            return String(decoding: bytes[position..<position + count], as: UTF8.self)
        }
        mutating func response() -> Response {
            switch byte() {
            case 0: let logprob = double(); return .loglikelihood(LoglikelihoodResult(logprob: logprob, isGreedy: byte() == 1))
            case 1: return .loglikelihoodRolling(double())
            default: return .generation(text())
            }
        }
    }
}
