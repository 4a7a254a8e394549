package clipbench.protocol.heads;

import java.util.ArrayList;
import java.util.List;

/**
 * Multinomial logistic regression (softmax with bias) on frozen features, by maximum likelihood with
 * L-BFGS: loss = mean cross-entropy + (lambda / 2) ||W||^2 (the bias is not penalised).
 *
 * <p>Parameters are one flat vector: {@code theta[c * dim + j]} = W[c][j], then {@code theta[classes * dim + c]}
 * = b[c].
 */
final class LogisticRegression {
    /** Coarse grid: lambda = 10^e for e = 2, 1, ..., -6 (strong to weak, each fit warm-started from the last). */
    static final int GRID_MAX_EXP = 2;
    static final int GRID_MIN_EXP = -6;
    /** Refinement: halve the step around the best exponent (CLIP's "parametric binary search"): 1/2, then 1/4 decade. */
    static final double[] REFINE_STEPS = {0.5, 0.25};
    /**
     * The coarse path stops early once this many consecutive grid points scored worse than the best so far.
     * It is the whole grid: with few validation images per class (k-shot), validation accuracy is far from
     * unimodal in log lambda, and stopping after two worse points was seen to miss the weak-penalty optimum
     * (tiny CLIP on emoji fruit: LITE stuck at lambda ~ 1 while lambda 1e-5 scored best).
     */
    static final int COARSE_PATIENCE = GRID_MAX_EXP - GRID_MIN_EXP + 1;

    private LogisticRegression() {
    }

    static int parameterCount(int classes, int dim) {
        return classes * dim + classes;
    }

    /** The regularised mean cross-entropy over some blocks of one data set. */
    static final class Objective implements Lbfgs.Objective {
        final FeatureBlocks data;
        final int classes;
        final int dim;
        final SoftmaxKernel kernel;
        final int[] ids;
        final double lambda;
        final float[][] w;
        final float[] b;
        int evaluations;

        Objective(FeatureBlocks data, int classes, double lambda) {
            this(data, classes, lambda, new SoftmaxKernel(classes, data.dim));
        }

        Objective(FeatureBlocks data, int classes, double lambda, SoftmaxKernel kernel) {
            this.data = data;
            this.classes = classes;
            this.dim = data.dim;
            this.kernel = kernel;
            this.ids = data.allBlocks();
            this.lambda = lambda;
            this.w = new float[classes][dim];
            this.b = new float[classes];
        }

        @Override
        public double evaluate(double[] theta, double[] grad) {
            unpack(theta, classes, dim, w, b);
            kernel.evaluate(data, ids, 0, ids.length, w, b, true);
            evaluations++;
            double inv = 1.0 / kernel.rows;
            double reg = 0;
            for (int c = 0; c < classes; c++) {
                double[] gw = kernel.gradW[c];
                int off = c * dim;
                for (int j = 0; j < dim; j++) {
                    double v = theta[off + j];
                    reg += v * v;
                    grad[off + j] = gw[j] * inv + lambda * v;
                }
                grad[classes * dim + c] = kernel.gradB[c] * inv;
            }
            return kernel.lossSum * inv + 0.5 * lambda * reg;
        }
    }

    static void unpack(double[] theta, int classes, int dim, float[][] w, float[] b) {
        for (int c = 0; c < classes; c++) {
            float[] row = w[c];
            int off = c * dim;
            for (int j = 0; j < dim; j++) {
                row[j] = (float) theta[off + j];
            }
            b[c] = (float) theta[classes * dim + c];
        }
    }

    static Lbfgs.Result fit(FeatureBlocks data, int classes, double lambda, double[] start, Lbfgs.Options options,
                            SoftmaxKernel kernel) {
        Objective objective = new Objective(data, classes, lambda, kernel);
        double[] x0 = start != null ? start : new double[parameterCount(classes, data.dim)];
        return Lbfgs.minimize(objective, x0, options);
    }

    /** Validation accuracy (arg-max, ties to the lower class) and mean cross-entropy. */
    record Score(double accuracy, double loss) {
    }

