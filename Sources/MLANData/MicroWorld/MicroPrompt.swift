import Foundation

/// The user turns of micro world tasks. The scene comes first: `<image>\n` in the vision version, the scene's
/// description in the language version; then the cluster's instruction, modelled on the prompt of the paper's
/// dataset it stands in for.
///
/// - Trained clusters (VQA/GQA style): `"{scene}{question}\nAnswer the question using a single word or phrase."`
/// - Existence (POPE): `"{scene}Please answer with \"yes\" or \"no\":\n{question}\n"`
/// - Multiple choice (ScienceQA): `"{scene}Question: {question} Choose the best option from below:\nA: …\nB: …\n"`,
///   the language version giving the scene as `"Context: {description}\n"`
/// - Boolean statement (BoolQ/NLVR): `"{scene}Statement: {statement}. True or false?"`
///
/// `{scene}` is `"<image>\n"` or `"Scene: {description}\n"`.
public enum MicroPrompt {
    /// The instruction after a trained cluster's question (LLaVA-1.5's short-answer VQA instruction).
    public static let shortAnswerInstruction = "Answer the question using a single word or phrase."
    /// The instruction before an existence question (the paper's POPE prompt).
    public static let yesNoInstruction = "Please answer with \"yes\" or \"no\":"
    /// What follows a multiple-choice question, before the options (the paper's ScienceQA prompt).
    public static let chooseInstruction = " Choose the best option from below:\n"
    /// What follows a statement.
    public static let trueFalseInstruction = " True or false?"
    /// The labels that open the scene's description in a language prompt (`Context: ` in multiple choice).
    public static let sceneLabel = "Scene: ", contextLabel = "Context: "
    /// The instructions only held-out clusters use; no training file contains any of them (compared ignoring
    /// case), so a held-out prompt is new to every tuned model.
    public static let heldOutInstructions = [yesNoInstruction, "Choose the best option from below:", "True or false?"]

    /// True when `text` contains a held-out instruction, compared on letters and digits alone (ignoring case,
    /// spaces and punctuation), so "answer true or false." counts as containing "True or false?".
    public static func containsHeldOutInstruction(_ text: String) -> Bool {
        let letters = lettersAndDigits(text)
        return heldOutLetters.contains { letters.contains($0) }
    }

    private static let heldOutLetters = heldOutInstructions.map(lettersAndDigits)

    private static func lettersAndDigits(_ text: String) -> String {
        String(String.UnicodeScalarView(text.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }))
    }

    /// The user turn asking `query` about `scene` in `modality`, as `cluster` phrases it; `words` names the
    /// description's objects.
    public static func userTurn(_ cluster: MicroTaskCluster, query: SceneQuery, scene: Scene,
                                modality: MicroModality, words: ObjectWords = .separate) -> String {
        let description = SceneDescriber.description(scene, words: words)
        let lead = modality == .vision ? InstructionRecord.imageToken + "\n" : sceneLabel + description + "\n"
        switch cluster {
        case .counting, .attribute, .spatial, .comparison, .shortAnswer:
            return lead + query.question + "\n" + shortAnswerInstruction
        case .existence:
            return lead + yesNoInstruction + "\n" + query.question + "\n"
        case .multipleChoice:
            let context = modality == .vision ? InstructionRecord.imageToken + "\n" : contextLabel + description + "\n"
            guard case .choice(_, let options) = query else {
                preconditionFailure("a multiple-choice prompt needs a .choice query, got \(query)")
            }
            let block = zip(SceneQuery.optionLetters, options).map { "\($0): \($1)\n" }.joined()
            return context + "Question: " + query.question + chooseInstruction + block
        case .booleanStatement:
            return lead + "Statement: " + query.question + "." + trueFalseInstruction
        }
    }
}
