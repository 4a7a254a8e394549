package clipbench.protocol.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PercentilesTest {
    @Test
    void nearestRankOnTenValues() {
        // ranks ceil(p/100 * 10): p50 -> 5th, p90 -> 9th, p99 -> 10th, p10 -> 1st, p11 -> 2nd
        Percentiles p = Percentiles.of(new double[] {10, 1, 9, 2, 8, 3, 7, 4, 6, 5});
        assertEquals(5, p.get(50));
        assertEquals(9, p.get(90));
        assertEquals(10, p.get(99));
        assertEquals(1, p.get(10));
        assertEquals(2, p.get(11));
        assertEquals(1, p.get(0));
        assertEquals(10, p.get(100));
        assertEquals(1, p.min());
        assertEquals(10, p.max());
        assertEquals(10, p.count());
    }

    @Test
    void medianIsTheMiddleForOddAndTheLowerMiddleForEvenCounts() {
        assertEquals(3.0, Percentiles.of(new double[] {5, 3, 1}).median());
        assertEquals(2.0, Percentiles.of(new double[] {4, 2}).median());
        assertEquals(7.5, Percentiles.of(new double[] {7.5}).get(99));
    }

    @Test
    void aHundredValuesGiveTheirOwnRanks() {
        double[] v = new double[100];
        for (int i = 0; i < 100; i++) {
            v[i] = 100 - i; // 100..1, unsorted on purpose
        }
        Percentiles p = Percentiles.of(v);
        assertEquals(50, p.get(50));
        assertEquals(90, p.get(90));
        assertEquals(99, p.get(99));
        assertEquals(100, p.get(99.5));
    }

    @Test
    void theInputIsNotChanged() {
        double[] v = {3, 1, 2};
        Percentiles.of(v);
        assertEquals(3, v[0]);
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(new double[0]));
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(new double[] {1, Double.NaN}));
        Percentiles p = Percentiles.of(new double[] {1});
        assertThrows(IllegalArgumentException.class, () -> p.get(-1));
        assertThrows(IllegalArgumentException.class, () -> p.get(100.1));
        assertThrows(IllegalArgumentException.class, () -> p.get(Double.NaN));
    }
}
