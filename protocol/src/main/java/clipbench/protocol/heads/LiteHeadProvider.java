package clipbench.protocol.heads;

import clipbench.api.spi.Head;
import clipbench.api.spi.HeadInputs;
import clipbench.api.spi.HeadProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LITE: a linear probe. Multinomial logistic regression (softmax with bias) on the frozen L2-normalised
 * features, trained by maximum likelihood with L-BFGS on mean cross-entropy + (lambda / 2) ||W||^2 (bias
 * not penalised), as in the CLIP paper's linear-probe evaluation.
 *
 * <p><b>L2 sweep.</b> lambda = 10^2, 10^1, ..., 10^-6 (9 points, strong to weak, warm-started along the path),
 * then 10^(e +- 1/2) and 10^(e' +- 1/4) around the best exponent e (resolution a quarter decade; CLIP searched
 * C = 1/lambda coarse-then-fine the same way, to 1/8 decade). Each candidate is fitted on the sweep's
 * training rows and scored on its validation rows: higher accuracy wins, ties go to the lower validation
 * cross-entropy, then to the larger lambda.
 *
 * <p><b>Sweep rows.</b> The validation rows of {@link HeadInputs} when there are any. Without them
 * (fallback): every class with at least 2 training rows holds out max(1, floor(n_c / 5)) of them, chosen with
 * the seed; classes with 1 row stay in training. If no class has 2 rows (1-shot) there is no sweep and
 * lambda = 1/n (n = training rows; scikit-learn's default C = 1 in this mean-loss parameterisation), clamped
 * to [1e-6, 1e2]. The sweep fits use a seeded, class-stratified subsample of at most {@link #SWEEP_MAX_ROWS}
 * of the sweep's training rows (all of them when there are fewer); validation rows are never subsampled.
 *
 * <p><b>Refit.</b> The returned head is refitted on all rows (training + validation) starting from the
 * selected sweep solution. The penalty is kept constant on the summed loss (scikit-learn's and CLIP's C
 * stays fixed when more rows are added), so the mean-loss lambda of the refit is
 * lambda_sweep * (rows the sweep fitted) / (rows of the refit).
 *
 * <p>{@link Head#selected()}: {@code l2} (lambda of the returned weights), {@code l2_sweep} (the grid value
 * chosen), {@code l2_rule} ({@code validation}, {@code held-out} or {@code default}), {@code sweep_rows},
 * {@code iterations} (L-BFGS iterations of the refit).
 */
public final class LiteHeadProvider implements HeadProvider {
    public static final String ID = "lite";
    /** Most training rows the sweep fits on (the refit always uses every row). */
    public static final int SWEEP_MAX_ROWS = 10_000;
    /**
     * L-BFGS stopping rules. The gradient tolerance follows scikit-learn's tol = 1e-4 (max |g_i| of the
     * mean loss), divided by sqrt(d) because L2-normalised rows have coordinates of about 1/sqrt(d) where
     * scikit-learn's users standardise to 1. The relative-decrease tolerances sit just above float rounding
     * noise of the loss (logits are float sums of d products).
     */
    static Lbfgs.Options sweepOptions(int dim) {
        return new Lbfgs.Options(10, 200, 1e-4 / Math.sqrt(dim), 1e-7, 20);
    }

    static Lbfgs.Options finalOptions(int dim) {
        return new Lbfgs.Options(10, 500, 1e-5 / Math.sqrt(dim), 1e-8, 20);
    }
    static final double MIN_LAMBDA = 1e-6;
    static final double MAX_LAMBDA = 1e2;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "linear probe: L2-regularised softmax regression (L-BFGS), lambda swept on validation rows";
    }

    @Override
    public boolean needsText() {
        return false;
    }

    @Override
    public boolean trainable() {
        return true;
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", "multinomial logistic regression (softmax with bias) on L2-normalised features");
        m.put("objective", "mean cross-entropy + (l2 / 2) ||W||^2, bias not penalised");
        m.put("optimiser", "L-BFGS");
        List<Integer> grid = new ArrayList<>();
        for (int e = LogisticRegression.GRID_MAX_EXP; e >= LogisticRegression.GRID_MIN_EXP; e--) {
            grid.add(e);
        }
        m.put("l2_grid_exponents", grid);
        m.put("l2_grid_patience", LogisticRegression.COARSE_PATIENCE);
        m.put("l2_refine_steps_decades", Arrays.stream(LogisticRegression.REFINE_STEPS).boxed().toList());
        m.put("l2_default", "1 / n clamped to [" + MIN_LAMBDA + ", " + MAX_LAMBDA + "] (no validation rows)");
        m.put("sweep_max_rows", SWEEP_MAX_ROWS);
        m.put("hold_out", ValidationSplit.HOLD_OUT_RULE);
        m.put("refit", "all rows from the selected sweep solution, penalty constant on the summed loss");
        m.put("lbfgs_sweep", lbfgs(sweepOptions(1)));
        m.put("lbfgs_refit", lbfgs(finalOptions(1)));
        return m;
    }

    /** The options of d = 1: the gradient tolerance is divided by sqrt(d) at fit time. */
    private static Map<String, Object> lbfgs(Lbfgs.Options unit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("memory", unit.memory());
        m.put("max_iterations", unit.maxIterations());
        m.put("gradient_tolerance", unit.gradientTolerance() + " / sqrt(d)");
        m.put("relative_tolerance", unit.relativeTolerance());
        m.put("max_line_search_evaluations", unit.maxLineSearchEvaluations());
        return m;
    }

    @Override
    public Head fit(HeadInputs in) {
        int classes = in.numClasses();
        float[][] x = in.trainFeatures();
        int[] y = in.trainLabels();
        if (x.length == 0) {
            throw new IllegalArgumentException("lite needs labelled training rows");
        }
        FeatureBlocks.checkLabels(y, classes, "training");
        FeatureBlocks.checkLabels(in.valLabels(), classes, "validation");
        int dim = x[0].length;
        int nVal = in.valFeatures().length;
        int nAll = x.length + nVal;
        float[][] allX = new float[nAll][];
        int[] allY = new int[nAll];
        System.arraycopy(x, 0, allX, 0, x.length);
        System.arraycopy(in.valFeatures(), 0, allX, x.length, nVal);
        System.arraycopy(y, 0, allY, 0, y.length);
        System.arraycopy(in.valLabels(), 0, allY, y.length, nVal);
        ValidationSplit split = ValidationSplit.choose(in, x, y, "default");
        double lambda;
        double lambdaSweep = Double.NaN;
        int sweepRows = 0;
        double[] start = null;
        if (split.hasValidation()) {
            int[] sample = Splits.stratifiedSample(split.trainY(), classes, SWEEP_MAX_ROWS, in.seed() ^ 0x5EEDL);
            FeatureBlocks train = new FeatureBlocks(split.trainX(), split.trainY(), sample);
            FeatureBlocks val = new FeatureBlocks(split.valX(), split.valY(), null);
            LogisticRegression.Sweep sweep = LogisticRegression.sweep(train, val, classes, sweepOptions(dim));
            lambdaSweep = sweep.best().lambda();
            sweepRows = sample.length;
            lambda = lambdaSweep * sweepRows / nAll;
            start = sweep.best().theta();
        } else {
            lambda = Math.min(MAX_LAMBDA, Math.max(MIN_LAMBDA, 1.0 / nAll));
        }
        FeatureBlocks all = new FeatureBlocks(allX, allY, null);
        Lbfgs.Result r = LogisticRegression.fit(all, classes, lambda, start, finalOptions(dim),
                new SoftmaxKernel(classes, dim));
        float[][] w = new float[classes][dim];
        float[] b = new float[classes];
        LogisticRegression.unpack(r.x(), classes, dim, w, b);
        Map<String, String> selected = new LinkedHashMap<>();
        selected.put("l2", Double.toString(lambda));
        if (split.hasValidation()) {
            selected.put("l2_sweep", Double.toString(lambdaSweep));
        }
        selected.put("l2_rule", split.rule());
        selected.put("sweep_rows", Integer.toString(sweepRows));
        selected.put("iterations", Integer.toString(r.iterations()));
        return new LinearHead(w, b, (long) dim * classes + classes, selected);
    }
}
