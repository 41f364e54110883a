/// One micro world task example: the scene, the structured question, and the conversation built from them.
public struct MicroExample: Sendable, Hashable {
    /// Unique within a world: `"{split}-{cluster}-{modality}-{index}"`, e.g. `"train-counting-vision-00017"`.
    public var id: String
    public var cluster: MicroTaskCluster
    public var modality: MicroModality
    /// The scene the question is about (drawn as the image in the vision version).
    public var scene: Scene
    /// The question, from which ``answer`` was computed.
    public var query: SceneQuery
    /// The user turn: `<image>\n` or the scene's description, then the question and its instruction.
    public var prompt: String
    /// The assistant turn: one word, number, letter, yes/no or true/false.
    public var answer: String
    /// The image's path relative to the world's folder, for the vision version; nil for the language version.
    public var image: String?

    /// An example asking `query` about `scene`; its answer is computed from the scene.
    /// The query must be well posed for the scene (``SceneQuery/answer(in:)`` non-nil); `words` names the
    /// objects of the language version's description.
    public init(id: String, cluster: MicroTaskCluster, modality: MicroModality, scene: Scene, query: SceneQuery,
                image: String?, words: ObjectWords = .separate) {
        guard let answer = query.answer(in: scene) else {
            preconditionFailure("\(id): the query \(query) has no answer in its scene")
        }
        precondition((modality == .vision) == (image != nil), "\(id): a vision example needs an image, and only it")
        self.id = id
        self.cluster = cluster
        self.modality = modality
        self.scene = scene
        self.query = query
        self.prompt = MicroPrompt.userTurn(cluster, query: query, scene: scene, modality: modality, words: words)
        self.answer = answer
        self.image = image
    }

    /// The example as a one-exchange instruction record (v1 turns: user, then assistant), read from `file` at
    /// position `index`.
    public func record(file: String, index: Int) -> InstructionRecord {
        InstructionRecord(id: id, images: image.map { [$0] } ?? [],
                          turns: [Turn(.user, prompt), Turn(.assistant, answer)],
                          location: RecordLocation(file: file, index: index))
    }
}
