package clipbench.protocol.align;

/**
 * CLIP's symmetric contrastive loss over a batch of image–text pairs, with its exact gradient.
 *
 * <p>Forward: {@code zi = normalize(Wi x)}, {@code zt = normalize(Wt y)} per row (no bias, as CLIP's projections),
 * {@code L = s · zi ztᵀ} with {@code s = min(e^t, 100)}, and {@code loss = (CE(L) + CE(Lᵀ)) / 2}, each
 * cross-entropy the mean over rows of {@code -Σ_j y_ij log softmax(L_i)_j}.
 *
 * <p><b>Targets.</b> Row i's target is uniform over its positives: the columns whose text is a caption of row i's
 * image ({@link Batch#positives}; column j's target likewise over the images whose caption it is). With one positive
 * per row this is exactly CLIP's {@code CE(logits, arange(n))}. A row repeated in the batch (an image with two of
 * its captions, or one caption row with two images) gives CLIP's loss either way (the two rows' terms add up to the
 * same function); the targets matter when row j's caption is also a caption of row i's image but row j's image is
 * another (a keyword two emoji share): CLIP's one-hot target would push that true pair apart as a negative, here it
 * is a match (the multi-positive form of UniCL, Yang et al. 2022).
 *
 * <p><b>The clamp.</b> OpenAI clips the logit scale at 100 and open_clip clamps the parameter {@code t} to
 * [0, ln 100] after every optimiser step; here the forward uses {@code min(e^t, 100)} (so the gradient of t is 0
 * above ln 100, the exact derivative of the clamped function) and {@link Aligner} also clamps t after each step.
 *
 * <p>Everything is computed in double; parameters are [dim][width] row-major.
 */
public final class ContrastiveLoss {
    /** CLIP's ceiling on the logit scale {@code e^t}. */
    public static final double MAX_LOGIT_SCALE = 100;
    /** CLIP's initial temperature 0.07: {@code t = ln(1 / 0.07)}. */
    public static final double INITIAL_LOG_SCALE = Math.log(1 / 0.07);

    private final int dim;
    private final int imageWidth;
    private final int textWidth;

    /**
     * @param dim        the shared embedding width the projections map to
     * @param imageWidth width of the image rows
     * @param textWidth  width of the text rows
     */
    public ContrastiveLoss(int dim, int imageWidth, int textWidth) {
        if (dim <= 0 || imageWidth <= 0 || textWidth <= 0) {
            throw new IllegalArgumentException("widths must be positive: dim " + dim + ", image " + imageWidth
                    + ", text " + textWidth);
        }
        this.dim = dim;
        this.imageWidth = imageWidth;
        this.textWidth = textWidth;
    }

    /**
     * n pairs: {@code images[i]} and {@code texts[i]} match; {@code positives[i][j]} says whether text j is also a
     * caption of image i (true on the diagonal).
     */
    public record Batch(float[][] images, float[][] texts, boolean[][] positives) {
        public Batch {
            int n = images.length;
            if (n == 0 || texts.length != n || positives.length != n) {
                throw new IllegalArgumentException("a batch needs n > 0 images, texts and positive rows alike, got "
                        + images.length + ", " + texts.length + ", " + positives.length);
            }
            for (int i = 0; i < n; i++) {
                if (positives[i].length != n || !positives[i][i]) {
                    throw new IllegalArgumentException("positives row " + i + ": needs " + n
                            + " entries and its own pair marked");
                }
            }
        }

        /** Distinct pairs: row i matches row i only (CLIP's batch). */
        public static Batch pairs(float[][] images, float[][] texts) {
            boolean[][] positives = new boolean[images.length][images.length];
            for (int i = 0; i < images.length; i++) {
                positives[i][i] = true;
            }
            return new Batch(images, texts, positives);
        }

        public int size() {
            return images.length;
        }
    }

    /** The two projections ([dim][width] row-major) and the log-temperature; also the shape of a gradient. */
    public record Parameters(double[] image, double[] text, double logScale) {
    }

    /** The loss and its gradient with respect to each parameter. */
    public record Result(double loss, Parameters gradient) {
    }

