package clipbench.protocol.align;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class ContrastiveLossTest {
    private static final int DIM = 3;
    private static final int IMAGE_WIDTH = 5;
    private static final int TEXT_WIDTH = 4;

    @Test
    void gradientMatchesCentralDifferences() {
        Random r = new Random(1);
        ContrastiveLoss.Batch batch = ContrastiveLoss.Batch.pairs(rows(r, 6, IMAGE_WIDTH), rows(r, 6, TEXT_WIDTH));
        double error = gradientError(batch, parameters(r, 1.5));
        System.out.printf("contrastive loss: max |analytic - central difference| = %.3g%n", error);
        assertTrue(error < 1e-8, "gradient error " + error);
    }

    @Test
    void gradientMatchesCentralDifferencesWithRepeatedImagesAndCaptions() {
        Random r = new Random(2);
        float[][] images = rows(r, 6, IMAGE_WIDTH);
        float[][] texts = rows(r, 6, TEXT_WIDTH);
        images[3] = images[0];   // image 0 with a second caption
        texts[5] = texts[1];     // caption 1 of a second image
        // Rows 0 and 3 share an image, rows 1 and 5 a caption; row 4's caption is also one of row 2's image.
        boolean[][] positives = positives(6, new int[][] {{0, 3}, {3, 0}, {1, 5}, {5, 1}, {2, 4}});
        double error = gradientError(new ContrastiveLoss.Batch(images, texts, positives), parameters(r, 2.0));
        System.out.printf("contrastive loss, repeated rows: max |analytic - central difference| = %.3g%n", error);
        assertTrue(error < 1e-8, "gradient error " + error);
    }

    @Test
    void lossEqualsAPlainReferenceOfClipsPseudocode() {
        Random r = new Random(3);
        int n = 64;
        ContrastiveLoss loss = new ContrastiveLoss(16, 32, 24);
        float[][] images = rows(r, n, 32);
        float[][] texts = rows(r, n, 24);
        ContrastiveLoss.Parameters p = new ContrastiveLoss.Parameters(gaussian(r, 16 * 32), gaussian(r, 16 * 24),
                ContrastiveLoss.INITIAL_LOG_SCALE);
        double expected = plainClipLoss(images, texts, p, 16);
        double got = loss.evaluate(ContrastiveLoss.Batch.pairs(images, texts), p).loss();
        System.out.printf("contrastive loss %.12f vs plain reference %.12f: |difference| = %.3e%n", got, expected,
                Math.abs(got - expected));
        assertEquals(expected, got, 1e-6);
        assertEquals(got, loss.loss(ContrastiveLoss.Batch.pairs(images, texts), p));
    }

    @Test
    void aCaptionOfTheImageFromAnotherRowIsAMatch() {
        Random r = new Random(4);
        float[][] images = rows(r, 5, IMAGE_WIDTH);
        float[][] texts = rows(r, 5, TEXT_WIDTH);
        // Row 2's caption is also a caption of row 0's image (say, a keyword both images have).
        boolean[][] positives = positives(5, new int[][] {{0, 2}});
        ContrastiveLoss.Parameters p = parameters(r, 1.0);
        ContrastiveLoss loss = new ContrastiveLoss(DIM, IMAGE_WIDTH, TEXT_WIDTH);
        double got = loss.loss(new ContrastiveLoss.Batch(images, texts, positives), p);
        assertEquals(plainSoftTargetLoss(images, texts, positives, p), got, 1e-12);
        assertTrue(Math.abs(got - plainClipLoss(images, texts, p, DIM)) > 1e-3, "not CLIP's one-hot loss");
    }

    @Test
    void aRepeatedImageRowGivesClipsLossEitherWay() {
        Random r = new Random(7);
        float[][] images = rows(r, 5, IMAGE_WIDTH);
        float[][] texts = rows(r, 5, TEXT_WIDTH);
        images[2] = images[0];
        ContrastiveLoss.Parameters p = parameters(r, 1.0);
        ContrastiveLoss loss = new ContrastiveLoss(DIM, IMAGE_WIDTH, TEXT_WIDTH);
        double marked = loss.loss(new ContrastiveLoss.Batch(images, texts, positives(5, new int[][] {{0, 2}, {2, 0}})),
                p);
        assertEquals(plainClipLoss(images, texts, p, DIM), marked, 1e-12);
    }

    @Test
    void theLogitScaleStopsAtOneHundred() {
        Random r = new Random(5);
        ContrastiveLoss loss = new ContrastiveLoss(DIM, IMAGE_WIDTH, TEXT_WIDTH);
        ContrastiveLoss.Batch batch = ContrastiveLoss.Batch.pairs(rows(r, 4, IMAGE_WIDTH), rows(r, 4, TEXT_WIDTH));
        ContrastiveLoss.Parameters high = parameters(r, Math.log(400));
        ContrastiveLoss.Parameters atCap = new ContrastiveLoss.Parameters(high.image(), high.text(), Math.log(100));
        ContrastiveLoss.Result above = loss.evaluate(batch, high);
        assertEquals(loss.loss(batch, atCap), above.loss(), 1e-12);
        assertEquals(0.0, above.gradient().logScale());
        assertTrue(loss.evaluate(batch, new ContrastiveLoss.Parameters(high.image(), high.text(), Math.log(50)))
                .gradient().logScale() != 0);
    }

    @Test
    void refusesAWrongShape() {
        ContrastiveLoss loss = new ContrastiveLoss(DIM, IMAGE_WIDTH, TEXT_WIDTH);
        Random r = new Random(6);
        ContrastiveLoss.Batch batch = ContrastiveLoss.Batch.pairs(rows(r, 3, IMAGE_WIDTH), rows(r, 3, TEXT_WIDTH));
        ContrastiveLoss.Parameters p = new ContrastiveLoss.Parameters(gaussian(r, DIM * IMAGE_WIDTH),
                gaussian(r, DIM * IMAGE_WIDTH), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.loss(batch, p));
        assertTrue(e.getMessage().contains("text projection"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new ContrastiveLoss.Batch(batch.images(), batch.texts(), new boolean[3][3]));
    }

    /** Largest |analytic - central difference| over every parameter, h = 1e-5 (double throughout). */
    private static double gradientError(ContrastiveLoss.Batch batch, ContrastiveLoss.Parameters p) {
        ContrastiveLoss loss = new ContrastiveLoss(DIM, IMAGE_WIDTH, TEXT_WIDTH);
        ContrastiveLoss.Parameters g = loss.evaluate(batch, p).gradient();
        double h = 1e-5;
        double worst = 0;
        double largest = Math.abs(g.logScale());
        for (double[] tensor : new double[][] {p.image(), p.text()}) {
            double[] grad = tensor == p.image() ? g.image() : g.text();
            for (int k = 0; k < tensor.length; k++) {
                int at = k;
                largest = Math.max(largest, Math.abs(grad[k]));
                worst = Math.max(worst, Math.abs(grad[k] - central(v -> {
                    double keep = tensor[at];
                    tensor[at] = v;
                    double l = loss.loss(batch, p);
                    tensor[at] = keep;
                    return l;
                }, tensor[k], h)));
            }
        }
        double dt = central(v -> loss.loss(batch, new ContrastiveLoss.Parameters(p.image(), p.text(), v)),
                p.logScale(), h);
        worst = Math.max(worst, Math.abs(g.logScale() - dt));
        System.out.printf("  (largest |gradient| %.3g, relative error %.3g)%n", largest, worst / largest);
        return worst;
    }

    private static double central(ToDoubleFunction<Double> f, double x, double h) {
        return (f.applyAsDouble(x + h) - f.applyAsDouble(x - h)) / (2 * h);
    }

    /**
     * CLIP's loss as in its paper's pseudocode, written out plainly: I_e = l2_normalize(W_i I), T_e likewise,
     * logits = I_e T_eᵀ e^t, loss = (CE over rows + CE over columns) / 2, labels = the diagonal.
     */
    private static double plainClipLoss(float[][] images, float[][] texts, ContrastiveLoss.Parameters p, int dim) {
        int n = images.length;
        double[][] ie = new double[n][];
        double[][] te = new double[n][];
        for (int i = 0; i < n; i++) {
            ie[i] = unit(times(p.image(), dim, images[i]));
            te[i] = unit(times(p.text(), dim, texts[i]));
        }
        double[][] logits = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int k = 0; k < dim; k++) {
                    dot += ie[i][k] * te[j][k];
                }
                logits[i][j] = dot * Math.exp(p.logScale());
            }
        }
        double lossImages = 0;
        double lossTexts = 0;
        for (int i = 0; i < n; i++) {
            double rowSum = 0;
            double columnSum = 0;
            for (int j = 0; j < n; j++) {
                rowSum += Math.exp(logits[i][j]);
                columnSum += Math.exp(logits[j][i]);
            }
            lossImages += -Math.log(Math.exp(logits[i][i]) / rowSum);
            lossTexts += -Math.log(Math.exp(logits[i][i]) / columnSum);
        }
        return (lossImages / n + lossTexts / n) / 2;
    }

    /** The same with row i's target spread evenly over its positives (and column j's over its). */
    private static double plainSoftTargetLoss(float[][] images, float[][] texts, boolean[][] positives,
                                              ContrastiveLoss.Parameters p) {
        int n = images.length;
        double[][] logits = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double[] a = unit(times(p.image(), DIM, images[i]));
                double[] b = unit(times(p.text(), DIM, texts[j]));
                logits[i][j] = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) * Math.exp(p.logScale());
            }
        }
        double rows = 0;
        double columns = 0;
        for (int i = 0; i < n; i++) {
            double rowSum = 0;
            double columnSum = 0;
            int rowMatches = 0;
            int columnMatches = 0;
            for (int j = 0; j < n; j++) {
                rowSum += Math.exp(logits[i][j]);
                columnSum += Math.exp(logits[j][i]);
                rowMatches += positives[i][j] ? 1 : 0;
                columnMatches += positives[j][i] ? 1 : 0;
            }
            for (int j = 0; j < n; j++) {
                if (positives[i][j]) {
                    rows += -Math.log(Math.exp(logits[i][j]) / rowSum) / rowMatches;
                }
                if (positives[j][i]) {
                    columns += -Math.log(Math.exp(logits[j][i]) / columnSum) / columnMatches;
                }
            }
        }
        return (rows / n + columns / n) / 2;
    }

    private static double[] times(double[] w, int dim, float[] x) {
        double[] out = new double[dim];
        for (int k = 0; k < dim; k++) {
            for (int j = 0; j < x.length; j++) {
                out[k] += w[k * x.length + j] * x[j];
            }
        }
        return out;
    }

    private static double[] unit(double[] v) {
        double norm = 0;
        for (double x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        double[] out = new double[v.length];
        for (int k = 0; k < v.length; k++) {
            out[k] = v[k] / norm;
        }
        return out;
    }

    private static boolean[][] positives(int n, int[][] extra) {
        boolean[][] m = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            m[i][i] = true;
        }
        for (int[] e : extra) {
            m[e[0]][e[1]] = true;
        }
        return m;
    }

    private static ContrastiveLoss.Parameters parameters(Random r, double logScale) {
        return new ContrastiveLoss.Parameters(gaussian(r, DIM * IMAGE_WIDTH), gaussian(r, DIM * TEXT_WIDTH), logScale);
    }

    private static double[] gaussian(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    static float[][] rows(Random r, int n, int width) {
        float[][] m = new float[n][width];
        for (float[] row : m) {
            for (int j = 0; j < width; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        return m;
    }
}
