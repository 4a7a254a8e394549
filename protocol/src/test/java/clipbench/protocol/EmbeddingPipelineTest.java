package clipbench.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.image.RgbImage;
import clipbench.api.model.PreprocessSpec;
import clipbench.api.spi.DatasetItem;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingPipelineTest {
    @Test
    void anImageNoResizeCanTakeFailsOnlyItself(@TempDir Path dir) {
        // At 224 the 1 x 20000 strip would become 224 x 4,480,000 (today: "target size too large", run aborted).
        FakeColorBackbone backbone = new FakeColorBackbone(new int[3], false, dir) {
            @Override
            public PreprocessSpec preprocess() {
                return PreprocessSpec.clip(224);
            }
        };
        List<DatasetItem> items = List.of(
                new DatasetItem("a/red.png", 0, () -> RgbImage.filled(8, 8, 255, 0, 0)),
                new DatasetItem("a/strip.png", 0, () -> RgbImage.filled(1, 20_000, 0, 255, 0)),
                new DatasetItem("b/blue.png", 1, () -> RgbImage.filled(8, 8, 0, 0, 255)));
        EmbeddedSplit split = new EmbeddingPipeline(backbone, (img, s) -> img, 2).embed(items, ProgressListener.NONE);

        assertEquals(List.of("a/red.png", "b/blue.png"), split.ids());
        assertEquals(1, split.skipped().size());
        String reason = split.skipped().get(0);
        assertTrue(reason.startsWith("a/strip.png: cannot resize 1x20000 (aspect ratio 20000:1)"), reason);
        assertEquals(List.of(2), backbone.batchSizes, "the two good images form one batch");
    }

    /**
     * The batch buffer is sized by the items, not by the batch size: 100000 x 3x8x8 floats would overflow
     * (or, at 8000, allocate gigabytes) for 13 images. Batching, and so every number, is unchanged.
     */
    @Test
    void aBatchSizeFarAboveTheItemCountAllocatesOnlyTheItems(@TempDir Path dir) {
        FakeColorBackbone backbone = new FakeColorBackbone(new int[3], false, dir);
        List<DatasetItem> items = RunnerTest.colours().items("Test");
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
