import Testing

@testable import ParleyX

@Suite struct TweetSplitterTests {
    @Test func shortTextIsOnePostUnnumbered() {
        #expect(TweetSplitter.split("thanks, we're on it") == ["thanks, we're on it"])
        let exactly = String(repeating: "a", count: 280)
        #expect(TweetSplitter.split(exactly) == [exactly])
    }

    @Test func longTextIsNumberedAndEveryPartFits() {
        let words = (1...200).map { "word\($0)" }.joined(separator: " ")
        let parts = TweetSplitter.split(words)
        #expect(parts.count > 1)
        for (i, p) in parts.enumerated() {
            #expect(TweetSplitter.weightedLength(p) <= 280)
            #expect(p.hasSuffix(" \(i + 1)/\(parts.count)"))
        }
        // Cut at blanks: no word is broken, and nothing is lost.
        let rejoined = parts.map { $0.split(separator: " ").dropLast().joined(separator: " ") }.joined(separator: " ")
        #expect(rejoined == words)
    }

    @Test func aTextWithoutBlanksIsCutHard() {
        let parts = TweetSplitter.split(String(repeating: "x", count: 600))
        #expect(parts.count == 3)
        #expect(parts.allSatisfy { TweetSplitter.weightedLength($0) <= 280 })
        #expect(parts.map { $0.split(separator: " ")[0] }.joined().count == 600)
    }

    @Test func weightsFollowX() {
        #expect(TweetSplitter.weightedLength("hello") == 5)
        #expect(TweetSplitter.weightedLength("こんにちは") == 10)
        #expect(TweetSplitter.weightedLength("👍") == 2)
        #expect(TweetSplitter.weightedLength("👨‍👩‍👧") == 2)
        #expect(TweetSplitter.weightedLength("see https://example.com/a/very/long/path/that/goes/on/and/on") == 4 + 23)
    }

    @Test func cjkTextIsSplitByWeight() {
        let text = String(repeating: "日本語", count: 100)  // 300 characters, weight 600
        let parts = TweetSplitter.split(text)
        #expect(parts.count == 3)
        #expect(parts.allSatisfy { TweetSplitter.weightedLength($0) <= 280 })
    }

    @Test func manyPartsStillFitWithTwoDigitNumbers() {
        let text = (1...1000).map { "w\($0)" }.joined(separator: " ")
        let parts = TweetSplitter.split(text)
        #expect(parts.count >= 10)
        #expect(parts.allSatisfy { TweetSplitter.weightedLength($0) <= 280 })
        #expect(parts.last!.hasSuffix(" \(parts.count)/\(parts.count)"))
    }
}
