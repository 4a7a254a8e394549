package clipbench.protocol.align;

import java.util.stream.IntStream;

/**
 * The dense arithmetic of the contrastive loss, in double. Loops run in parallel over output rows only; each value
 * is summed by one task in one fixed order, so results do not depend on the number of threads.
 */
final class RowMath {
    private RowMath() {
    }

    /** {@code W x} for every row: W is [out][in] row-major, rows [n][in] → [n][out]. */
    static double[][] project(double[] w, int out, int in, float[][] rows) {
        double[][] a = new double[rows.length][out];
        IntStream.range(0, rows.length).parallel().forEach(n -> {
            float[] x = rows[n];
            for (int k = 0; k < out; k++) {
                double s = 0;
                int o = k * in;
                for (int j = 0; j < in; j++) {
                    s += w[o + j] * x[j];
                }
                a[n][k] = s;
            }
        });
        return a;
    }

    /** {@code dW = dAᵀ X}: the gradient of {@link #project}'s W, [out][in] row-major. */
    static double[] weightGradient(double[][] da, float[][] rows, int out, int in) {
        double[] g = new double[out * in];
        IntStream.range(0, out).parallel().forEach(k -> {
            int o = k * in;
            for (int n = 0; n < rows.length; n++) {
                double d = da[n][k];
                float[] x = rows[n];
                for (int j = 0; j < in; j++) {
                    g[o + j] += d * x[j];
                }
            }
        });
        return g;
    }

    /** Unit-length copies of the rows (a zero row stays zero); each row's norm goes to {@code norms}. */
    static double[][] normalize(double[][] a, double[] norms) {
        double[][] z = new double[a.length][];
        for (int n = 0; n < a.length; n++) {
            double sum = 0;
            for (double v : a[n]) {
                sum += v * v;
            }
            norms[n] = Math.sqrt(sum);
            double inv = norms[n] > 0 ? 1 / norms[n] : 0;
            z[n] = new double[a[n].length];
            for (int k = 0; k < a[n].length; k++) {
                z[n][k] = a[n][k] * inv;
            }
        }
        return z;
    }

    /** Back through {@code z = a / ||a||}: {@code da = (dz - z (z · dz)) / ||a||}; a zero row passes nothing. */
    static double[][] normalizeBackward(double[][] z, double[] norms, double[][] dz) {
        double[][] da = new double[dz.length][dz[0].length];
        for (int n = 0; n < dz.length; n++) {
            if (norms[n] == 0) {
                continue;
            }
            double along = 0;
            for (int k = 0; k < dz[n].length; k++) {
                along += z[n][k] * dz[n][k];
            }
            for (int k = 0; k < dz[n].length; k++) {
                da[n][k] = (dz[n][k] - z[n][k] * along) / norms[n];
            }
        }
        return da;
    }

    /** {@code a bᵀ}: [a.length][b.length]. */
    static double[][] products(double[][] a, double[][] b) {
        double[][] s = new double[a.length][b.length];
        IntStream.range(0, a.length).parallel().forEach(i -> {
            for (int j = 0; j < b.length; j++) {
                double sum = 0;
                for (int k = 0; k < a[i].length; k++) {
                    sum += a[i][k] * b[j][k];
                }
                s[i][j] = sum;
            }
        });
        return s;
    }

    /** {@code g b} (or {@code gᵀ b} when {@code transpose}), g square [n][n], b [n][d]. */
    static double[][] times(double[][] g, boolean transpose, double[][] b) {
        int n = g.length;
        int d = b[0].length;
        double[][] out = new double[n][d];
        IntStream.range(0, n).parallel().forEach(i -> {
            for (int j = 0; j < n; j++) {
                double c = transpose ? g[j][i] : g[i][j];
                for (int k = 0; k < d; k++) {
                    out[i][k] += c * b[j][k];
                }
            }
        });
        return out;
    }

    static double[] widen(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    static float[] narrow(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
