package clipbench.protocol.align;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AlignedProjectionsTest {
    // Wi keeps the first two image coordinates; Wt swaps the two text coordinates.
    private static final float[] WI = {1, 0, 0, 0, 1, 0};
    private static final float[] WT = {0, 1, 1, 0};

    @Test
    void zeroShotLogitsAreTheScaleTimesTheCosineOfTheProjections() {
        AlignedProjections p = new AlignedProjections(2, 3, 2, WI, WT, Math.log(10));
        float[][] images = {{3, 4, 5}, {0, -2, 7}};
        float[][] classes = {{4, 3}, {1, 0}};
        // Wi x: (3, 4) -> (0.6, 0.8) and (0, -2) -> (0, -1); Wt y: (3, 4) -> (0.6, 0.8) and (0, 1).
        assertArrayEquals(new float[] {0.6f, 0.8f}, p.embedImages(images)[0], 1e-7f);
        assertArrayEquals(new float[] {0f, 1f}, p.embedTexts(classes)[1], 1e-7f);
        float[][] logits = p.logits(images, classes);
        assertArrayEquals(new float[] {10f, 8f}, logits[0], 1e-5f);
        assertArrayEquals(new float[] {-8f, -10f}, logits[1], 1e-5f);
    }

    @Test
    void theScaleIsClampedAsInTraining() {
        assertEquals(100.0, new AlignedProjections(2, 3, 2, WI, WT, Math.log(1000)).logitScale());
        assertEquals(1 / 0.07, new AlignedProjections(2, 3, 2, WI, WT, ContrastiveLoss.INITIAL_LOG_SCALE)
                .logitScale(), 1e-12);
    }

    @Test
    void refusesRowsOfTheWrongWidth() {
        AlignedProjections p = new AlignedProjections(2, 3, 2, WI, WT, 0);
        assertThrows(IllegalArgumentException.class, () -> p.embedImages(new float[][] {{1, 2}}));
        assertThrows(IllegalArgumentException.class, () -> new AlignedProjections(2, 3, 3, WI, WT, 0));
    }
}
