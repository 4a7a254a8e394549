package clipbench.protocol.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FineTunerTest {
    static final int CLASSES = 3;

    /** Rows a = mean_c + noise, classes in turn; labels {@code flip}ped to (c + 1) % classes when asked. */
    static Data clusters(float[][] means, int perClass, double noise, long seed, boolean flip) {
        Random r = new Random(seed);
        int n = means.length * perClass;
        float[][] x = new float[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % means.length;
            x[i] = new float[means[c].length];
            for (int j = 0; j < x[i].length; j++) {
                x[i][j] = (float) (means[c][j] + noise * r.nextGaussian());
            }
            y[i] = flip ? (c + 1) % means.length : c;
        }
        return new Data(x, y);
    }

    record Data(float[][] x, int[] y) {
    }

    static float[][] means(int dim, long seed) {
        Random r = new Random(seed);
        float[][] m = new float[CLASSES][dim];
        for (float[] row : m) {
            for (int j = 0; j < dim; j++) {
                row[j] = (float) (1.5 * r.nextGaussian());
            }
        }
        return m;
    }

    /** Class "text" embeddings: the normalised embeddings of the class means under the pretrained top. */
    static float[][] classText(TanhTop top, float[][] means) {
        List<float[]> v = new ArrayList<>();
        top.parameters().forEach(p -> v.add(p.values()));
        return Tensors.normalize(top.forward(means, v), new double[means.length]);
    }

    static FineTuneInputs inputs(TanhTop top, float[][] means, long seed) {
        Data train = clusters(means, 8, 0.8, 11, false);
        Data val = clusters(means, 4, 0.8, 12, false);
        return new FineTuneInputs(CLASSES, classText(top, means), 20, train.x(), train.y(), val.x(), val.y(), seed);
    }

    /**
     * Central differences of the full loss (head + normalisation + top) with respect to every float of every
     * tensor, top and head, against the analytic gradient; the error is relative to the largest gradient. Step
     * 1e-3: at 1e-2 the truncation error shows (1e-3), below 1e-3 the float embeddings' rounding does (~1e-5).
     */
    static double gradientCheckError(TrainableHead head) {
        TanhTop top = new TanhTop(5, 4, 3, 7);
        Data batch = clusters(means(5, 3), 3, 0.8, 13, false);
        List<float[]> tv = new ArrayList<>();
        top.parameters().forEach(p -> tv.add(p.values()));
        List<float[]> hv = head.initialValues();
        FineTuner.Gradients g = FineTuner.lossAndGradients(top, head, tv, hv, batch.x(), batch.y());
        List<float[]> values = new ArrayList<>(tv);
        values.addAll(hv);
        List<float[]> grads = new ArrayList<>(g.top());
        grads.addAll(g.head());
        double worst = 0;
        double largest = 0;
        for (int t = 0; t < values.size(); t++) {
            float[] p = values.get(t);
            for (int j = 0; j < p.length; j++) {
                float keep = p[j];
                float up = keep + 1e-3f;
                float down = keep - 1e-3f;
                p[j] = up;
                double lu = FineTuner.lossAndGradients(top, head, tv, hv, batch.x(), batch.y()).loss();
                p[j] = down;
                double ld = FineTuner.lossAndGradients(top, head, tv, hv, batch.x(), batch.y()).loss();
                p[j] = keep;
                double fd = (lu - ld) / ((double) up - down);
                worst = Math.max(worst, Math.abs(fd - grads.get(t)[j]));
                largest = Math.max(largest, Math.abs(grads.get(t)[j]));
            }
        }
        return worst / largest;
    }

    @Test
    void gradientMatchesFiniteDifferencesWithTheLiteHead() {
        Random r = new Random(5);
        float[][] w = new float[CLASSES][3];
        for (float[] row : w) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) (3 * r.nextGaussian());
            }
        }
        double error = gradientCheckError(new LinearTrainableHead(w, new float[] {0.3f, -0.2f, 0.1f}));
        System.out.println("gradient check (lite): max |fd - analytic| / max |analytic| = " + error);
        assertTrue(error < 2e-4, "relative error " + error);
    }

    @Test
    void gradientMatchesFiniteDifferencesWithTheProHead() {
        float[][] text = classText(new TanhTop(5, 4, 3, 7), means(5, 3));
        double error = gradientCheckError(new CosineTrainableHead(text, 10));
        System.out.println("gradient check (pro): max |fd - analytic| / max |analytic| = " + error);
        assertTrue(error < 2e-4, "relative error " + error);
    }

    @Test
    void trainingLowersTheTrainingLossAndUsesOnlyTheTop() {
        TanhTop top = new TanhTop(5, 4, 3, 7);
        float[][] means = means(5, 3);
        FineTuneSettings fast = new FineTuneSettings(1e-2, 1e-2, 0.01, 0.9, 0.999, 1e-8, 10, 8, 10);
        List<double[]> steps = new ArrayList<>();
        FineTuned done = new FineTuner(fast).train(top, "lite", inputs(top, means, 1),
                (epoch, step, loss) -> steps.add(new double[] {epoch, step, loss}));
        List<EpochRecord> h = done.history();
        assertEquals(11, h.size());
        // 24 rows in batches of 8: 3 steps per epoch, numbered on; an epoch's loss is the mean of its steps'.
        assertEquals(30, steps.size());
        for (int i = 0; i < steps.size(); i++) {
            assertEquals(i / 3 + 1, (int) steps.get(i)[0]);
            assertEquals(i, (long) steps.get(i)[1]);
        }
        assertEquals(h.get(1).trainLoss(), (steps.get(0)[2] + steps.get(1)[2] + steps.get(2)[2]) / 3, 1e-12);
        assertTrue(h.get(10).trainLoss() < h.get(1).trainLoss(), h.toString());
        assertEquals(0, top.frozenCalls, "activations are computed once, by the caller");
        // Top: W1 4x5, b1 4, W2 3x4; LITE head: W 3x3, b 3.
        assertEquals(4 * 5 + 4 + 3 * 4 + CLASSES * 3 + CLASSES, done.trainableParameters());
        assertTrue(done.selected().containsKey("start_l2"), "LITE starts from its frozen-feature fit");
    }

    @Test
    void aSeedGivesByteIdenticalResults() {
        float[][] means = means(5, 3);
        float[][] test = clusters(means, 5, 0.8, 99, false).x();
        float[][] a = trainAndScore(means, 4, test);
        float[][] b = trainAndScore(means, 4, test);
        float[][] c = trainAndScore(means, 5, test);
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i]);
        }
        assertFalse(Arrays.deepEquals(a, c), "another seed shuffles differently");
    }

    private static float[][] trainAndScore(float[][] means, long seed, float[][] test) {
        TanhTop top = new TanhTop(5, 4, 3, 7);
        FineTuneSettings s = new FineTuneSettings(1e-2, 1e-2, 0.01, 0.9, 0.999, 1e-8, 4, 5, 10);
        return new FineTuner(s).train(top, "pro", inputs(top, means, seed)).logits(test, 7);
    }

    @Test
    void earlyStoppingKeepsEpochZeroWhenTrainingOnlyHurtsValidation() {
        TanhTop top = new TanhTop(5, 4, 3, 7);
        float[][] means = means(5, 3);
        // Training labels are shifted by one class: every step moves away from the validation rows' truth,
        // which the pro head's text start already gets right.
        Data train = clusters(means, 8, 0.3, 11, true);
        Data val = clusters(means, 4, 0.3, 12, false);
        FineTuneInputs in = new FineTuneInputs(CLASSES, classText(top, means), 20, train.x(), train.y(), val.x(),
                val.y(), 3);
        FineTuneSettings s = new FineTuneSettings(5e-2, 5e-2, 0.01, 0.9, 0.999, 1e-8, 10, 8, 3);
        FineTuned done = new FineTuner(s).train(top, "pro", in);
        List<EpochRecord> h = done.history();
        assertEquals(1.0, h.get(0).valAccuracy(), "the text start is right on validation");
        assertTrue(h.get(h.size() - 1).valAccuracy() < 1.0, h.toString());
        assertEquals("0", done.selected().get("best_epoch"));
        assertEquals(4, h.size(), "stops after patience 3: " + h);
        for (int t = 0; t < done.topValues().size(); t++) {
            assertArrayEquals(top.parameters().get(t).values(), done.topValues().get(t), "pretrained top kept");
        }
    }
}
