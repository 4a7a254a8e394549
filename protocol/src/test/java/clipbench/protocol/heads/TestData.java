package clipbench.protocol.heads;

import java.util.Random;

/** Seeded Gaussian clusters of L2-normalised rows for the head tests. */
final class TestData {
    final float[][] x;
    final int[] y;

    private TestData(float[][] x, int[] y) {
        this.x = x;
        this.y = y;
    }

    /** Unit random class means (seeded by meanSeed), rows = normalise(mean_c + noise * N(0, I)), classes in turn. */
    static float[][] means(int classes, int dim, long meanSeed) {
        Random r = new Random(meanSeed);
        float[][] m = new float[classes][dim];
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < dim; j++) {
                m[c][j] = (float) r.nextGaussian();
            }
            normalize(m[c]);
        }
        return m;
    }

    static TestData clusters(float[][] means, int perClass, double noise, long seed) {
        Random r = new Random(seed);
        int classes = means.length;
        int dim = means[0].length;
        float[][] x = new float[classes * perClass][];
        int[] y = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            int c = i % classes;
            float[] row = new float[dim];
            for (int j = 0; j < dim; j++) {
                row[j] = means[c][j] + (float) (noise * r.nextGaussian());
            }
            x[i] = normalize(row);
            y[i] = c;
        }
        return new TestData(x, y);
    }

    static float[] normalize(float[] v) {
        double s = 0;
        for (float a : v) {
            s += (double) a * a;
        }
        float inv = (float) (1 / Math.sqrt(s));
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
        return v;
    }

    static double accuracy(float[][] logits, int[] labels) {
        int ok = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < logits[i].length; c++) {
                if (logits[i][c] > logits[i][best]) {
                    best = c;
                }
            }
            ok += best == labels[i] ? 1 : 0;
        }
        return (double) ok / labels.length;
    }
}
