package clipbench.backend.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCard;
import clipbench.api.model.PreprocessSpec;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ImageBatch;
import clipbench.api.spi.TowerCut;
import clipbench.api.spi.TrainableParameter;
import clipbench.keras.contract.NpmTestData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * nsfwjs's MobileNetV2 cut below its last two blocks: the unfolded top on the folded bottom gives the backbone's
 * features, and one forward and backward at batch 16 are timed.
 */
class KerasNsfwjsFineTuneTest {
    @Test
    void mobileNetV2LastTwoBlocks() throws IOException {
        Path dir = NpmTestData.nsfwjsModel("mobilenet_v2");
        ModelCard card = new ModelCard(dir, "nsfwjs-mobilenet_v2", "keras", new PreprocessSpec("scale01", 224,
                new float[3], new float[] {1, 1, 1}), 0, 0, 1, null, Map.of("keras", Map.of("topology",
                "model.min.js")));
        ImageBatch batch = ContractFixtures.sineImages(0, 16, 224);
        try (Backbone backbone = new DjlBackboneProvider().open(card, BackendOptions.defaults());
             TowerCut cut = backbone.fineTunable().cut(2)) {
            assertEquals("block_14_add", cut.cutName());
            List<float[]> values = cut.parameters().stream().map(TrainableParameter::values).toList();
            long t0 = System.nanoTime();
            float[][] activations = cut.frozen(batch);
            long t1 = System.nanoTime();
            float[][] out = cut.forward(activations, values);
            long t2 = System.nanoTime();
            float[][] upstream = new float[out.length][out[0].length];
            for (float[] row : upstream) {
                java.util.Arrays.fill(row, 1f);
            }
            List<float[]> grads = cut.backward(activations, values, upstream);
            long t3 = System.nanoTime();
            float[][] features = backbone.embedImages(batch);
            double diff = ContractFixtures.maxAbsDiff(out, features);
            double scale = 0;
            for (float[] row : features) {
                for (float v : row) {
                    scale = Math.max(scale, Math.abs(v));
                }
            }
            long trained = values.stream().mapToLong(v -> v.length).sum();
            System.out.printf("[djl] nsfwjs MobileNetV2 last:2 (cut %s, %d tensors, %d values, %d floats per image):"
                            + " batch 16 frozen %.0f ms, forward %.0f ms, forward+backward %.0f ms;"
                            + " top(frozen(x)) vs embedImages max |diff| %.2e (features up to %.2f)%n", cut.cutName(),
                    values.size(), trained, cut.activationLength(), (t1 - t0) / 1e6, (t2 - t1) / 1e6,
                    (t3 - t2) / 1e6, diff, scale);
            assertEquals(values.size(), grads.size());
            assertTrue(diff <= 1e-4 * Math.max(1, scale), "top(frozen(x)) differs by " + diff);
        }
    }
}
