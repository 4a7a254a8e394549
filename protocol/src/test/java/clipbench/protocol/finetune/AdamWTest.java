package clipbench.protocol.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class AdamWTest {
    @Test
    void oneStepMatchesAHandComputation() {
        FineTuneSettings s = new FineTuneSettings(0.1, 0.05, 0.01, 0.9, 0.999, 1e-8, 1, 1, 1);
        AdamW adam = new AdamW(new int[] {2, 1}, new double[] {0.1, 0.05}, new boolean[] {true, false}, s);
        float[] w = {1.0f, -2.0f};
        float[] b = {3.0f};
        adam.step(List.of(w, b), List.of(new float[] {0.5f, -0.1f}, new float[] {2.0f}), 0.5);
        // Step 1: m_hat = g, v_hat = g^2, so the Adam update is g / (|g| + eps); lr = peak * 0.5.
        // w: w * (1 - 0.05 * 0.01) - 0.05 * g / (|g| + 1e-8); b (not decayed): b - 0.025 * g / (|g| + 1e-8).
        assertEquals((float) (1.0 * (1 - 0.05 * 0.01) - 0.05 * 0.5 / (0.5 + 1e-8)), w[0]);
        assertEquals((float) (-2.0 * (1 - 0.05 * 0.01) + 0.05 * 0.1 / (0.1 + 1e-8)), w[1]);
        assertEquals((float) (3.0 - 0.025 * 2.0 / (2.0 + 1e-8)), b[0]);
        assertEquals(1, adam.steps());
    }

    @Test
    void secondStepUsesBiasCorrectedMoments() {
        FineTuneSettings s = new FineTuneSettings(0.1, 0.1, 0.0, 0.9, 0.999, 1e-8, 1, 1, 1);
        AdamW adam = new AdamW(new int[] {1}, new double[] {0.1}, new boolean[] {false}, s);
        float[] p = {0f};
        adam.step(List.of(p), List.of(new float[] {1f}), 1);
        adam.step(List.of(p), List.of(new float[] {-1f}), 1);
        double m = 0.9 * 0.1 + 0.1 * -1;          // -0.01
        double v = 0.999 * 0.001 + 0.001 * 1;     // 0.001999
        double update = (m / (1 - 0.81)) / (Math.sqrt(v / (1 - 0.998001)) + 1e-8);
        assertEquals((float) ((float) -0.1 - 0.1 * update), p[0], 1e-7);
    }
}
