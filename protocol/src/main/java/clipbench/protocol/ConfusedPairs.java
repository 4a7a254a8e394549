package clipbench.protocol;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The class pairs a classifier mixes up most, scored by the intersection over union of their confusions:
 * IoU(a, b) = (m[a][b] + m[b][a]) / (n[a] + n[b]) for a &lt; b, where m[true][predicted] is the confusion
 * matrix and n[c] its row sums (the rows of class c). 0 means never confused; 1 means every row of either
 * class went to the other.
 */
public final class ConfusedPairs {
    private ConfusedPairs() {
    }

    /**
     * One pair of classes.
     *
     * @param a   the lower class index
     * @param b   the higher class index
     * @param mab rows of a predicted as b
     * @param mba rows of b predicted as a
     * @param na  rows of a
     * @param nb  rows of b
     * @param iou (mab + mba) / (na + nb)
     */
    public record Pair(int a, int b, int mab, int mba, int na, int nb, double iou) {
    }

    private static final Comparator<Pair> ORDER = Comparator.comparingDouble(Pair::iou).reversed()
            .thenComparingInt(Pair::a).thenComparingInt(Pair::b);

    /**
     * The {@code limit} pairs with the highest IoU (ties by a, then b), leaving out pairs never confused.
     *
     * @param confusion square matrix, confusion[true][predicted]
     * @param limit     most pairs returned (0 gives an empty list)
     */
    public static List<Pair> top(int[][] confusion, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, got " + limit);
        }
        int k = confusion.length;
        int[] n = new int[k];
        for (int c = 0; c < k; c++) {
            if (confusion[c].length != k) {
                throw new IllegalArgumentException("confusion matrix is not square: row " + c + " has "
                        + confusion[c].length + " entries for " + k + " classes");
            }
            for (int v : confusion[c]) {
                if (v < 0) {
                    throw new IllegalArgumentException("negative count in confusion row " + c);
                }
                n[c] += v;
            }
        }
        List<Pair> pairs = new ArrayList<>();
        for (int a = 0; a < k; a++) {
            for (int b = a + 1; b < k; b++) {
                int mab = confusion[a][b];
                int mba = confusion[b][a];
                if (mab + mba == 0) {
                    continue;
                }
                pairs.add(new Pair(a, b, mab, mba, n[a], n[b], (double) (mab + mba) / (n[a] + n[b])));
            }
        }
        pairs.sort(ORDER);
        return pairs.size() > limit ? List.copyOf(pairs.subList(0, limit)) : List.copyOf(pairs);
    }
}
