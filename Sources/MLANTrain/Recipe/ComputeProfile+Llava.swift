import MLANCore
import MLANModel

extension ComputeProfile {
    /// The FLOP profile of training `llava` as it is frozen now. The language model runs on every position:
    /// its trainable parameters count 6·N·T and its frozen ones 4·N·T (gradients flow back through it to the
    /// projector). The projector and the vision tower run only on image positions: trainable parameters count
    /// 6·N·T; a frozen tower counts 2·N·T (forward only, nothing before it trains); a frozen projector counts
    /// 4·N·T when the tower behind it trains and 2·N·T otherwise.
    public init(_ llava: LlavaForConditionalGeneration) {
        func split(_ component: LlavaComponent) -> (trained: Int, frozen: Int) {
            let parameters = llava.parameters(of: component)
            let trained = parameters.filter(\.tensor.requiresGrad).reduce(0) { $0 + $1.tensor.count }
            return (trained, parameters.reduce(0) { $0 + $1.tensor.count } - trained)
        }
        let language = split(.languageModel), projector = split(.projector), tower = split(.visionTower)
        let towerTrains = tower.trained > 0
        self.init(trainedParameters: language.trained, frozenBackpropParameters: language.frozen,
                  imageOnlyForwardParameters: tower.frozen + (towerTrains ? 0 : projector.frozen),
                  imageOnlyTrainedParameters: projector.trained + tower.trained,
                  imageOnlyFrozenBackpropParameters: towerTrains ? projector.frozen : 0)
    }
}
