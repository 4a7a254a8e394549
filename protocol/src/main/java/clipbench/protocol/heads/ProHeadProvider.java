package clipbench.protocol.heads;

import clipbench.api.spi.Head;
import clipbench.api.spi.HeadInputs;
import clipbench.api.spi.HeadProvider;
import clipbench.protocol.Vectors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * PRO: a cosine-similarity head started from the zero-shot classifier. Class vectors v_c start at the class
 * text embeddings, logits = s * cos(x, v_c) with s = exp(t) learnable and t starting at ln(logitScale), so
 * before any step PRO is the zero-shot head. Trained on mean cross-entropy with Adam (lr {@value #LEARNING_RATE},
 * betas 0.9 / 0.999, eps 1e-8, no weight decay).
 *
 * <p><b>Batches.</b> Training rows are shuffled once with the seed into blocks of 256; each epoch visits the
 * blocks in a new seeded order, {@value #BATCH_BLOCKS} blocks (2048 rows) per Adam step; with at most that
 * many rows every step is full-batch.
 *
 * <p><b>Early stopping.</b> After every epoch (and before the first) the head is scored on the validation
 * rows: higher accuracy wins, ties go to the lower cross-entropy. Training stops after {@code patience}
 * epochs without a better score, or after {@code maxEpochs}; the best weights are kept (so on its validation
 * rows PRO never scores below its zero-shot start). With s steps per epoch, patience = max(5, ceil(50 / s))
 * and maxEpochs = max(30, ceil({@value #MAX_STEPS} / s)). Without validation rows the same fallback as LITE's holds out
 * max(1, floor(n_c / 5)) rows of every class with at least 2 rows; if no class has 2 rows, it trains for
 * {@value #EPOCHS_WITHOUT_VALIDATION} epochs on all rows and keeps the last weights.
 *
 * <p>With no training rows it is exactly zero-shot: logits = logitScale * dot(x, text_c), the same floats as
 * {@code ZeroShotHeadProvider}, and {@link Head#trainableParameters()} is 0 (nothing was trained); otherwise
 * it is d * C + 1. {@link Head#selected()}: {@code epochs} (run), {@code best_epoch}, {@code scale} (s of the
 * returned weights), {@code lr}, {@code stop_rule} ({@code validation}, {@code held-out}, {@code fixed}).
 */
public final class ProHeadProvider implements HeadProvider {
    public static final String ID = "pro";
    public static final double LEARNING_RATE = 1e-3;
    static final int BATCH_BLOCKS = 8;
    static final int EPOCHS_WITHOUT_VALIDATION = 20;
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;
    static final int MAX_STEPS = 3000;
    /** Early stopping: patience = max(PATIENCE_MIN_EPOCHS, ceil(PATIENCE_STEPS / steps per epoch)). */
    static final int PATIENCE_MIN_EPOCHS = 5;
    static final int PATIENCE_STEPS = 50;
    /** With validation rows: maxEpochs = max(MIN_MAX_EPOCHS, ceil(maxSteps / steps per epoch)). */
    static final int MIN_MAX_EPOCHS = 30;

    private final double learningRate;
    private final int maxSteps;

    public ProHeadProvider() {
        this(LEARNING_RATE, MAX_STEPS);
    }

    /** For experiments and tests: another Adam learning rate and step budget. */
    ProHeadProvider(double learningRate, int maxSteps) {
        this.learningRate = learningRate;
        this.maxSteps = maxSteps;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "cosine head started from the text embeddings, learnable scale, Adam with early stopping";
    }

    @Override
    public boolean needsText() {
        return true;
    }

    @Override
    public boolean trainable() {
        return true;
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", "logits = s * cos(x, v_c), v_c started at the class text embeddings, s = exp(t) learnable,"
                + " t started at ln(logit_scale)");
        m.put("objective", "mean cross-entropy");
        m.put("optimiser", "Adam");
        m.put("learning_rate", learningRate);
        m.put("beta1", BETA1);
        m.put("beta2", BETA2);
        m.put("eps", EPS);
        m.put("weight_decay", 0.0);
        m.put("batch_rows", BATCH_BLOCKS * FeatureBlocks.BLOCK);
        m.put("max_steps", maxSteps);
        m.put("patience_epochs", "max(" + PATIENCE_MIN_EPOCHS + ", ceil(" + PATIENCE_STEPS + " / steps per epoch))");
        m.put("max_epochs", "max(" + MIN_MAX_EPOCHS + ", ceil(max_steps / steps per epoch))");
        m.put("epochs_without_validation", EPOCHS_WITHOUT_VALIDATION);
        m.put("hold_out", ValidationSplit.HOLD_OUT_RULE);
        m.put("selection", "best validation accuracy, ties to lower cross-entropy; best weights kept");
        return m;
    }

    @Override
    public Head fit(HeadInputs in) {
        float[][] text = in.classTextEmbeddings();
        if (text == null) {
            throw new IllegalArgumentException("pro needs class text embeddings (a text tower)");
        }
        double logitScale = in.logitScale();
        if (in.trainFeatures().length == 0) {
            return zeroShot(text, logitScale, learningRate);
        }
        int classes = in.numClasses();
        int dim = text[0].length;
        float[][] x = in.trainFeatures();
        int[] y = in.trainLabels();
        FeatureBlocks.checkLabels(y, classes, "training");
        FeatureBlocks.checkLabels(in.valLabels(), classes, "validation");
        if (x[0].length != dim) {
            throw new IllegalArgumentException("features have " + x[0].length + " values, text embeddings " + dim);
        }
        ValidationSplit split = ValidationSplit.choose(in, x, y, "fixed");
        x = split.trainX();
        y = split.trainY();
        SplittableRandom random = new SplittableRandom(in.seed() ^ 0x9E3779B97F4A7C15L);
        int[] order = new int[x.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Splits.shuffle(order, random);
        FeatureBlocks train = new FeatureBlocks(x, y, order);
        FeatureBlocks val = split.hasValidation() ? new FeatureBlocks(split.valX(), split.valY(), null) : null;
        return new Trainer(classes, dim, text, Math.log(logitScale), learningRate, maxSteps)
                .train(train, val, random, split.rule());
    }

    private static Head zeroShot(float[][] text, double logitScale, double learningRate) {
        Map<String, String> selected = new LinkedHashMap<>();
        selected.put("epochs", "0");
        selected.put("best_epoch", "0");
        selected.put("scale", Double.toString(logitScale));
        selected.put("lr", Double.toString(learningRate));
        selected.put("stop_rule", "zero-shot");
        Map<String, String> fixed = Map.copyOf(selected);
        return new Head() {
            @Override
            public float[][] logits(float[][] embeddings) {
                return Vectors.scaledProducts(embeddings, text, logitScale);
            }

            @Override
            public long trainableParameters() {
                return 0;
            }

            @Override
            public Map<String, String> selected() {
                return fixed;
            }
        };
    }

    /** Adam on (V, t). */
    static final class Trainer {
        final int classes;
        final int dim;
        final double[][] v;
        double t;
        final double[][] m1;
        final double[][] m2;
        double mt1;
        double mt2;
        long steps;
        final double[] norms;
        final float[][] u;
        final SoftmaxKernel kernel;
        final double learningRate;
        final int maxSteps;

        Trainer(int classes, int dim, float[][] text, double t0, double learningRate, int maxSteps) {
            this.learningRate = learningRate;
            this.maxSteps = maxSteps;
            this.classes = classes;
            this.dim = dim;
            this.v = new double[classes][dim];
            for (int c = 0; c < classes; c++) {
                for (int j = 0; j < dim; j++) {
                    v[c][j] = text[c][j];
                }
            }
            this.t = t0;
            this.m1 = new double[classes][dim];
            this.m2 = new double[classes][dim];
            this.norms = new double[classes];
            this.u = new float[classes][dim];
            this.kernel = new SoftmaxKernel(classes, dim);
        }

        /** u = s * v / ||v|| (the effective linear weights). */
        void effectiveWeights() {
            double s = Math.exp(t);
            for (int c = 0; c < classes; c++) {
                double sum = 0;
                for (double a : v[c]) {
                    sum += a * a;
                }
                double norm = Math.max(Math.sqrt(sum), 1e-12);
                norms[c] = norm;
                double k = s / norm;
                for (int j = 0; j < dim; j++) {
                    u[c][j] = (float) (k * v[c][j]);
                }
            }
        }

        void step(FeatureBlocks train, int[] ids, int from, int to) {
            effectiveWeights();
            kernel.evaluate(train, ids, from, to, u, null, true);
            double nb = kernel.rows;
            double s = Math.exp(t);
            steps++;
            double bc1 = 1 - Math.pow(BETA1, steps);
            double bc2 = 1 - Math.pow(BETA2, steps);
            double gt = 0;
            for (int c = 0; c < classes; c++) {
                // d loss / d v_c = (s * sum g x - (sum g z) * v_c / ||v_c||) / (||v_c|| * nb)
                double a = s / (norms[c] * nb);
                double b = kernel.gradZ[c] / (norms[c] * norms[c] * nb);
                double[] gw = kernel.gradW[c];
                double[] vc = v[c];
                double[] m = m1[c];
                double[] q = m2[c];
                for (int j = 0; j < dim; j++) {
                    double g = a * gw[j] - b * vc[j];
                    m[j] = BETA1 * m[j] + (1 - BETA1) * g;
                    q[j] = BETA2 * q[j] + (1 - BETA2) * g * g;
                    vc[j] -= learningRate * (m[j] / bc1) / (Math.sqrt(q[j] / bc2) + EPS);
                }
                gt += kernel.gradZ[c];
            }
            gt /= nb; // d loss / d t = mean sum_c g_c z_c
            mt1 = BETA1 * mt1 + (1 - BETA1) * gt;
            mt2 = BETA2 * mt2 + (1 - BETA2) * gt * gt;
            t -= learningRate * (mt1 / bc1) / (Math.sqrt(mt2 / bc2) + EPS);
        }

        LogisticRegression.Score score(FeatureBlocks val) {
            effectiveWeights();
            int[] ids = val.allBlocks();
            kernel.evaluate(val, ids, 0, ids.length, u, null, false);
            return new LogisticRegression.Score((double) kernel.correct / kernel.rows, kernel.lossSum / kernel.rows);
        }

        Head train(FeatureBlocks trainData, FeatureBlocks val, SplittableRandom random, String rule) {
            int[] ids = trainData.allBlocks();
            int stepsPerEpoch = (ids.length + BATCH_BLOCKS - 1) / BATCH_BLOCKS;
            int patience = Math.max(PATIENCE_MIN_EPOCHS, (PATIENCE_STEPS + stepsPerEpoch - 1) / stepsPerEpoch);
            int maxEpochs = val == null ? EPOCHS_WITHOUT_VALIDATION
                    : Math.max(MIN_MAX_EPOCHS, (maxSteps + stepsPerEpoch - 1) / stepsPerEpoch);
            float[][] best = null;
            double bestScale = Math.exp(t);
            LogisticRegression.Score bestScore = null;
            int bestEpoch = 0;
            if (val != null) {
                bestScore = score(val);
                best = copy(u);
            }
            int epoch = 0;
            int since = 0;
            while (epoch < maxEpochs) {
                epoch++;
                Splits.shuffle(ids, random);
                for (int from = 0; from < ids.length; from += BATCH_BLOCKS) {
                    step(trainData, ids, from, Math.min(ids.length, from + BATCH_BLOCKS));
                }
                if (val != null) {
                    LogisticRegression.Score sc = score(val);
                    if (sc.accuracy() > bestScore.accuracy()
                            || (sc.accuracy() == bestScore.accuracy() && sc.loss() < bestScore.loss())) {
                        bestScore = sc;
                        best = copy(u);
                        bestScale = Math.exp(t);
                        bestEpoch = epoch;
                        since = 0;
                    } else if (++since >= patience) {
                        break;
                    }
                }
            }
            if (best == null) {
                effectiveWeights();
                best = copy(u);
                bestScale = Math.exp(t);
                bestEpoch = epoch;
            }
            Map<String, String> selected = new LinkedHashMap<>();
            selected.put("epochs", Integer.toString(epoch));
            selected.put("best_epoch", Integer.toString(bestEpoch));
            selected.put("scale", Double.toString(bestScale));
            selected.put("lr", Double.toString(learningRate));
            selected.put("stop_rule", rule);
            return new LinearHead(best, null, (long) dim * classes + 1, selected);
        }

        private static float[][] copy(float[][] a) {
            float[][] out = new float[a.length][];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i].clone();
            }
            return out;
        }
    }
}
