package clipbench.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingPipelineTest {
    /**
     * The batch buffer is sized by the items, not by the batch size: 100000 x 3x8x8 floats would overflow
     * (or, at 8000, allocate gigabytes) for 13 images. Batching, and so every number, is unchanged.
     */
    @Test
    void aBatchSizeFarAboveTheItemCountAllocatesOnlyTheItems(@TempDir Path dir) {
        FakeColorBackbone backbone = new FakeColorBackbone(new int[3], false, dir);
        List<clipbench.api.spi.DatasetItem> items = RunnerTest.colours().items("Test");
        EmbeddedSplit huge = new EmbeddingPipeline(backbone, (img, side) -> img, 100_000_000)
                .embed(items, ProgressListener.NONE);
        assertEquals(List.of(12), backbone.batchSizes, "12 readable images, one batch");
        assertEquals(12, huge.size());
        assertEquals(1, huge.skipped().size());

        backbone.batchSizes.clear();
        EmbeddedSplit exact = new EmbeddingPipeline(backbone, (img, side) -> img, 12).embed(items, ProgressListener.NONE);
        assertEquals(List.of(12), backbone.batchSizes);
        for (int i = 0; i < 12; i++) {
            assertEquals(java.util.Arrays.toString(exact.embeddings()[i]), java.util.Arrays.toString(huge.embeddings()[i]));
        }
    }
}
