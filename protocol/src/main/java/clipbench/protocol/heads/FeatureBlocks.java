package clipbench.protocol.heads;

import java.util.concurrent.ForkJoinTask;
import java.util.ArrayList;
import java.util.List;

/**
 * Feature rows prepared for the fast softmax kernel: rows are grouped into blocks of {@link #BLOCK} rows,
 * and each block also keeps a transposed copy ({@code xt[block][j]} is one {@code float[BLOCK]} holding
 * feature {@code j} of every row of the block, zero padded).
 *
 * <p>Why two layouts: HotSpot C2 (JDK 17) auto-vectorises {@code y[i] += s * x[i]} only when both arrays
 * are indexed by the same expression (no per-array offsets; a float dot-product reduction stays scalar).
 * The forward pass is therefore an axpy over the transposed block (logits of 256 rows at once for one
 * feature), the gradient pass an axpy over the original row arrays (which are referenced, not copied).
 */
final class FeatureBlocks {
    /** Rows per block. */
    static final int BLOCK = 256;

    final int rows;
    final int dim;
    final int blocks;
    /** Row arrays in block order (references to the caller's arrays). */
    final float[][] data;
    /** Labels in block order, or null (logits only). */
    final int[] labels;
    /** Index of each block-ordered row in the caller's array. */
    final int[] source;
    /** Transposed blocks: xt[b][j][r] = data[b * BLOCK + r][j]. */
    final float[][][] xt;

    /**
     * @param features all rows (normalised)
     * @param labels   their labels, or null
     * @param order    which rows, in which order (indices into features), or null for all in order
     */
    FeatureBlocks(float[][] features, int[] labels, int[] order) {
        int n = order == null ? features.length : order.length;
        if (n == 0) {
            throw new IllegalArgumentException("no feature rows");
        }
        this.rows = n;
        this.dim = features[order == null ? 0 : order[0]].length;
        this.blocks = (n + BLOCK - 1) / BLOCK;
        this.data = new float[n][];
        this.source = new int[n];
        this.labels = labels == null ? null : new int[n];
        for (int i = 0; i < n; i++) {
            int s = order == null ? i : order[i];
            float[] row = features[s];
            if (row.length != dim) {
                throw new IllegalArgumentException("feature row " + s + " has " + row.length + " values, expected " + dim);
            }
            data[i] = row;
            source[i] = s;
            if (labels != null) {
                this.labels[i] = labels[s];
            }
        }
        this.xt = new float[blocks][][];
        List<ForkJoinTask<?>> tasks = new ArrayList<>();
        int parts = Math.min(blocks, SoftmaxKernel.MAX_CHUNKS);
        for (int p = 0; p < parts; p++) {
            int from = (int) ((long) blocks * p / parts);
            int to = (int) ((long) blocks * (p + 1) / parts);
            tasks.add(ForkJoinTask.adapt(() -> {
                for (int b = from; b < to; b++) {
                    xt[b] = transpose(b);
                }
            }));
        }
        SoftmaxKernel.runAll(tasks);
    }

    private float[][] transpose(int b) {
        float[][] t = new float[dim][BLOCK];
        int start = b * BLOCK;
        int len = length(b);
        for (int r = 0; r < len; r++) {
            float[] row = data[start + r];
            for (int j = 0; j < dim; j++) {
                t[j][r] = row[j];
            }
        }
        return t;
    }

    int start(int block) {
        return block * BLOCK;
    }

    int length(int block) {
        return Math.min(BLOCK, rows - block * BLOCK);
    }

    /** Block ids 0..blocks-1. */
    int[] allBlocks() {
        int[] ids = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            ids[b] = b;
        }
        return ids;
    }

    static void checkLabels(int[] labels, int classes, String what) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(what + " label " + labels[i] + " at row " + i
                        + " is outside 0.." + (classes - 1));
            }
        }
    }
}
