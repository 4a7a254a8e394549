package clipbench.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfusedPairsTest {
    @Test
    void intersectionOverUnionOnAHandMadeMatrix() {
        // rows = true class, columns = predicted:
        //        0   1   2     n
        //   0 [  8,  2,  0 ]  10
        //   1 [  3,  5,  2 ]  10
        //   2 [  1,  0, 19 ]  20
        // IoU(0,1) = (2 + 3) / (10 + 10) = 5/20 = 0.25
        // IoU(1,2) = (2 + 0) / (10 + 20) = 2/30 = 0.0667
        // IoU(0,2) = (0 + 1) / (10 + 20) = 1/30 = 0.0333
        int[][] m = {{8, 2, 0}, {3, 5, 2}, {1, 0, 19}};
        List<ConfusedPairs.Pair> top = ConfusedPairs.top(m, 10);
        assertEquals(List.of(
                new ConfusedPairs.Pair(0, 1, 2, 3, 10, 10, 0.25),
                new ConfusedPairs.Pair(1, 2, 2, 0, 10, 20, 2.0 / 30),
                new ConfusedPairs.Pair(0, 2, 0, 1, 10, 20, 1.0 / 30)), top);
    }

    @Test
    void limitCutsTheSortedListAndNeverConfusedPairsAreLeftOut() {
        int[][] m = {{8, 2, 0}, {3, 5, 2}, {1, 0, 19}};
        List<ConfusedPairs.Pair> two = ConfusedPairs.top(m, 2);
        assertEquals(2, two.size());
        assertEquals(0, two.get(0).a());
        assertEquals(1, two.get(0).b());
        assertEquals(1, two.get(1).a());
        assertEquals(2, two.get(1).b());
        assertTrue(ConfusedPairs.top(m, 0).isEmpty());
        // a diagonal matrix has no confused pair at all
        assertTrue(ConfusedPairs.top(new int[][] {{4, 0}, {0, 6}}, 5).isEmpty());
        // 4 classes, only (1,3) and (0,2) confused
        int[][] sparse = {{5, 0, 1, 0}, {0, 5, 0, 0}, {0, 0, 5, 0}, {0, 4, 0, 1}};
        List<ConfusedPairs.Pair> pairs = ConfusedPairs.top(sparse, 10);
        assertEquals(2, pairs.size());
        assertEquals(new ConfusedPairs.Pair(1, 3, 0, 4, 5, 5, 0.4), pairs.get(0));
        assertEquals(new ConfusedPairs.Pair(0, 2, 1, 0, 6, 5, 1.0 / 11), pairs.get(1));
    }

    @Test
    void tiesAreOrderedByFirstThenSecondClass() {
        // IoU(0,3) = IoU(1,2) = IoU(0,1) = 2/10
        int[][] m = {{3, 1, 0, 1}, {1, 3, 1, 0}, {0, 1, 4, 0}, {1, 0, 0, 4}};
        List<ConfusedPairs.Pair> pairs = ConfusedPairs.top(m, 10);
        assertEquals(3, pairs.size());
        assertEquals(List.of("0-1", "0-3", "1-2"), pairs.stream().map(p -> p.a() + "-" + p.b()).toList());
        pairs.forEach(p -> assertEquals(0.2, p.iou(), 1e-15));
    }

    @Test
    void rejectsANonSquareMatrixAndANegativeLimit() {
        assertThrows(IllegalArgumentException.class, () -> ConfusedPairs.top(new int[][] {{1, 2}, {3}}, 3));
        assertThrows(IllegalArgumentException.class, () -> ConfusedPairs.top(new int[][] {{1}}, -1));
    }
}