    static Score score(FeatureBlocks val, int classes, double[] theta, SoftmaxKernel kernel) {
        float[][] w = new float[classes][val.dim];
        float[] b = new float[classes];
        unpack(theta, classes, val.dim, w, b);
        int[] ids = val.allBlocks();
        kernel.evaluate(val, ids, 0, ids.length, w, b, false);
        return new Score((double) kernel.correct / kernel.rows, kernel.lossSum / kernel.rows);
    }

    /** One point of the sweep. */
    record Fit(double exponent, double lambda, double[] theta, Score score, Lbfgs.Result result) {
    }

    /** Higher validation accuracy wins, then lower validation loss, then the larger lambda. */
    static boolean better(Fit a, Fit b) {
        if (a.score.accuracy() != b.score.accuracy()) {
            return a.score.accuracy() > b.score.accuracy();
        }
        if (a.score.loss() != b.score.loss()) {
            return a.score.loss() < b.score.loss();
        }
        return a.lambda > b.lambda;
    }

    record Sweep(Fit best, List<Fit> fits) {
    }

    /**
     * The L2 sweep: coarse grid 10^2 .. 10^-6 (one point per decade, from strong to weak regularisation,
     * each fit warm-started from the previous one, stopping after {@link #COARSE_PATIENCE} points in a row
     * worse than the best), then two refinement rounds at +-1/2 and +-1/4 decade
     * around the best point so far (each warm-started from the nearest fitted exponent). Every fit uses the
     * training blocks; every score the validation blocks.
     */
    static Sweep sweep(FeatureBlocks train, FeatureBlocks val, int classes, Lbfgs.Options options) {
        SoftmaxKernel kernel = new SoftmaxKernel(classes, train.dim);
        List<Fit> fits = new ArrayList<>();
        double[] warm = null;
        Fit best = null;
        int worse = 0;
        for (int e = GRID_MAX_EXP; e >= GRID_MIN_EXP && worse < COARSE_PATIENCE; e--) {
            Fit f = fitAndScore(train, val, classes, e, warm, options, kernel);
            fits.add(f);
            warm = f.theta;
            if (best == null || better(f, best)) {
                best = f;
                worse = 0;
            } else {
                worse++;
            }
        }
        for (double step : REFINE_STEPS) {
            double centre = best.exponent;
            for (double e : new double[] {centre + step, centre - step}) {
                if (e > GRID_MAX_EXP + 1e-9 || e < GRID_MIN_EXP - 1e-9 || fitted(fits, e)) {
                    continue;
                }
                Fit near = nearest(fits, e);
                Fit f = fitAndScore(train, val, classes, e, near.theta, options, kernel);
                fits.add(f);
            }
            for (Fit f : fits) {
                if (better(f, best)) {
                    best = f;
                }
            }
        }
        return new Sweep(best, fits);
    }

    private static Fit fitAndScore(FeatureBlocks train, FeatureBlocks val, int classes, double exponent,
                                   double[] warm, Lbfgs.Options options, SoftmaxKernel kernel) {
        double lambda = Math.pow(10, exponent);
        Lbfgs.Result r = fit(train, classes, lambda, warm, options, kernel);
        return new Fit(exponent, lambda, r.x(), score(val, classes, r.x(), kernel), r);
    }

    private static boolean fitted(List<Fit> fits, double e) {
        for (Fit f : fits) {
            if (Math.abs(f.exponent - e) < 1e-9) {
                return true;
            }
        }
        return false;
    }

    /** The fitted point with the closest exponent (ties to the larger lambda). */
    private static Fit nearest(List<Fit> fits, double e) {
        Fit best = null;
        for (Fit f : fits) {
            double dist = Math.abs(f.exponent - e);
            if (best == null || dist < Math.abs(best.exponent - e) - 1e-12
                    || (Math.abs(dist - Math.abs(best.exponent - e)) <= 1e-12 && f.exponent > best.exponent)) {
                best = f;
            }
        }
        return best;
    }
}
