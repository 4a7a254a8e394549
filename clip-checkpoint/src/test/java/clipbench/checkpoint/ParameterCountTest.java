package clipbench.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCards;
import clipbench.checkpoint.fixtures.CheckpointFixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code clipbench inspect} reports: PyTorch's {@code parameters()} count, whatever the layout. */
class ParameterCountTest {
    private static final Path VIT = ContractFixtures.testdata("models/tiny-clip-vit");

    @Test
    void aTransformersFolderCountsTheValuesItStores(@TempDir Path tmp) throws IOException {
        Path folder = CheckpointFixtures.writeTransformers(VIT.resolve("model.safetensors"),
                CheckpointFixtures.card(VIT), tmp.resolve("hf"));
        // counted on the raw HF file (q/k/v split, projections transposed), without the OpenAI-name view
        Safetensors raw = Safetensors.open(folder.resolve("model.safetensors"));
        long stored = raw.names().stream().mapToLong(n -> numel(raw.shape(n))).sum();
        ParameterCount viaView = ParameterCount.of(ClipCheckpoints.open(ModelCards.load(folder)).weights());
        assertEquals(stored, viaView.total());
        assertEquals(ParameterCount.of(ClipCheckpoints.open(ModelCards.load(VIT)).weights()), viaView);
    }

    @Test
    void batchNormRunningStatisticsAreBuffersNotParameters() {
        Checkpoint c = Checkpoint.of("bn", Map.of("visual.bn1.weight", new long[] {2}, "visual.bn1.running_mean",
                new long[] {2}, "visual.bn1.running_var", new long[] {2}, "logit_scale", new long[0],
                "ln_final.bias", new long[] {3}), Map.of("visual.bn1.weight", new float[2], "visual.bn1.running_mean",
                new float[2], "visual.bn1.running_var", new float[2], "logit_scale", new float[1], "ln_final.bias",
                new float[3]));
        assertEquals(new ParameterCount(2, 3, 1), ParameterCount.of(c));
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
