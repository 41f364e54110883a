import MLANCore
import MLANModel
import Testing
@testable import MLANTrain

@Suite struct ComputeProfileTests {
    @Test func trainedParametersCostSixFLOPsPerToken() {
        // 6 · 10 params · 7 tokens = 420
        #expect(ComputeProfile(trainedParameters: 10, frozenBackpropParameters: 0).flops(tokens: 7, imageTokens: 0) == 420)
    }

    @Test func frozenParametersWithBackpropCostFourFLOPsPerToken() {
        // 4 · 10 · 7 = 280
        #expect(ComputeProfile(trainedParameters: 0, frozenBackpropParameters: 10).flops(tokens: 7, imageTokens: 0) == 280)
    }

    @Test func frozenTowerCostsTwoFLOPsPerImageTokenOnly() {
        // 2 · 10 · 3 image tokens = 60; the 4 text tokens cost the tower nothing.
        let tower = ComputeProfile(trainedParameters: 0, frozenBackpropParameters: 0, imageOnlyForwardParameters: 10)
        #expect(tower.flops(tokens: 7, imageTokens: 3) == 60)
    }

    @Test func everyGroupAddsItsShare() {
        // 6·10·4 + 4·3·4 + 2·5·3 + 6·2·3 + 4·7·3 = 240 + 48 + 30 + 36 + 84 = 438
        let profile = ComputeProfile(trainedParameters: 10, frozenBackpropParameters: 3, imageOnlyForwardParameters: 5,
                                     imageOnlyTrainedParameters: 2, imageOnlyFrozenBackpropParameters: 7)
        #expect(profile.flops(tokens: 4, imageTokens: 3) == 438)
    }

    @Test func llavaProfileFollowsTheFreezeState() {
        var rng = SplitMix64(seed: 1)
        let llava = LlavaForConditionalGeneration(.tiny, rng: &rng)
        let n = StageRunnerTests.counts(llava)
        let (language, projector, tower) = (Int(n.language), Int(n.projector), Int(n.tower))
        llava.freezeAll(except: [.projector])  // stage 1
        #expect(ComputeProfile(llava) == ComputeProfile(trainedParameters: 0, frozenBackpropParameters: language,
                                                        imageOnlyForwardParameters: tower, imageOnlyTrainedParameters: projector))
        llava.freezeAll(except: [.projector, .languageModel])  // stage 2
        #expect(ComputeProfile(llava) == ComputeProfile(trainedParameters: language, frozenBackpropParameters: 0,
                                                        imageOnlyForwardParameters: tower, imageOnlyTrainedParameters: projector))
        llava.freezeAll(except: [.visionTower])  // a frozen projector between a trained tower and the LLM
        #expect(ComputeProfile(llava) == ComputeProfile(trainedParameters: 0, frozenBackpropParameters: language,
                                                        imageOnlyTrainedParameters: tower,
                                                        imageOnlyFrozenBackpropParameters: projector))
    }

    @Test func efficiencyReportsAdd() {
        var a = EfficiencyReport(), b = EfficiencyReport()
        a.examples = 2; a.textTokens = 10; a.flops = 100; a.seconds = 1.5; a.optimizerSteps = 1
        b.examples = 3; b.imageTokens = 16; b.supervisedTokens = 4; b.flops = 50; b.seconds = 0.5; b.optimizerSteps = 2
        let sum = a + b
        #expect(sum.examples == 5 && sum.textTokens == 10 && sum.imageTokens == 16 && sum.supervisedTokens == 4)
        #expect(sum.flops == 150 && sum.seconds == 2 && sum.optimizerSteps == 3)
    }
}
