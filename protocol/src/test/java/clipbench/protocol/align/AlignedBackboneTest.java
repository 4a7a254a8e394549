package clipbench.protocol.align;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.model.ModelCard;
import clipbench.api.model.PreprocessSpec;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.Capability;
import clipbench.api.spi.ImageBatch;
import clipbench.protocol.Vectors;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AlignedBackboneTest {
    private static final ModelCard CARD = new ModelCard(Path.of("."), "aligned", "aligned", PreprocessSpec.clip(8), 0,
            2, 100.0, null, Map.of("aligned", Map.of("projections", "projections.safetensors")));

    /** A tower that returns fixed rows: an image as {@code [3, 4]}, a text as {@code [len, 1, 0]}. */
    private static final class Fixed implements Backbone {
        final Set<Capability> caps;
        boolean closed;

        Fixed(Set<Capability> caps) {
            this.caps = caps;
        }

        @Override
        public ModelCard card() {
            return CARD;
        }

        @Override
        public int embeddingDim() {
            return caps.contains(Capability.TEXT_STRINGS) ? 3 : 2;
        }

        @Override
        public Set<Capability> capabilities() {
            return caps;
        }

        @Override
        public float[][] embedImages(ImageBatch batch) {
            return new float[][] {{3, 4}};
        }

        @Override
        public float[][] embedTokens(int[][] tokenIds) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float[][] embedTexts(List<String> texts) {
            return texts.stream().map(t -> new float[] {t.length(), 1, 0}).toArray(float[][]::new);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static final AlignedProjections P = new AlignedProjections(2, 2, 3,
            new float[] {1, 0, 0, 2}, new float[] {0, 1, 0, 1, 0, 0}, Math.log(20));

    @Test
    void towersRowsAreNormalisedThenProjected() {
        Fixed image = new Fixed(EnumSet.of(Capability.GPU));
        Fixed text = new Fixed(EnumSet.of(Capability.TEXT_STRINGS));
        AlignedBackbone b = new AlignedBackbone(CARD, image, text, P);
        assertEquals(2, b.embeddingDim());
        assertEquals(EnumSet.of(Capability.TEXT_STRINGS, Capability.GPU), b.capabilities());
        // image [3, 4] -> [0.6, 0.8] -> Wi: [0.6, 1.6] -> normalised
        float[] expected = Vectors.normalize(new float[] {0.6f, 1.6f});
        assertArrayEquals(expected, b.embedImages(new ImageBatch(1, 8, new float[3 * 64]))[0], 1e-6f);
        // text "ab" -> [2, 1, 0] / sqrt 5 -> Wt: [1, 2] / sqrt 5 -> normalised
        assertArrayEquals(Vectors.normalize(new float[] {1, 2}), b.embedTexts(List.of("ab"))[0], 1e-6f);
        assertThrows(UnsupportedOperationException.class, () -> b.embedTokens(new int[][] {{1}}));
        b.close();
        assertTrue(image.closed && text.closed);
    }

    @Test
    void aTextTowerWithoutStringsOrAnImageTowerOfAnotherWidthIsRefused() {
        Fixed image = new Fixed(EnumSet.noneOf(Capability.class));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AlignedBackbone(CARD, image, new Fixed(EnumSet.of(Capability.TEXT_TOWER)), P));
        assertTrue(e.getMessage().contains("no strings"), e.getMessage());
    }
}
