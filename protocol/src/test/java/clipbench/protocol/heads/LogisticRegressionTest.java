package clipbench.protocol.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LogisticRegressionTest {
    /** The loss written out plainly in double: mean cross-entropy + lambda/2 ||W||^2 (bias unpenalised). */
    static double referenceLoss(double[] theta, float[][] x, int[] y, int classes, double lambda) {
        int d = x[0].length;
        double total = 0;
        for (int i = 0; i < x.length; i++) {
            double[] z = new double[classes];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                z[c] = theta[classes * d + c];
                for (int j = 0; j < d; j++) {
                    z[c] += theta[c * d + j] * x[i][j];
                }
                max = Math.max(max, z[c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(z[c] - max);
            }
            total += max + Math.log(sum) - z[y[i]];
        }
        double reg = 0;
        for (int k = 0; k < classes * d; k++) {
            reg += theta[k] * theta[k];
        }
        return total / x.length + 0.5 * lambda * reg;
    }

    @Test
    void gradientMatchesFiniteDifferencesOfTheLoss() {
        int classes = 4;
        int d = 6;
        TestData data = TestData.clusters(TestData.means(classes, d, 3), 10, 0.7, 4);
        float[][] x = java.util.Arrays.copyOf(data.x, 37); // 37 rows: one partial block
        int[] y = java.util.Arrays.copyOf(data.y, 37);
        double lambda = 0.3;
        Random r = new Random(5);
        double[] theta = new double[classes * d + classes];
        for (int k = 0; k < theta.length; k++) {
            theta[k] = r.nextGaussian();
        }
        LogisticRegression.Objective objective =
                new LogisticRegression.Objective(new FeatureBlocks(x, y, null), classes, lambda);
        double[] grad = new double[theta.length];
        double value = objective.evaluate(theta, grad);
        double reference = referenceLoss(theta, x, y, classes, lambda);
        assertEquals(reference, value, 1e-5 * Math.abs(reference));
        double h = 1e-5;
        double worst = 0;
        for (int k = 0; k < theta.length; k++) {
            double[] plus = theta.clone();
            double[] minus = theta.clone();
            plus[k] += h;
            minus[k] -= h;
            double fd = (referenceLoss(plus, x, y, classes, lambda) - referenceLoss(minus, x, y, classes, lambda))
                    / (2 * h);
            assertEquals(fd, grad[k], 1e-5 + 1e-4 * Math.abs(fd), "parameter " + k
                    + (k >= classes * d ? " (bias)" : ""));
            worst = Math.max(worst, Math.abs(fd));
        }
        assertTrue(worst > 0.01, "the check is meaningful only with non-trivial gradients");
    }

    @Test
    void blockedKernelAgreesWithAPlainComputationAcrossBlocksAndRowOrder() {
        int classes = 5;
        int d = 40;
        int n = 2 * FeatureBlocks.BLOCK + 37; // two full blocks and a partial one
        TestData data = TestData.clusters(TestData.means(classes, d, 8), n / classes + 1, 0.5, 9);
        float[][] x = java.util.Arrays.copyOf(data.x, n);
        int[] y = java.util.Arrays.copyOf(data.y, n);
        Random r = new Random(10);
        float[][] w = new float[classes][d];
        float[] b = new float[classes];
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < d; j++) {
                w[c][j] = (float) (3 * r.nextGaussian());
            }
            b[c] = (float) r.nextGaussian();
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = (i * 7919) % n; // a permutation (7919 is prime and does not divide n)
        }
        FeatureBlocks blocks = new FeatureBlocks(x, y, order);
        SoftmaxKernel kernel = new SoftmaxKernel(classes, d);
        int[] ids = blocks.allBlocks();
        kernel.evaluate(blocks, ids, 0, ids.length, w, b, true);

        double loss = 0;
        int correct = 0;
        double[][] gw = new double[classes][d];
        double[] gb = new double[classes];
        for (int i = 0; i < n; i++) {
            double[] z = new double[classes];
            int arg = 0;
            for (int c = 0; c < classes; c++) {
                z[c] = b[c];
                for (int j = 0; j < d; j++) {
                    z[c] += (double) w[c][j] * x[i][j];
                }
                if (z[c] > z[arg]) {
                    arg = c;
                }
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(z[c] - z[arg]);
            }
            loss += z[arg] + Math.log(sum) - z[y[i]];
            correct += arg == y[i] ? 1 : 0;
            for (int c = 0; c < classes; c++) {
                double g = Math.exp(z[c] - z[arg]) / sum - (c == y[i] ? 1 : 0);
                gb[c] += g;
                for (int j = 0; j < d; j++) {
                    gw[c][j] += g * x[i][j];
                }
            }
        }
        assertEquals(n, kernel.rows);
        assertEquals(correct, kernel.correct);
        assertEquals(loss, kernel.lossSum, 1e-4 * Math.abs(loss));
        for (int c = 0; c < classes; c++) {
            assertEquals(gb[c], kernel.gradB[c], 1e-3);
            for (int j = 0; j < d; j++) {
                assertEquals(gw[c][j], kernel.gradW[c][j], 1e-3, "gradient " + c + "," + j);
            }
        }
        float[][] logits = new SoftmaxKernel(classes, d).logits(blocks, w, b, n);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < classes; c++) {
                double z = b[c];
                for (int j = 0; j < d; j++) {
                    z += (double) w[c][j] * x[i][j];
                }
                assertEquals(z, logits[i][c], 1e-4, "logit of row " + i + " class " + c);
            }
        }
    }

    @Test
    void sweepPrefersHigherAccuracyThenLowerLossThenLargerLambda() {
        LogisticRegression.Fit a = fit(-2, 0.9, 0.5);
        LogisticRegression.Fit b = fit(-3, 0.8, 0.1);
        LogisticRegression.Fit c = fit(-4, 0.9, 0.4);
        LogisticRegression.Fit e = fit(-5, 0.9, 0.4);
        assertTrue(LogisticRegression.better(a, b), "accuracy first");
        assertTrue(LogisticRegression.better(c, a), "then lower loss");
        assertTrue(LogisticRegression.better(c, e), "then larger lambda");
    }

    private static LogisticRegression.Fit fit(double exponent, double accuracy, double loss) {
        return new LogisticRegression.Fit(exponent, Math.pow(10, exponent), new double[0],
                new LogisticRegression.Score(accuracy, loss), null);
    }
}
