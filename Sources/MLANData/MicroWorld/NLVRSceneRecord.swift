import Foundation

/// One record of NLVR's `test.json` (JSON Lines) with its `structured_rep` decoded as a ``Scene``, so the micro
/// world's renderer and questions apply to real NLVR scenes.
public struct NLVRSceneRecord: Sendable, Hashable {
    /// NLVR's `identifier`, e.g. `"3776-0"`.
    public var identifier: String
    /// NLVR's `directory` (the image subfolder), e.g. `"2"`.
    public var directory: String
    /// The statement about the image.
    public var sentence: String
    /// Whether the statement is true (`label` `"true"`).
    public var label: Bool
    /// The scene of permutation 0 (`structured_rep`).
    public var scene: Scene

    public init(identifier: String, directory: String, sentence: String, label: Bool, scene: Scene) {
        self.identifier = identifier
        self.directory = directory
        self.sentence = sentence
        self.label = label
        self.scene = scene
    }

    /// The image of box permutation `permutation` (0–5) relative to the test folder:
    /// `"images/{directory}/test-{identifier}-{permutation}.png"`. Permutation 0 shows ``scene``'s box order.
    public func imagePath(permutation: Int = 0) -> String {
        "images/\(directory)/test-\(identifier)-\(permutation).png"
    }

    /// Every record of an NLVR JSON Lines file (blank lines are skipped; they are not records).
    /// - Throws: `MicroWorldError.unreadableNLVR` if the file cannot be read, `.malformedNLVR` naming the line and
    ///   the field of the first invalid record.
    public static func load(from url: URL) throws -> [NLVRSceneRecord] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw MicroWorldError.unreadableNLVR(file: url.path, reason: InputFile.reason(for: error))
        }
        let decoder = JSONDecoder()
        var records: [NLVRSceneRecord] = []
        for (offset, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else { continue }
            let raw: Raw
            do { raw = try decoder.decode(Raw.self, from: Data(line)) } catch let error as DecodingError {
                let (field, reason) = Self.explain(error)
                throw MicroWorldError.malformedNLVR(file: url.path, line: offset + 1, field: field, reason: reason)
            } catch {
                throw MicroWorldError.malformedNLVR(file: url.path, line: offset + 1, field: "",
                                                    reason: String(describing: error))
            }
            guard raw.label == "true" || raw.label == "false" else {
                throw MicroWorldError.malformedNLVR(file: url.path, line: offset + 1, field: "label",
                                                    reason: "expected \"true\" or \"false\", found \"\(raw.label)\"")
            }
            records.append(NLVRSceneRecord(identifier: raw.identifier, directory: raw.directory,
                                           sentence: raw.sentence, label: raw.label == "true",
                                           scene: raw.structuredRep))
        }
        return records
    }

    /// The fields read from one line.
    private struct Raw: Decodable {
        var identifier: String
        var directory: String
        var sentence: String
        var label: String
        var structuredRep: Scene

        enum CodingKeys: String, CodingKey {
            case identifier, directory, sentence, label, structuredRep = "structured_rep"
        }
    }

    /// The JSON path (`structured_rep[1][2].color`) and the reason of a decoding error.
    private static func explain(_ error: DecodingError) -> (field: String, reason: String) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce("") { text, key in
                if let index = key.intValue { return text + "[\(index)]" }
                return text.isEmpty ? key.stringValue : text + "." + key.stringValue
            }
        }
        switch error {
        case .keyNotFound(let key, let context): return (path(context.codingPath + [key]), "missing")
        case .typeMismatch(let type, let context): return (path(context.codingPath), "expected \(type)")
        case .valueNotFound(let type, let context): return (path(context.codingPath), "expected \(type), found null")
        case .dataCorrupted(let context): return (path(context.codingPath), context.debugDescription)
        @unknown default: return ("", String(describing: error))
        }
    }
}
