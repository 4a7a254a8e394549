package clipbench.protocol.heads;

/**
 * Limited-memory BFGS (Nocedal and Wright, Numerical Optimization, 2nd ed., Algorithm 7.4, two-loop
 * recursion) with a strong-Wolfe line search (Algorithms 3.5 and 3.6, cubic interpolation in the zoom).
 *
 * <p>Without correction pairs (the first iteration, or after a reset) the first trial step has unit length,
 * {@code 1 / ||g||} along -g; afterwards it is 1. A line search that finds no strong-Wolfe point accepts its
 * best sufficient-decrease point.
 *
 * <p>Written here rather than taken from a library: LITE's published numbers are defined by this exact
 * sequence of steps, so swapping the optimiser would change results. Nor is there a drop-in: Commons Math 3
 * has no L-BFGS (only nonlinear conjugate gradient, BOBYQA and the like), and newer Smile is GPL/LGPL.
 *
 * <p>Stops when the largest gradient component is at most {@code gradientTolerance}, when one iteration
 * lowers the value by at most {@code relativeTolerance * max(|f_k|, |f_k+1|, 1)}, after
 * {@code maxIterations} iterations, or when the line search finds no acceptable step even along steepest
 * descent (typically floating-point noise at the optimum). It always returns the best point it reached.
 */
public final class Lbfgs {
    private static final double C1 = 1e-4;
    private static final double C2 = 0.9;

    private Lbfgs() {
    }

    /** A differentiable function. */
    @FunctionalInterface
    public interface Objective {
        /** Returns f(x) and writes its gradient into {@code gradient} (same length as x). */
        double evaluate(double[] x, double[] gradient);
    }

    /**
     * @param memory                 number of correction pairs kept (m)
     * @param maxIterations          most iterations (line searches)
     * @param gradientTolerance      stop when max |g_i| is at most this
     * @param relativeTolerance      stop when one iteration's relative decrease is at most this
     * @param maxLineSearchEvaluations most function evaluations per line search
     */
    public record Options(int memory, int maxIterations, double gradientTolerance, double relativeTolerance,
                          int maxLineSearchEvaluations) {
        public Options {
            if (memory < 1 || maxIterations < 0 || maxLineSearchEvaluations < 2) {
                throw new IllegalArgumentException("bad L-BFGS options");
            }
        }

        public static Options defaults() {
            return new Options(10, 500, 1e-6, 1e-10, 20);
        }

        public Options withMaxIterations(int n) {
            return new Options(memory, n, gradientTolerance, relativeTolerance, maxLineSearchEvaluations);
        }

        public Options withTolerances(double gradient, double relative) {
            return new Options(memory, maxIterations, gradient, relative, maxLineSearchEvaluations);
        }
    }

    public enum Status { GRADIENT_TOLERANCE, RELATIVE_TOLERANCE, MAX_ITERATIONS, LINE_SEARCH_FAILED }

    /** The best point found, its value and gradient norm (max |g_i|), and the work done. */
    public record Result(double[] x, double value, double gradientNorm, int iterations, int evaluations,
                         Status status) {
    }

