package clipbench.protocol;

import clipbench.api.model.ModelCard;
import clipbench.api.model.PreprocessSpec;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.Capability;
import clipbench.api.spi.ImageBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Test double: an image embeds as its mean (un-normalised) channel values; a text embeds as the count
 * of each colour word's token id. So "red" prompts match red images, and the answers are known.
 */
class FakeColorBackbone implements Backbone {
    final List<Integer> batchSizes = new ArrayList<>();
    private final int[] colourTokens;
    private final boolean text;
    private final ModelCard card;

    FakeColorBackbone(int[] colourTokens, boolean text, Path vocabDir) {
        this.colourTokens = colourTokens;
        this.text = text;
        this.card = new ModelCard(vocabDir, "fake-colour", "test", PreprocessSpec.clip(8), 77, 3, 100.0,
                null, Map.of("fake", Map.of("image", "none")));
    }

    @Override
    public ModelCard card() {
        return card;
    }

    @Override
    public int embeddingDim() {
        return 3;
    }

    @Override
    public Set<Capability> capabilities() {
        return text ? EnumSet.of(Capability.TEXT_TOWER) : EnumSet.noneOf(Capability.class);
    }

    @Override
    public float[][] embedImages(ImageBatch batch) {
        batchSizes.add(batch.count());
        int plane = batch.size() * batch.size();
        float[][] out = new float[batch.count()][3];
        for (int n = 0; n < batch.count(); n++) {
            for (int c = 0; c < 3; c++) {
                double sum = 0;
                for (int i = 0; i < plane; i++) {
                    sum += batch.data()[n * batch.imageFloats() + c * plane + i];
                }
                // Shift so that 0 means "no colour" after CLIP normalisation made values negative.
                out[n][c] = (float) (sum / plane + 2.0);
            }
        }
        return out;
    }

    @Override
    public float[][] embedTokens(int[][] tokenIds) {
        if (!text) {
            throw new UnsupportedOperationException("no text tower");
        }
        float[][] out = new float[tokenIds.length][3];
        for (int n = 0; n < tokenIds.length; n++) {
            for (int id : tokenIds[n]) {
                for (int c = 0; c < 3; c++) {
                    out[n][c] += id == colourTokens[c] ? 1 : 0;
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
    }
}
