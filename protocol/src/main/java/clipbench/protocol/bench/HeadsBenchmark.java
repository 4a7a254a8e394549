package clipbench.protocol.bench;

import clipbench.api.spi.Head;
import clipbench.api.spi.HeadInputs;
import clipbench.protocol.Evaluation;
import clipbench.protocol.Vectors;
import clipbench.protocol.ZeroShotHeadProvider;
import clipbench.protocol.heads.LiteHeadProvider;
import clipbench.protocol.heads.ProHeadProvider;
import java.util.Locale;
import java.util.Random;

/**
 * Times the LITE and PRO heads on synthetic CLIP-like features (a benchmark, not a test).
 *
 * <p>Data: {@code classes} Gaussian clusters in {@code d} dimensions; row = normalise(shared + mean_c +
 * 0.3 * noise) with unit random class means, a shared component (CLIP embeddings share a large common
 * direction) and isotropic noise of 0.3 per dimension, so neighbouring clusters overlap (roughly 90 %
 * Bayes accuracy at 10 classes). The class "text embeddings" are normalise(mean_c + noise of norm 0.8), so
 * zero-shot is informative but imperfect. {@code n} training rows, plus n/5 validation rows (for the L2
 * sweep and early stopping) and n/5 test rows, all drawn with the seed.
 *
 * <p>Each head is timed by wall clock around {@code fit} only, after one warm-up fit of both heads on a
 * small problem of the same shape (so the JIT has compiled the kernels).
 */
public final class HeadsBenchmark {
    static final double NOISE = 0.3;
    static final double SHARED = 1.0;
    static final double TEXT_NOISE = 0.8;

    private HeadsBenchmark() {
    }

    /** A synthetic problem: training (with validation) inputs, and test rows. */
    public record Synthetic(HeadInputs inputs, float[][] testFeatures, int[] testLabels) {
    }

    /** The measured figures. */
    public record Result(int n, int d, int classes, int validationRows, int testRows,
                         double liteSeconds, double liteTrainAccuracy, double liteTestAccuracy,
                         String liteLambda, String liteLambdaSweep,
                         double proSeconds, double proTrainAccuracy, double proTestAccuracy,
                         String proEpochs, String proScale, double zeroShotTestAccuracy) {
        public String format() {
            return String.format(Locale.ROOT,
                    "heads benchmark: n=%d d=%d classes=%d (validation %d, test %d rows), %d cores%n"
                            + "  lite: %.2f s  train acc %.4f  test acc %.4f  l2 %s (sweep %s)%n"
                            + "  pro:  %.2f s  train acc %.4f  test acc %.4f  epochs %s  scale %s%n"
                            + "  zero-shot test acc %.4f%n",
                    n, d, classes, validationRows, testRows, Runtime.getRuntime().availableProcessors(),
                    liteSeconds, liteTrainAccuracy, liteTestAccuracy, liteLambda, liteLambdaSweep,
                    proSeconds, proTrainAccuracy, proTestAccuracy, proEpochs, proScale, zeroShotTestAccuracy);
        }
    }

    /** Seeded synthetic data: n training rows, n/5 validation rows, n/5 test rows (at least one per class each). */
    public static Synthetic synthetic(int n, int d, int classes, long seed) {
        if (n < classes || d < 1 || classes < 2) {
            throw new IllegalArgumentException("need n >= classes >= 2 and d >= 1");
        }
        Random random = new Random(seed);
        float[] shared = gaussian(random, d, 1.0);
        Vectors.normalize(shared);
        float[][] means = new float[classes][];
        float[][] text = new float[classes][];
        for (int c = 0; c < classes; c++) {
            means[c] = Vectors.normalize(gaussian(random, d, 1.0));
            float[] t = Vectors.normalize(gaussian(random, d, 1.0));
            float[] tc = new float[d];
            for (int j = 0; j < d; j++) {
                tc[j] = means[c][j] + (float) TEXT_NOISE * t[j];
            }
            text[c] = Vectors.normalize(tc);
        }
        int nv = Math.max(classes, n / 5);
        float[][] trainX = new float[n][];
        int[] trainY = new int[n];
        fill(random, trainX, trainY, shared, means);
        float[][] valX = new float[nv][];
        int[] valY = new int[nv];
        fill(random, valX, valY, shared, means);
        float[][] testX = new float[nv][];
        int[] testY = new int[nv];
        fill(random, testX, testY, shared, means);
        HeadInputs in = new HeadInputs(classes, text, 100.0, trainX, trainY, valX, valY, seed);
        return new Synthetic(in, testX, testY);
    }

    private static void fill(Random random, float[][] x, int[] y, float[] shared, float[][] means) {
        int d = shared.length;
        for (int i = 0; i < x.length; i++) {
            int c = i % means.length;
            float[] row = gaussian(random, d, NOISE);
            for (int j = 0; j < d; j++) {
                row[j] += (float) SHARED * shared[j] + means[c][j];
            }
            x[i] = Vectors.normalize(row);
            y[i] = c;
        }
    }

    private static float[] gaussian(Random random, int d, double sigma) {
        float[] v = new float[d];
        for (int j = 0; j < d; j++) {
            v[j] = (float) (sigma * random.nextGaussian());
        }
        return v;
    }

    public static Result run(int n, int d, int classes, long seed) {
        Synthetic warm = synthetic(Math.min(n, Math.max(classes * 20, 2000)), d, classes, seed + 1);
        new LiteHeadProvider().fit(warm.inputs());
        new ProHeadProvider().fit(warm.inputs());

        Synthetic s = synthetic(n, d, classes, seed);
        HeadInputs in = s.inputs();

        long t0 = System.nanoTime();
        Head lite = new LiteHeadProvider().fit(in);
        long t1 = System.nanoTime();
        Head pro = new ProHeadProvider().fit(in);
        long t2 = System.nanoTime();
        Head zero = new ZeroShotHeadProvider().fit(HeadInputs.zeroShot(in.classTextEmbeddings(), in.logitScale()));

        return new Result(n, d, classes, in.valFeatures().length, s.testFeatures().length,
                (t1 - t0) / 1e9, accuracy(lite, in.trainFeatures(), in.trainLabels(), classes),
                accuracy(lite, s.testFeatures(), s.testLabels(), classes),
                lite.selected().get("l2"), lite.selected().getOrDefault("l2_sweep", "-"),
                (t2 - t1) / 1e9, accuracy(pro, in.trainFeatures(), in.trainLabels(), classes),
                accuracy(pro, s.testFeatures(), s.testLabels(), classes),
                pro.selected().get("epochs"), pro.selected().get("scale"),
                accuracy(zero, s.testFeatures(), s.testLabels(), classes));
    }

    static double accuracy(Head head, float[][] x, int[] y, int classes) {
        return Evaluation.of(head.logits(x), y, classes).top1();
    }

    /** {@code HeadsBenchmark [n [d [classes [seed]]]]}, defaults 60000 512 10 42. */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 60_000;
        int d = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int classes = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 42L;
        System.out.print(run(n, d, classes, seed).format());
    }
}