    public static Result minimize(Objective f, double[] x0, Options o) {
        int n = x0.length;
        int m = o.memory();
        double[] x = x0.clone();
        double[] g = new double[n];
        double fx = f.evaluate(x, g);
        int evals = 1;
        if (!Double.isFinite(fx)) {
            throw new IllegalArgumentException("objective is not finite at the starting point: " + fx);
        }
        double[][] s = new double[m][n];
        double[][] y = new double[m][n];
        double[] rho = new double[m];
        double[] alpha = new double[m];
        int stored = 0;
        int newest = -1;
        double[] dir = new double[n];
        double[] xNew = new double[n];
        double[] gNew = new double[n];
        LineSearch ls = new LineSearch(n);
        if (maxAbs(g) <= o.gradientTolerance()) {
            return new Result(x, fx, maxAbs(g), 0, evals, Status.GRADIENT_TOLERANCE);
        }
        int iter = 0;
        while (true) {
            if (iter >= o.maxIterations()) {
                return new Result(x, fx, maxAbs(g), iter, evals, Status.MAX_ITERATIONS);
            }
            // direction: -H g by the two-loop recursion (steepest descent with no pairs)
            for (int i = 0; i < n; i++) {
                dir[i] = -g[i];
            }
            for (int k = 0, idx = newest; k < stored; k++, idx = (idx - 1 + m) % m) {
                alpha[idx] = rho[idx] * dot(s[idx], dir);
                axpy(-alpha[idx], y[idx], dir);
            }
            double step0;
            if (stored > 0) {
                double gamma = dot(s[newest], y[newest]) / dot(y[newest], y[newest]);
                for (int i = 0; i < n; i++) {
                    dir[i] *= gamma;
                }
                for (int k = 0, idx = (newest - stored + 1 + m) % m; k < stored; k++, idx = (idx + 1) % m) {
                    double beta = rho[idx] * dot(y[idx], dir);
                    axpy(alpha[idx] - beta, s[idx], dir);
                }
                step0 = 1.0;
            } else {
                step0 = 1.0 / norm2(g);
            }
            double slope = dot(g, dir);
            if (!(slope < 0)) {
                // not a descent direction (numerical trouble): forget the pairs and use steepest descent
                stored = 0;
                for (int i = 0; i < n; i++) {
                    dir[i] = -g[i];
                }
                slope = -dot(g, g);
                step0 = 1.0 / norm2(g);
            }
            double fNew = ls.search(f, x, fx, g, dir, slope, step0, o.maxLineSearchEvaluations(), xNew, gNew);
            evals += ls.evaluations;
            if (!ls.success) {
                if (stored > 0) {
                    stored = 0; // retry once along steepest descent
                    if (ls.improved) {
                        // keep the decrease found, then restart from there
                        System.arraycopy(xNew, 0, x, 0, n);
                        System.arraycopy(gNew, 0, g, 0, n);
                        fx = fNew;
                    }
                    iter++;
                    continue;
                }
                if (ls.improved) {
                    System.arraycopy(xNew, 0, x, 0, n);
                    System.arraycopy(gNew, 0, g, 0, n);
                    fx = fNew;
                }
                return new Result(x, fx, maxAbs(g), iter + 1, evals, Status.LINE_SEARCH_FAILED);
            }
            iter++;
            int slot = (newest + 1) % m;
            double sy = 0;
            double yy = 0;
            double[] sk = s[slot];
            double[] yk = y[slot];
            for (int i = 0; i < n; i++) {
                sk[i] = xNew[i] - x[i];
                yk[i] = gNew[i] - g[i];
                sy += sk[i] * yk[i];
                yy += yk[i] * yk[i];
            }
            if (sy > 1e-12 * yy && yy > 0) {
                rho[slot] = 1.0 / sy;
                newest = slot;
                stored = Math.min(stored + 1, m);
            }
            double decrease = fx - fNew;
            double scale = Math.max(Math.max(Math.abs(fx), Math.abs(fNew)), 1.0);
            System.arraycopy(xNew, 0, x, 0, n);
            System.arraycopy(gNew, 0, g, 0, n);
            fx = fNew;
            double gmax = maxAbs(g);
            if (gmax <= o.gradientTolerance()) {
                return new Result(x, fx, gmax, iter, evals, Status.GRADIENT_TOLERANCE);
            }
            if (decrease <= o.relativeTolerance() * scale) {
                return new Result(x, fx, gmax, iter, evals, Status.RELATIVE_TOLERANCE);
            }
        }
    }

    /** Strong-Wolfe line search; the accepted (or best Armijo) point is left in xOut/gOut. */
    private static final class LineSearch {
        final double[] xt;
        final double[] gt;
        final double[] xLo;
        final double[] gLo;
        int evaluations;
        boolean success;
        boolean improved;

        LineSearch(int n) {
            xt = new double[n];
            gt = new double[n];
            xLo = new double[n];
            gLo = new double[n];
        }

