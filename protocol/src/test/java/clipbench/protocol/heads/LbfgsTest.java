package clipbench.protocol.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LbfgsTest {
    @Test
    void minimisesAnIllConditionedQuadratic() {
        // f(x) = 1/2 sum a_i (x_i - c_i)^2 with curvatures 1 .. 1000: minimum exactly at c, value 0
        int n = 50;
        double[] a = new double[n];
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = Math.pow(1000, i / (double) (n - 1));
            c[i] = Math.sin(i + 1) * 3;
        }
        Lbfgs.Objective f = (x, g) -> {
            double v = 0;
            for (int i = 0; i < n; i++) {
                double d = x[i] - c[i];
                v += 0.5 * a[i] * d * d;
                g[i] = a[i] * d;
            }
            return v;
        };
        Lbfgs.Result r = Lbfgs.minimize(f, new double[n], Lbfgs.Options.defaults().withTolerances(1e-9, 0));
        assertEquals(Lbfgs.Status.GRADIENT_TOLERANCE, r.status());
        for (int i = 0; i < n; i++) {
            assertEquals(c[i], r.x()[i], 1e-8, "coordinate " + i);
        }
        assertEquals(0, r.value(), 1e-15);
    }

    @Test
    void minimisesRosenbrockFromTheClassicStart() {
        Lbfgs.Result r = Lbfgs.minimize(LbfgsTest::rosenbrock, new double[] {-1.2, 1},
                Lbfgs.Options.defaults().withTolerances(1e-10, 0));
        assertEquals(1, r.x()[0], 1e-6);
        assertEquals(1, r.x()[1], 1e-6);
        assertTrue(r.iterations() < 100, "took " + r.iterations() + " iterations");
    }

    @Test
    void minimisesTheExtendedRosenbrockFunction() {
        int n = 20;
        double[] x0 = new double[n];
        for (int i = 0; i < n; i += 2) {
            x0[i] = -1.2;
            x0[i + 1] = 1;
        }
        Lbfgs.Result r = Lbfgs.minimize(LbfgsTest::rosenbrock, x0, Lbfgs.Options.defaults().withTolerances(1e-10, 0));
        for (int i = 0; i < n; i++) {
            assertEquals(1, r.x()[i], 1e-5, "coordinate " + i);
        }
        assertTrue(r.value() < 1e-12, "value " + r.value());
    }

    @Test
    void stopsAtTheIterationLimit() {
        Lbfgs.Result r = Lbfgs.minimize(LbfgsTest::rosenbrock, new double[] {-1.2, 1},
                Lbfgs.Options.defaults().withMaxIterations(3));
        assertEquals(Lbfgs.Status.MAX_ITERATIONS, r.status());
        assertEquals(3, r.iterations());
        assertTrue(r.value() < rosenbrock(new double[] {-1.2, 1}, new double[2]), "it still went downhill");
    }

    @Test
    void cubicInterpolationFindsTheMinimumOfACubic() {
        // p(a) = (a - 1)^2 (a + 2) has its local minimum at a = 1: p(0) = 2, p'(0) = -3, p(2) = 4, p'(2) = 9
        assertEquals(1.0, Lbfgs.cubicMin(0, 2, -3, 2, 4, 9), 1e-12);
    }

    /** Sum over pairs of 100 (x2 - x1^2)^2 + (1 - x1)^2. */
    static double rosenbrock(double[] x, double[] g) {
        double v = 0;
        java.util.Arrays.fill(g, 0);
        for (int i = 0; i < x.length; i += 2) {
            double t = x[i + 1] - x[i] * x[i];
            double u = 1 - x[i];
            v += 100 * t * t + u * u;
            g[i] += -400 * x[i] * t - 2 * u;
            g[i + 1] += 200 * t;
        }
        return v;
    }
}
