package clipbench.api.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.model.ModelCard;
import clipbench.api.model.PreprocessSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TwoTowerBackboneTest {
    private static ModelCard card(int embedDim) {
        return new ModelCard(Path.of("models/m"), "m", "test", PreprocessSpec.clip(4), 3, embedDim, 100.0, null,
                Map.of());
    }

    /** A tower that returns rows of {@code width} ones and declares {@code declared}. */
    private record Fixed<I>(String source, long declaredDim, int width) implements TwoTowerBackbone.Tower<I> {
        @Override
        public float[][] embed(I input) {
            int n = input instanceof ImageBatch b ? b.count() : ((int[][]) input).length;
            float[][] rows = new float[n][width];
            for (float[] row : rows) {
                java.util.Arrays.fill(row, 1f);
            }
            return rows;
        }
    }

    private static final class Backbone extends TwoTowerBackbone {
        Backbone(ModelCard card, Tower<ImageBatch> image, Tower<int[][]> text, boolean gpu) throws IOException {
            super(card, image, text, embeddingDim(card, image, text), gpu);
        }

        Backbone(ModelCard card, Tower<ImageBatch> image, Set<Capability> extra) throws IOException {
            super(card, image, null, embeddingDim(card, image, null), false, extra);
        }

        @Override
        protected String missingTextTower() {
            return "no text here";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void dimensionComesFromCardTowersOrATrialRun() throws IOException {
        assertEquals(8, new Backbone(card(8), new Fixed<>("img", -1, 8), null, false).embeddingDim());
        assertEquals(6, new Backbone(card(0), new Fixed<>("img", 6, 6), new Fixed<>("txt", 6, 6), false)
                .embeddingDim());
        assertEquals(5, new Backbone(card(0), new Fixed<>("img", -1, 5), null, false).embeddingDim(),
                "nothing declared: one blank image is run");
        IOException card = assertThrows(IOException.class,
                () -> new Backbone(card(8), new Fixed<>("img", 6, 6), null, false));
        assertEquals("img has 6 values per row, but the model card says embed_dim 8", card.getMessage());
        IOException towers = assertThrows(IOException.class,
                () -> new Backbone(card(0), new Fixed<>("img", 6, 6), new Fixed<>("txt", 7, 7), false));
        assertEquals("txt has 7 values per row, but img gives 6", towers.getMessage());
    }

    @Test
    void capabilitiesFollowTheTowers() throws IOException {
        assertEquals(Set.of(Capability.GPU), new Backbone(card(2), new Fixed<>("i", 2, 2), null, true).capabilities());
        assertEquals(Set.of(Capability.TEXT_TOWER),
                new Backbone(card(2), new Fixed<>("i", 2, 2), new Fixed<>("t", 2, 2), false).capabilities());
        assertEquals(Set.of(Capability.FINE_TUNE),
                new Backbone(card(2), new Fixed<>("i", 2, 2), Set.of(Capability.FINE_TUNE)).capabilities());
    }

    @Test
    void rowsOfAnotherWidthAndMissingTextAreRefused() throws IOException {
        Backbone wrong = new Backbone(card(4), new Fixed<>("img", -1, 3), new Fixed<>("txt", -1, 4), false);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> wrong.embedImages(new ImageBatch(1, 4, new float[48])));
        assertEquals("img has 3 values per row, expected 4", e.getMessage());
        assertArrayEquals(new float[] {1, 1, 1, 1}, wrong.embedTokens(new int[][] {{1, 2, 3}})[0]);

        Backbone imageOnly = new Backbone(card(3), new Fixed<>("img", -1, 3), null, false);
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class,
                () -> imageOnly.embedTokens(new int[][] {{1}}));
        assertTrue(u.getMessage().endsWith("m: no text here, so this model cannot embed text"), u.getMessage());
    }
}
