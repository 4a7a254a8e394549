package clipbench.protocol.heads;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Softmax cross-entropy over a linear map {@code z = W x + b}, its gradient sums, and logits: the inner
 * loop shared by LITE (L-BFGS) and PRO (Adam).
 *
 * <p>Work is split into at most {@link #MAX_CHUNKS} contiguous ranges of blocks whose partial sums are
 * added in a fixed order, so results are bit-identical whatever the number of cores. Chunks run on a
 * small daemon {@link ForkJoinPool} with one worker per core. Gradients are accumulated in float within
 * a 256-row block (vectorised axpy) and added into double per block. With L2-normalised rows the kernel is
 * limited by memory bandwidth (each evaluation streams the rows twice: transposed for the logits, as rows
 * for the gradient), so the heads keep the number of passes small rather than the arithmetic.
 *
 * <p>After {@link #evaluate} the fields hold, summed over the rows: {@link #lossSum} (cross-entropy),
 * {@link #correct} (arg-max == label, ties to the lower class), and with gradients, for g = softmax - onehot:
 * {@link #gradW}[c] = sum g_c x, {@link #gradB}[c] = sum g_c, {@link #gradZ}[c] = sum g_c z_c.
 */
final class SoftmaxKernel {
    static final int MAX_CHUNKS = 16;
    private static final int CLASS_TILE = 16;
    private static volatile ForkJoinPool pool;

    final int classes;
    final int dim;
    double lossSum;
    long correct;
    int rows;
    final double[][] gradW;
    final double[] gradB;
    final double[] gradZ;
    private final Chunk[] chunks = new Chunk[MAX_CHUNKS];

    SoftmaxKernel(int classes, int dim) {
        this.classes = classes;
        this.dim = dim;
        this.gradW = new double[classes][dim];
        this.gradB = new double[classes];
        this.gradZ = new double[classes];
    }

    static ForkJoinPool pool() {
        ForkJoinPool p = pool;
        if (p == null) {
            synchronized (SoftmaxKernel.class) {
                p = pool;
                if (p == null) {
                    p = new ForkJoinPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
                    pool = p;
                }
            }
        }
        return p;
    }

    /** Runs the tasks (in the pool when there are several) and waits for all; rethrows the first failure. */
    static void runAll(List<ForkJoinTask<?>> tasks) {
        if (tasks.isEmpty()) {
            return;
        }
        if (tasks.size() == 1) {
            tasks.get(0).invoke();
            return;
        }
        for (ForkJoinTask<?> t : tasks) {
            pool().execute(t);
        }
        for (ForkJoinTask<?> t : tasks) {
            t.join();
        }
    }

    /**
     * Loss (and gradient sums) over the blocks {@code blockIds[from..to)} of {@code data}.
     *
     * @param weights  [classes][dim]
     * @param bias     [classes], or null for none
     * @param gradient whether to fill gradW/gradB/gradZ
     */
    void evaluate(FeatureBlocks data, int[] blockIds, int from, int to, float[][] weights, float[] bias,
                  boolean gradient) {
        if (data.labels == null) {
            throw new IllegalArgumentException("evaluate needs labels");
        }
        int parts = Math.min(MAX_CHUNKS, to - from);
        List<ForkJoinTask<?>> tasks = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            Chunk ch = chunk(p);
            int a = from + (int) ((long) (to - from) * p / parts);
            int e = from + (int) ((long) (to - from) * (p + 1) / parts);
            tasks.add(ForkJoinTask.adapt(() -> ch.run(data, blockIds, a, e, weights, bias, gradient, null)));
        }
        runAll(tasks);
        lossSum = 0;
        correct = 0;
        rows = 0;
        if (gradient) {
            for (int c = 0; c < classes; c++) {
                Arrays.fill(gradW[c], 0);
            }
            Arrays.fill(gradB, 0);
            Arrays.fill(gradZ, 0);
        }
        for (int p = 0; p < parts; p++) {
            Chunk ch = chunks[p];
            lossSum += ch.loss;
            correct += ch.correct;
            rows += ch.rows;
            if (gradient) {
                for (int c = 0; c < classes; c++) {
                    double[] dst = gradW[c];
                    double[] src = ch.gw[c];
                    for (int j = 0; j < dim; j++) {
                        dst[j] += src[j];
                    }
                    gradB[c] += ch.gb[c];
                    gradZ[c] += ch.gz[c];
                }
            }
        }
    }

    /** Logits [data.source row][class] = W x + b for every row of data (rows come back in the caller's order). */
    float[][] logits(FeatureBlocks data, float[][] weights, float[] bias, int outputRows) {
        float[][] out = new float[outputRows][classes];
        int[] ids = data.allBlocks();
        int parts = Math.min(MAX_CHUNKS, ids.length);
        List<ForkJoinTask<?>> tasks = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            Chunk ch = chunk(p);
            int a = (int) ((long) ids.length * p / parts);
            int e = (int) ((long) ids.length * (p + 1) / parts);
            tasks.add(ForkJoinTask.adapt(() -> ch.run(data, ids, a, e, weights, bias, false, out)));
        }
        runAll(tasks);
        return out;
    }

    private Chunk chunk(int p) {
        Chunk ch = chunks[p];
        if (ch == null) {
            ch = new Chunk(classes, dim);
            chunks[p] = ch;
        }
        return ch;
    }

    /** y += a0 x0 + a1 x1 + a2 x2 + a3 x3 over the whole of y (vectorised like {@link #axpy}). */
    static void axpy4(float a0, float[] x0, float a1, float[] x1, float a2, float[] x2, float a3, float[] x3,
                      float[] y) {
        for (int i = 0; i < y.length; i++) {
            y[i] += a0 * x0[i] + a1 * x1[i] + a2 * x2[i] + a3 * x3[i];
        }
    }

    /** y += s * x over the whole of y (same index in both arrays, so C2 vectorises it). */
    static void axpy(float s, float[] x, float[] y) {
        for (int i = 0; i < y.length; i++) {
            y[i] += s * x[i];
        }
    }

    /**
     * Workspace and partial sums of one chunk of blocks. The buffers are allocated by the thread that first
     * runs the chunk (its own allocation buffer), and per-row sums live in locals, so two threads never
     * write to the same cache line.
     */
    private static final class Chunk {
        final int classes;
        final int dim;
        float[][] zb;
        /** Per-row gradient coefficients g[c][r] = softmax - onehot of the current block. */
        float[][] gRows;
        double[] p;
        float[][] gBlock;
        double[][] gw;
        double[] gb;
        double[] gz;
        double loss;
        long correct;
        int rows;

        Chunk(int classes, int dim) {
            this.classes = classes;
            this.dim = dim;
        }

        void run(FeatureBlocks data, int[] ids, int from, int to, float[][] w, float[] bias, boolean gradient,
                 float[][] logitsOut) {
            if (zb == null) {
                zb = new float[classes][FeatureBlocks.BLOCK];
                p = new double[classes];
                gb = new double[classes];
                gz = new double[classes];
            }
            if (gradient && gw == null) {
                gRows = new float[classes][FeatureBlocks.BLOCK];
                gBlock = new float[classes][dim];
                gw = new double[classes][dim];
            }
            loss = 0;
            correct = 0;
            rows = 0;
            if (gradient) {
                for (int c = 0; c < classes; c++) {
                    Arrays.fill(gw[c], 0);
                }
                Arrays.fill(gb, 0);
                Arrays.fill(gz, 0);
            }
            for (int i = from; i < to; i++) {
                block(data, ids[i], w, bias, gradient, logitsOut);
            }
        }

        private void block(FeatureBlocks data, int b, float[][] w, float[] bias, boolean gradient,
                           float[][] logitsOut) {
            final int nc = classes;
            final int d = dim;
            final float[][] z = zb;
            float[][] xt = data.xt[b];
            int start = data.start(b);
            int len = data.length(b);
            for (int c = 0; c < nc; c++) {
                Arrays.fill(z[c], bias == null ? 0f : bias[c]);
            }
            // forward: z[c][r] += w[c][j] * x[r][j], as an axpy over the 256 rows of the block; classes in
            // tiles of 16 so the logits being accumulated stay in L1 when there are many classes. Four
            // features per pass: one load and store of z[c] per four multiply-adds (1.8x faster than one).
            int d4 = d & ~3;
            for (int c0 = 0; c0 < nc; c0 += CLASS_TILE) {
                int c1 = Math.min(nc, c0 + CLASS_TILE);
                for (int j = 0; j < d4; j += 4) {
                    float[] x0 = xt[j];
                    float[] x1 = xt[j + 1];
                    float[] x2 = xt[j + 2];
                    float[] x3 = xt[j + 3];
                    for (int c = c0; c < c1; c++) {
                        float[] wc = w[c];
                        axpy4(wc[j], x0, wc[j + 1], x1, wc[j + 2], x2, wc[j + 3], x3, z[c]);
                    }
                }
                for (int j = d4; j < d; j++) {
                    float[] xj = xt[j];
                    for (int c = c0; c < c1; c++) {
                        axpy(w[c][j], xj, z[c]);
                    }
                }
            }
            if (logitsOut != null) {
                for (int r = 0; r < len; r++) {
                    float[] out = logitsOut[data.source[start + r]];
                    for (int c = 0; c < nc; c++) {
                        out[c] = z[c][r];
                    }
                }
                return;
            }
            int[] labels = data.labels;
            double[] e = p;
            float[][] gr = gRows;
            double blockLoss = 0;
            int blockCorrect = 0;
            for (int r = 0; r < len; r++) {
                int y = labels[start + r];
                float max = z[0][r];
                int arg = 0;
                for (int c = 1; c < nc; c++) {
                    float v = z[c][r];
                    if (v > max) {
                        max = v;
                        arg = c;
                    }
                }
                double sum = 0;
                for (int c = 0; c < nc; c++) {
                    double ec = Math.exp((double) z[c][r] - max);
                    e[c] = ec;
                    sum += ec;
                }
                blockLoss += max + Math.log(sum) - z[y][r];
                if (arg == y) {
                    blockCorrect++;
                }
                if (gradient) {
                    double inv = 1.0 / sum;
                    for (int c = 0; c < nc; c++) {
                        double g = e[c] * inv - (c == y ? 1.0 : 0.0);
                        gb[c] += g;
                        gz[c] += g * z[c][r];
                        gr[c][r] = (float) g;
                    }
                }
            }
            loss += blockLoss;
            correct += blockCorrect;
            rows += len;
            if (gradient) {
                // gBlock[c] += g[c][r] * x_r, four rows per pass (one load and store of gBlock[c] per four)
                float[][] x = data.data;
                int len4 = len & ~3;
                for (int r = 0; r < len4; r += 4) {
                    float[] x0 = x[start + r];
                    float[] x1 = x[start + r + 1];
                    float[] x2 = x[start + r + 2];
                    float[] x3 = x[start + r + 3];
                    for (int c = 0; c < nc; c++) {
                        float[] g = gr[c];
                        axpy4(g[r], x0, g[r + 1], x1, g[r + 2], x2, g[r + 3], x3, gBlock[c]);
                    }
                }
                for (int r = len4; r < len; r++) {
                    for (int c = 0; c < nc; c++) {
                        axpy(gr[c][r], x[start + r], gBlock[c]);
                    }
                }
                for (int c = 0; c < nc; c++) {
                    float[] src = gBlock[c];
                    double[] dst = gw[c];
                    for (int j = 0; j < d; j++) {
                        dst[j] += src[j];
                    }
                    Arrays.fill(src, 0f);
                }
            }
        }
    }
}