        double search(Objective f, double[] x, double f0, double[] g0, double[] d, double slope0, double step0,
                      int maxEvals, double[] xOut, double[] gOut) {
            evaluations = 0;
            success = false;
            improved = false;
            double aPrev = 0;
            double fPrev = f0;
            double dPrev = slope0;
            double a = step0;
            boolean havePrevPoint = false; // whether xLo/gLo hold the point at aPrev
            while (evaluations < maxEvals) {
                double fa = eval(f, x, d, a);
                double da = dot(gt, d);
                if (!Double.isFinite(fa) || fa > f0 + C1 * a * slope0 || (evaluations > 1 && fa >= fPrev)) {
                    return zoom(f, x, f0, slope0, d, aPrev, fPrev, dPrev, havePrevPoint, a, fa, da, maxEvals,
                            xOut, gOut);
                }
                if (Math.abs(da) <= -C2 * slope0) {
                    return accept(fa, xOut, gOut);
                }
                if (da >= 0) {
                    // minimum bracketed between a (low) and aPrev (high)
                    System.arraycopy(xt, 0, xLo, 0, xt.length);
                    System.arraycopy(gt, 0, gLo, 0, gt.length);
                    return zoom(f, x, f0, slope0, d, a, fa, da, true, aPrev, fPrev, dPrev, maxEvals, xOut, gOut);
                }
                System.arraycopy(xt, 0, xLo, 0, xt.length);
                System.arraycopy(gt, 0, gLo, 0, gt.length);
                havePrevPoint = true;
                aPrev = a;
                fPrev = fa;
                dPrev = da;
                a = Math.min(a * 4, a + 1e6);
            }
            return fallback(f0, fPrev, havePrevPoint, xOut, gOut);
        }

        private double zoom(Objective f, double[] x, double f0, double slope0, double[] d,
                            double aLo, double fLo, double dLo, boolean loPoint,
                            double aHi, double fHi, double dHi, int maxEvals, double[] xOut, double[] gOut) {
            while (evaluations < maxEvals) {
                double a = cubicMin(aLo, fLo, dLo, aHi, fHi, dHi);
                double lo = Math.min(aLo, aHi);
                double hi = Math.max(aLo, aHi);
                double width = hi - lo;
                if (!(a > lo + 0.1 * width && a < hi - 0.1 * width)) {
                    a = 0.5 * (aLo + aHi);
                }
                if (width <= 1e-16 * Math.max(1.0, hi)) {
                    break;
                }
                double fa = eval(f, x, d, a);
                double da = dot(gt, d);
                if (!Double.isFinite(fa) || fa > f0 + C1 * a * slope0 || fa >= fLo) {
                    aHi = a;
                    fHi = fa;
                    dHi = da;
                } else {
                    if (Math.abs(da) <= -C2 * slope0) {
                        return accept(fa, xOut, gOut);
                    }
                    if (da * (aHi - aLo) >= 0) {
                        aHi = aLo;
                        fHi = fLo;
                        dHi = dLo;
                    }
                    aLo = a;
                    fLo = fa;
                    dLo = da;
                    System.arraycopy(xt, 0, xLo, 0, xt.length);
                    System.arraycopy(gt, 0, gLo, 0, gt.length);
                    loPoint = true;
                }
            }
            return fallback(f0, fLo, loPoint && aLo > 0, xOut, gOut);
        }

        /**
         * No strong-Wolfe point within the evaluations (near the optimum, rounding noise in f hides the
         * curvature): accept the best sufficient-decrease point as the step if there is one, else fail.
         */
        private double fallback(double f0, double fLo, boolean haveLo, double[] xOut, double[] gOut) {
            success = haveLo && fLo < f0;
            if (success) {
                improved = true;
                System.arraycopy(xLo, 0, xOut, 0, xLo.length);
                System.arraycopy(gLo, 0, gOut, 0, gLo.length);
                return fLo;
            }
            return f0;
        }

        private double accept(double fa, double[] xOut, double[] gOut) {
            success = true;
            improved = true;
            System.arraycopy(xt, 0, xOut, 0, xt.length);
            System.arraycopy(gt, 0, gOut, 0, gt.length);
            return fa;
        }

        private double eval(Objective f, double[] x, double[] d, double a) {
            for (int i = 0; i < x.length; i++) {
                xt[i] = x[i] + a * d[i];
            }
            evaluations++;
            return f.evaluate(xt, gt);
        }
    }

    /** Minimiser of the cubic through (a, fa, da) and (b, fb, db); NaN when it does not exist. */
    static double cubicMin(double a, double fa, double da, double b, double fb, double db) {
        if (!Double.isFinite(fa) || !Double.isFinite(fb)) {
            return Double.NaN;
        }
        double d1 = da + db - 3 * (fa - fb) / (a - b);
        double disc = d1 * d1 - da * db;
        if (disc < 0) {
            return Double.NaN;
        }
        double d2 = Math.signum(b - a) * Math.sqrt(disc);
        double denom = db - da + 2 * d2;
        if (denom == 0) {
            return Double.NaN;
        }
        return b - (b - a) * (db + d2 - d1) / denom;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double s, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) {
            y[i] += s * x[i];
        }
    }

    private static double norm2(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
