package clipbench.protocol;

/** Small dense-vector helpers shared by heads and the pipeline. */
public final class Vectors {
    private Vectors() {
    }

    /** L2-normalises a row in place (a zero row stays zero) and returns it. */
    public static float[] normalize(float[] row) {
        double sum = 0;
        for (float v : row) {
            sum += (double) v * v;
        }
        if (sum > 0) {
            float inv = (float) (1.0 / Math.sqrt(sum));
            for (int i = 0; i < row.length; i++) {
                row[i] *= inv;
            }
        }
        return row;
    }

    public static float[][] normalizeRows(float[][] rows) {
        for (float[] row : rows) {
            normalize(row);
        }
        return rows;
    }

    public static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** {@code scale * a . b^T} for every row pair: [a.length][b.length]. */
    public static float[][] scaledProducts(float[][] a, float[][] b, double scale) {
        float[][] out = new float[a.length][b.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                out[i][j] = (float) (scale * dot(a[i], b[j]));
            }
        }
        return out;
    }
}
