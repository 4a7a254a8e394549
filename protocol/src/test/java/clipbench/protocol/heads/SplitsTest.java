package clipbench.protocol.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SplitsTest {
    @Test
    void stratifiedSampleKeepsClassProportionsAndIsSeeded() {
        // 600 rows of class 0, 300 of class 1, 100 of class 2; a sample of 100 takes 60 / 30 / 10
        int[] labels = new int[1000];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i < 600 ? 0 : i < 900 ? 1 : 2;
        }
        int[] sample = Splits.stratifiedSample(labels, 3, 100, 7);
        int[] counts = new int[3];
        for (int i : sample) {
            counts[labels[i]]++;
        }
        assertArrayEquals(new int[] {60, 30, 10}, counts);
        assertArrayEquals(sample, Splits.stratifiedSample(labels, 3, 100, 7));
        assertEquals(1000, Splits.stratifiedSample(labels, 3, 5000, 7).length, "all rows when there are fewer");
    }

    @Test
    void holdOutTakesAFifthOfEveryClassWithTwoRowsOrMore() {
        int[] labels = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2};
        int[][] split = Splits.holdOut(labels, 3, 3);
        int[] held = new int[3];
        for (int i : split[1]) {
            held[labels[i]]++;
        }
        // class 0: floor(10/5) = 2; class 1: max(1, floor(3/5)) = 1; class 2 has one row and stays in training
        assertArrayEquals(new int[] {2, 1, 0}, held);
        assertEquals(labels.length, split[0].length + split[1].length);
        assertNull(Splits.holdOut(new int[] {0, 1, 2}, 3, 3), "1-shot: nothing to hold out");
    }
}
