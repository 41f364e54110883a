import Foundation
import MLANCore
import MLANModel

/// The LLaVA vision tower: random CLIP ViTs encoding one image up to feature layer −2 (Docs/LLAVA.md).
enum CLIPBenchmarks {
    static func run() {
        print("CLIP vision tower, one image, features of layer −2 (patches), no gradients, \(BLAS.threadCount) threads")
        print(cell("tower", 16) + cell("patches", 9) + cell("ms/image", 10) + "patches/s")
        for (name, config, repeats) in [("ViT-B/16-224", CLIPVisionConfig.vitB16_224, 5),
                                        ("ViT-L/14-336", CLIPVisionConfig.vitL14_336, 3)] {
            var rng = SplitMix64(seed: 3)
            let tower = CLIPVisionModel(config, rng: &rng)
            let pixels = Tensor.normal([1, config.numChannels, config.imageSize, config.imageSize], using: &rng)
            do {
                _ = try withoutGradients { try tower.features(pixels, layers: [-2], selection: .patches) }
            } catch {
                print("\(name): \(error)")
                continue
            }
            let seconds = medianSeconds(repeats: repeats) {  // the same call, checked just above
                _ = try? withoutGradients { try tower.features(pixels, layers: [-2], selection: .patches) }
            }
            print(cell(name, 16) + cell("\(config.numPatches)", 9) + cell(format(seconds * 1e3), 10)
                + format(Double(config.numPatches) / seconds))
        }
        print()
    }
}
