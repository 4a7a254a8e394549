package clipbench.protocol.finetune;

import java.util.ArrayList;
import java.util.List;

/** Small helpers over the trainer's float tensors, and the two pieces of the loss between the top and the head. */
final class Tensors {
    private Tensors() {
    }

    static void store(double[] from, float[] to) {
        for (int i = 0; i < from.length; i++) {
            to[i] = (float) from[i];
        }
    }

    /** The rows [n][d] as one row-major array [n * d]. */
    static float[] flatten(float[][] rows) {
        int d = rows[0].length;
        float[] out = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * d, d);
        }
        return out;
    }

    static List<float[]> copy(List<float[]> values) {
        List<float[]> out = new ArrayList<>(values.size());
        values.forEach(v -> out.add(v.clone()));
        return out;
    }

    static List<float[]> zerosLike(List<float[]> values) {
        List<float[]> out = new ArrayList<>(values.size());
        values.forEach(v -> out.add(new float[v.length]));
        return out;
    }

    static long count(List<float[]> values) {
        return values.stream().mapToLong(v -> v.length).sum();
    }

    /** L2-normalised copies of the rows (a zero row stays zero, as {@code Vectors.normalize} leaves it); norms out. */
    static float[][] normalize(float[][] rows, double[] norms) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            double sum = 0;
            for (float x : rows[i]) {
                sum += (double) x * x;
            }
            norms[i] = Math.sqrt(sum);
            out[i] = new float[rows[i].length];
            for (int j = 0; j < rows[i].length; j++) {
                out[i][j] = norms[i] > 0 ? (float) (rows[i][j] / norms[i]) : 0f;
            }
        }
        return out;
    }

    /**
     * Back through n = e / ||e||: de = (dn - n (n . dn)) / ||e|| (the Jacobian of normalisation projects out the
     * radial direction). A zero row passes no gradient.
     */
    static float[][] normalizeBackward(float[][] normalized, double[] norms, float[][] dn) {
        float[][] de = new float[dn.length][];
        for (int i = 0; i < dn.length; i++) {
            de[i] = new float[dn[i].length];
            if (norms[i] == 0) {
                continue;
            }
            double along = 0;
            for (int j = 0; j < dn[i].length; j++) {
                along += (double) normalized[i][j] * dn[i][j];
            }
            for (int j = 0; j < dn[i].length; j++) {
                de[i][j] = (float) ((dn[i][j] - normalized[i][j] * along) / norms[i]);
            }
        }
        return de;
    }

    /**
     * Mean softmax cross-entropy of the logits; {@code dz} (same shape, may be null) receives its gradient
     * (softmax - onehot) / rows.
     */
    static double crossEntropy(double[][] z, int[] labels, double[][] dz) {
        double sum = 0;
        int n = z.length;
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z[i]) {
                max = Math.max(max, v);
            }
            double norm = 0;
            for (double v : z[i]) {
                norm += Math.exp(v - max);
            }
            double logNorm = max + Math.log(norm);
            sum += logNorm - z[i][labels[i]];
            if (dz != null) {
                for (int c = 0; c < z[i].length; c++) {
                    dz[i][c] = (Math.exp(z[i][c] - logNorm) - (c == labels[i] ? 1 : 0)) / n;
                }
            }
        }
        return sum / n;
    }

    /** Rows whose arg-max (ties to the lower class) is the label. */
    static int correct(double[][] z, int[] labels) {
        int ok = 0;
        for (int i = 0; i < z.length; i++) {
            int best = 0;
            for (int c = 1; c < z[i].length; c++) {
                if (z[i][c] > z[i][best]) {
                    best = c;
                }
            }
            if (best == labels[i]) {
                ok++;
            }
        }
        return ok;
    }
}