    /** The logit scale CLIP multiplies cosines by: {@code min(e^t, 100)}. */
    public static double logitScale(double logScale) {
        return Math.min(Math.exp(logScale), MAX_LOGIT_SCALE);
    }

    /** The loss alone. */
    public double loss(Batch batch, Parameters p) {
        return run(batch, p, false).loss();
    }

    /** The loss and its exact gradient. */
    public Result evaluate(Batch batch, Parameters p) {
        return run(batch, p, true);
    }

    private Result run(Batch batch, Parameters p, boolean backward) {
        check("image", p.image(), imageWidth, batch.images());
        check("text", p.text(), textWidth, batch.texts());
        int n = batch.size();
        double[] imageNorms = new double[n];
        double[] textNorms = new double[n];
        double[][] zi = RowMath.normalize(RowMath.project(p.image(), dim, imageWidth, batch.images()), imageNorms);
        double[][] zt = RowMath.normalize(RowMath.project(p.text(), dim, textWidth, batch.texts()), textNorms);
        double[][] cos = RowMath.products(zi, zt);
        double scale = logitScale(p.logScale());
        double[][] logits = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                logits[i][j] = scale * cos[i][j];
            }
        }
        double[][] dLogits = backward ? new double[n][n] : null;
        double loss = (crossEntropy(logits, batch.positives(), false, dLogits)
                + crossEntropy(logits, batch.positives(), true, dLogits)) / 2;
        if (!backward) {
            return new Result(loss, null);
        }
        // L = s · cos: dcos = s · dL, and ds/dt = e^t = s below the clamp, 0 above it.
        double dScale = 0;
        double[][] dCos = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                dScale += dLogits[i][j] * cos[i][j];
                dCos[i][j] = scale * dLogits[i][j];
            }
        }
        double dLogScale = Math.exp(p.logScale()) > MAX_LOGIT_SCALE ? 0 : scale * dScale;
        double[][] dzi = RowMath.times(dCos, false, zt);
        double[][] dzt = RowMath.times(dCos, true, zi);
        double[] gImage = RowMath.weightGradient(RowMath.normalizeBackward(zi, imageNorms, dzi), batch.images(),
                dim, imageWidth);
        double[] gText = RowMath.weightGradient(RowMath.normalizeBackward(zt, textNorms, dzt), batch.texts(),
                dim, textWidth);
        return new Result(loss, new Parameters(gImage, gText, dLogScale));
    }

    /**
     * Mean soft-target cross-entropy over the rows of {@code logits} (its columns when {@code columns}), the target
     * uniform over each row's positives; half its gradient, {@code (softmax - target) / n / 2}, is added to
     * {@code grad} (may be null), since the loss is the mean of the two directions.
     */
    private static double crossEntropy(double[][] logits, boolean[][] positives, boolean columns, double[][] grad) {
        int n = logits.length;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            int matches = 0;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, at(logits, i, j, columns));
                matches += at(positives, i, j, columns) ? 1 : 0;
            }
            double norm = 0;
            for (int j = 0; j < n; j++) {
                norm += Math.exp(at(logits, i, j, columns) - max);
            }
            double logNorm = max + Math.log(norm);
            for (int j = 0; j < n; j++) {
                double v = at(logits, i, j, columns);
                double target = at(positives, i, j, columns) ? 1.0 / matches : 0;
                sum += target * (logNorm - v);
                if (grad != null) {
                    double g = (Math.exp(v - logNorm) - target) / n / 2;
                    if (columns) {
                        grad[j][i] += g;
                    } else {
                        grad[i][j] += g;
                    }
                }
            }
        }
        return sum / n;
    }

    private static double at(double[][] m, int i, int j, boolean transposed) {
        return transposed ? m[j][i] : m[i][j];
    }

    private static boolean at(boolean[][] m, int i, int j, boolean transposed) {
        return transposed ? m[j][i] : m[i][j];
    }

    private void check(String tower, double[] w, int width, float[][] rows) {
        if (w.length != dim * width) {
            throw new IllegalArgumentException(tower + " projection: expected " + dim + " x " + width + " = "
                    + dim * width + " values, got " + w.length);
        }
        for (float[] row : rows) {
            if (row.length != width) {
                throw new IllegalArgumentException(tower + " rows: expected width " + width + ", got " + row.length);
            }
        }
    }
}
