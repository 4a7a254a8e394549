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
}
