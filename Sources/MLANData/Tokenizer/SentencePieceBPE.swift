/// SentencePiece's BPE merge loop over one word: start from its characters, repeatedly merge the best adjacent
/// pair (ties to the leftmost), stop when no pair merges.
///
/// Which pair is best depends on the file the vocabulary came from: SentencePiece (`tokenizer.model`, GGUF)
/// ranks a pair by the score of the piece it makes; Hugging Face `tokenizers` (`tokenizer.json`) by the rank of
/// the merge `left right` in its merges list, which Llama's conversion orders by those scores.
struct SentencePieceBPE: Sendable {
    /// How pairs are ranked.
    enum PairPriority: Sendable {
        /// The concatenation's score, for pieces that can be merged into (normal and user-defined).
        case pieceScores([ByteString: Float])
        /// Per packed `(left id, right id)`: the merge's rank and the merged piece's id.
        case mergeRanks([UInt64: (rank: Int, merged: Int)])
    }

    let priority: PairPriority
    /// Ids of pieces, by their UTF-8 (used to follow ids under `mergeRanks`).
    let pieceIDs: [ByteString: Int]

    /// A pair that may merge: its priority (higher first), the left symbol's index (lower first on ties),
    /// and the pair's length in bytes when it was queued (to drop stale entries).
    private struct Candidate {
        var priority: Double, left: Int, right: Int, length: Int

        func precedes(_ other: Candidate) -> Bool {
            priority != other.priority ? priority > other.priority : left < other.left
        }
    }

    /// The final symbols of the word whose characters start at `starts` in `bytes` (the word is
    /// `bytes[starts[0]..<bytes.count]`), as byte ranges in order.
    func segment(_ bytes: [UInt8], characterStarts starts: [Int]) -> [Range<Int>] {
        let count = starts.count
        guard count > 1 else { return count == 1 ? [starts[0]..<bytes.count] : [] }
        var lower = starts, upper = Array(starts.dropFirst()) + [bytes.count]
        var previous = Array(-1..<(count - 1)), next = Array(1...count)
        var alive = [Bool](repeating: true, count: count)
        var ids: [Int?] = []
        if case .mergeRanks = priority { ids = (0..<count).map { pieceIDs[ByteString(Array(bytes[lower[$0]..<upper[$0]]))] } }
        var heap = CandidateHeap()

        func consider(_ left: Int, _ right: Int) {
            switch priority {
            case .pieceScores(let scores):
                guard let score = scores[ByteString(Array(bytes[lower[left]..<upper[right]]))] else { return }
                heap.push(Candidate(priority: Double(score), left: left, right: right, length: upper[right] - lower[left]))
            case .mergeRanks(let ranks):
                guard let a = ids[left], let b = ids[right], let merge = ranks[UInt64(a) << 32 | UInt64(b)] else { return }
                heap.push(Candidate(priority: -Double(merge.rank), left: left, right: right,
                                    length: upper[right] - lower[left]))
            }
        }

        for index in 0..<(count - 1) { consider(index, index + 1) }
        while let top = heap.pop() {
            let left = top.left, right = top.right
            guard alive[left], alive[right], next[left] == right, upper[right] - lower[left] == top.length else { continue }
            upper[left] = upper[right]
            alive[right] = false
            next[left] = next[right]
            if next[right] < count { previous[next[right]] = left }
            if case .mergeRanks(let ranks) = priority, let a = ids[left], let b = ids[right] {
                ids[left] = ranks[UInt64(a) << 32 | UInt64(b)]?.merged
            }
            if previous[left] >= 0 { consider(previous[left], left) }
            if next[left] < count { consider(left, next[left]) }
        }
        var ranges: [Range<Int>] = []
        var index = 0
        while index < count {
            ranges.append(lower[index]..<upper[index])
            index = next[index]
        }
        return ranges
    }

    /// A binary max-heap of candidates.
    private struct CandidateHeap {
        private var items: [Candidate] = []

        mutating func push(_ item: Candidate) {
            items.append(item)
            var child = items.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard items[child].precedes(items[parent]) else { break }
                items.swapAt(child, parent)
                child = parent
            }
        }

        mutating func pop() -> Candidate? {
            guard !items.isEmpty else { return nil }
            items.swapAt(0, items.count - 1)
            let top = items.removeLast()
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var first = parent
                if left < items.count && items[left].precedes(items[first]) { first = left }
                if right < items.count && items[right].precedes(items[first]) { first = right }
                if first == parent { break }
                items.swapAt(parent, first)
                parent = first
            }
            return top
        }
    }
}
