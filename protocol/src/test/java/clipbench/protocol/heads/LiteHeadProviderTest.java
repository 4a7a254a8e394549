package clipbench.protocol.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.spi.Head;
import clipbench.api.spi.HeadInputs;
import clipbench.api.spi.HeadProvider;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LiteHeadProviderTest {
    private static HeadInputs inputs(int classes, TestData train, TestData val, long seed) {
        return new HeadInputs(classes, null, 100, train.x, train.y, val == null ? new float[0][] : val.x,
                val == null ? new int[0] : val.y, seed);
    }

    @Test
    void separatesLinearlySeparableClustersPerfectly() {
        int classes = 4;
        int d = 24;
        float[][] means = TestData.means(classes, d, 1);
        TestData train = TestData.clusters(means, 30, 0.08, 2);
        TestData val = TestData.clusters(means, 10, 0.08, 3);
        TestData test = TestData.clusters(means, 50, 0.08, 4);
        Head head = new LiteHeadProvider().fit(inputs(classes, train, val, 7));
        assertEquals(1.0, TestData.accuracy(head.logits(train.x), train.y));
        assertEquals(1.0, TestData.accuracy(head.logits(test.x), test.y));
        assertEquals((long) d * classes + classes, head.trainableParameters());
        assertEquals("validation", head.selected().get("l2_rule"));
        double l2 = Double.parseDouble(head.selected().get("l2"));
        assertTrue(l2 > 0 && l2 <= 1e2, "l2 " + l2);
    }

    @Test
    void choosesAStrongerPenaltyForASmallNoisyProblemThanForALargeCleanOne() {
        int classes = 3;
        int d = 48;
        float[][] means = TestData.means(classes, d, 11);
        // small and noisy: 6 rows a class, noise far above the class separation
        Head noisy = new LiteHeadProvider().fit(inputs(classes, TestData.clusters(means, 6, 0.6, 12),
                TestData.clusters(means, 20, 0.6, 13), 5));
        // large and clean: 300 rows a class, little noise
        Head clean = new LiteHeadProvider().fit(inputs(classes, TestData.clusters(means, 300, 0.1, 14),
                TestData.clusters(means, 60, 0.1, 15), 5));
        double noisySweep = Double.parseDouble(noisy.selected().get("l2_sweep"));
        double cleanSweep = Double.parseDouble(clean.selected().get("l2_sweep"));
        assertTrue(noisySweep > cleanSweep, "sweep lambda noisy " + noisySweep + " vs clean " + cleanSweep);
        double noisyL2 = Double.parseDouble(noisy.selected().get("l2"));
        double cleanL2 = Double.parseDouble(clean.selected().get("l2"));
        assertTrue(noisyL2 > cleanL2, "lambda noisy " + noisyL2 + " vs clean " + cleanL2);
    }

    @Test
    void refitKeepsThePenaltyOnTheSummedLossConstant() {
        int classes = 3;
        float[][] means = TestData.means(classes, 16, 21);
        TestData train = TestData.clusters(means, 40, 0.4, 22);
        TestData val = TestData.clusters(means, 10, 0.4, 23);
        Head head = new LiteHeadProvider().fit(inputs(classes, train, val, 1));
        double sweep = Double.parseDouble(head.selected().get("l2_sweep"));
        double l2 = Double.parseDouble(head.selected().get("l2"));
        // the sweep fitted 120 rows, the refit 150: lambda_refit = lambda_sweep * 120 / 150
        assertEquals(sweep * 120 / 150, l2, 1e-12 * sweep);
        assertEquals("120", head.selected().get("sweep_rows"));
        // every sweep value is a grid point 10^(k/4) within 10^-6 .. 10^2
        double e = Math.log10(sweep);
        assertEquals(Math.round(e * 4) / 4.0, e, 1e-9);
        assertTrue(e >= -6 - 1e-9 && e <= 2 + 1e-9);
    }

    @Test
    void withoutValidationRowsHoldsOutAFifthOfEachClassOrFallsBackToTheDefaultPenalty() {
        int classes = 3;
        float[][] means = TestData.means(classes, 16, 31);
        TestData train = TestData.clusters(means, 10, 0.3, 32);
        Head held = new LiteHeadProvider().fit(inputs(classes, train, null, 3));
        assertEquals("held-out", held.selected().get("l2_rule"));
        assertEquals("24", held.selected().get("sweep_rows"), "10 rows a class, 2 of each held out");

        TestData oneShot = TestData.clusters(means, 1, 0.3, 33);
        Head single = new LiteHeadProvider().fit(inputs(classes, oneShot, null, 3));
        assertEquals("default", single.selected().get("l2_rule"));
        assertEquals(1.0 / 3, Double.parseDouble(single.selected().get("l2")), 1e-15);
        assertFalse(single.selected().containsKey("l2_sweep"));
        assertEquals(1.0, TestData.accuracy(single.logits(oneShot.x), oneShot.y), "fits its three rows");
    }

    @Test
    void sameSeedGivesIdenticalWeights() {
        int classes = 5;
        float[][] means = TestData.means(classes, 32, 41);
        TestData train = TestData.clusters(means, 120, 0.5, 42); // 600 rows: three blocks
        Head a = new LiteHeadProvider().fit(inputs(classes, train, null, 99));
        Head b = new LiteHeadProvider().fit(inputs(classes, train, null, 99));
        LinearHead la = (LinearHead) a;
        LinearHead lb = (LinearHead) b;
        for (int c = 0; c < classes; c++) {
            assertArrayEquals(la.weights()[c], lb.weights()[c]);
        }
        assertArrayEquals(la.bias(), lb.bias());
        assertEquals(a.selected(), b.selected());
        Head other = new LiteHeadProvider().fit(inputs(classes, train, null, 100));
        assertFalse(java.util.Arrays.equals(la.weights()[0], ((LinearHead) other).weights()[0]),
                "another seed holds out other rows");
    }

    @Test
    void refusesToFitWithoutTrainingRowsAndRejectsBadLabels() {
        assertThrows(IllegalArgumentException.class, () -> new LiteHeadProvider().fit(
                new HeadInputs(2, null, 100, new float[0][], new int[0], new float[0][], new int[0], 1)));
        assertThrows(IllegalArgumentException.class, () -> new LiteHeadProvider().fit(
                new HeadInputs(2, null, 100, new float[][] {{1, 0}}, new int[] {2}, new float[0][], new int[0], 1)));
    }

    @Test
    void isDiscoveredAsAPluginBesideZeroShotAndPro() {
        java.util.Set<String> ids = ServiceLoader.load(HeadProvider.class).stream().map(p -> p.get().id())
                .collect(Collectors.toSet());
        assertTrue(ids.containsAll(java.util.Set.of("zero-shot", "lite", "pro")), ids.toString());
        HeadProvider lite = new LiteHeadProvider();
        assertFalse(lite.needsText());
        assertTrue(lite.trainable());
        assertEquals("lite", lite.id());
    }
}
