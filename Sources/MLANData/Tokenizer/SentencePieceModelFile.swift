import Foundation

extension SentencePieceVocabulary {
    /// Reads a SentencePiece `tokenizer.model`: a serialized `ModelProto`, parsed here from the protobuf wire
    /// format (no protobuf package).
    ///
    /// Read: `pieces` (1: piece, score, type), `trainer_spec` (2: `model_type` must be BPE; `byte_fallback`,
    /// `unk_id`, `bos_id`, `eos_id`, `pad_id`) and `normalizer_spec` (3: `add_dummy_prefix`,
    /// `remove_extra_whitespaces`, `escape_whitespaces`; the normalization must be the identity: rule name
    /// `identity` or no precompiled character map). Other fields are skipped.
    /// - Throws: `TokenizerError` naming the file and field: unreadable, malformed wire data, a unigram model, a
    ///   normalization rule MLAN does not implement.
    public static func load(modelFile url: URL) throws -> SentencePieceVocabulary {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TokenizerError.unreadable(file: url.path, reason: InputFile.reason(for: error))
        }
        return try SentencePieceVocabulary(modelProto: [UInt8](data), file: url.path)
    }

    /// Parses a serialized `ModelProto`; `file` appears in errors.
    /// - Throws: `TokenizerError` naming `file` and the field.
    public init(modelProto bytes: [UInt8], file: String = "<memory>") throws {
        var pieces: [Piece] = []
        var trainer = ProtoReader.Fields(), normalizer = ProtoReader.Fields()
        var reader = ProtoReader(bytes: bytes[...], file: file, message: "ModelProto")
        while let field = try reader.next() {
            switch field.number {
            case 1:
                let entry = try ProtoReader.Fields(field.bytes(), file: file, message: "pieces[\(pieces.count)]")
                let text = try entry.string(1) ?? ""
                let score = entry.fixed32(2).map { Float(bitPattern: $0) } ?? 0
                let rawType = entry.varint(3) ?? 1
                guard let type = PieceType(rawValue: Int(truncatingIfNeeded: rawType)) else {
                    throw TokenizerError.invalidField(file: file, field: "pieces[\(pieces.count)].type",
                                                      reason: "unknown piece type \(rawType)")
                }
                pieces.append(Piece(text, score: score, type: type))
            case 2: trainer = try ProtoReader.Fields(field.bytes(), file: file, message: "trainer_spec")
            case 3: normalizer = try ProtoReader.Fields(field.bytes(), file: file, message: "normalizer_spec")
            default: break
            }
        }
        guard !pieces.isEmpty else { throw TokenizerError.missingField(file: file, field: "pieces") }
        let modelType = trainer.varint(3) ?? 1
        guard modelType == 2 else {
            let names: [UInt64: String] = [1: "UNIGRAM", 3: "WORD", 4: "CHAR"]
            throw TokenizerError.unsupported(file: file, field: "trainer_spec.model_type",
                                             type: names[modelType] ?? "\(modelType)")
        }
        let ruleName = try normalizer.string(1) ?? ""
        let charsMap = normalizer.bytesField(2) ?? []
        guard ruleName == "identity" || charsMap.isEmpty else {
            throw TokenizerError.unsupported(file: file, field: "normalizer_spec.name", type: ruleName)
        }
        guard normalizer.varint(5).map({ $0 != 0 }) ?? true else {
            throw TokenizerError.unsupported(file: file, field: "normalizer_spec.escape_whitespaces", type: "false")
        }
        if trainer.varint(24).map({ $0 != 0 }) ?? false {
            throw TokenizerError.unsupported(file: file, field: "trainer_spec.treat_whitespace_as_suffix", type: "true")
        }
        func id(_ number: Int, _ name: String, default value: Int) throws -> Int? {
            let raw = Int(Int32(truncatingIfNeeded: trainer.varint(number) ?? UInt64(bitPattern: Int64(value))))
            guard raw >= 0 else { return nil }
            guard raw < pieces.count else {
                throw TokenizerError.invalidField(file: file, field: "trainer_spec.\(name)",
                                                  reason: "\(raw) is outside 0..<\(pieces.count)")
            }
            return raw
        }
        self.init(pieces: pieces,
                  addsDummyPrefix: normalizer.varint(3).map { $0 != 0 } ?? true,
                  removesExtraWhitespaces: normalizer.varint(4).map { $0 != 0 } ?? true,
                  usesByteFallback: trainer.varint(35).map { $0 != 0 } ?? false,
                  unknownID: try id(40, "unk_id", default: 0), bosID: try id(41, "bos_id", default: 1),
                  eosID: try id(42, "eos_id", default: 2), padID: try id(43, "pad_id", default: -1))
    }
}
