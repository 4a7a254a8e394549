package clipbench.protocol.heads;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded, stratified row selections (per class). */
public final class Splits {
    /** Fraction of each class's rows held out when a head has to make its own validation rows. */
    static final int HOLD_OUT_DENOMINATOR = 5;

    private Splits() {
    }

    /** Row indices of each class, each list shuffled with the seed. */
    static int[][] byClass(int[] labels, int classes, long seed) {
        int[] counts = new int[classes];
        for (int y : labels) {
            counts[y]++;
        }
        int[][] rows = new int[classes][];
        for (int c = 0; c < classes; c++) {
            rows[c] = new int[counts[c]];
        }
        int[] fill = new int[classes];
        for (int i = 0; i < labels.length; i++) {
            rows[labels[i]][fill[labels[i]]++] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int c = 0; c < classes; c++) {
            shuffle(rows[c], random);
        }
        return rows;
    }

    public static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /**
     * At most {@code count} rows, stratified: each class gets floor(count * n_c / n) rows, the rows left
     * over go to the classes with the largest remainders (ties to the lower class). Sorted ascending.
     */
    static int[] stratifiedSample(int[] labels, int classes, int count, long seed) {
        int n = labels.length;
        if (count >= n) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        int[][] rows = byClass(labels, classes, seed);
        int[] quota = new int[classes];
        double[] remainder = new double[classes];
        int taken = 0;
        for (int c = 0; c < classes; c++) {
            double exact = (double) count * rows[c].length / n;
            quota[c] = (int) Math.floor(exact);
            remainder[c] = exact - quota[c];
            taken += quota[c];
        }
        Integer[] order = new Integer[classes];
        for (int c = 0; c < classes; c++) {
            order[c] = c;
        }
        Arrays.sort(order, (a, b) -> remainder[a] != remainder[b] ? Double.compare(remainder[b], remainder[a])
                : Integer.compare(a, b));
        for (int k = 0; taken < count && k < classes; k++) {
            int c = order[k];
            if (quota[c] < rows[c].length) {
                quota[c]++;
                taken++;
            }
        }
        int[] out = new int[taken];
        int o = 0;
        for (int c = 0; c < classes; c++) {
            System.arraycopy(rows[c], 0, out, o, quota[c]);
            o += quota[c];
        }
        Arrays.sort(out);
        return out;
    }

    /**
     * The fallback validation split: every class with at least 2 rows gives max(1, floor(n_c / 5)) of its
     * rows (seeded) to the held-out part; classes with a single row stay in training. Returns
     * {train, heldOut} (each sorted), or null when nothing can be held out (every class has fewer than 2 rows).
     */
    static int[][] holdOut(int[] labels, int classes, long seed) {
        int[][] rows = byClass(labels, classes, seed);
        List<Integer> train = new ArrayList<>();
        List<Integer> held = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            int nc = rows[c].length;
            int h = nc >= 2 ? Math.max(1, nc / HOLD_OUT_DENOMINATOR) : 0;
            for (int k = 0; k < nc; k++) {
                (k < h ? held : train).add(rows[c][k]);
            }
        }
        if (held.isEmpty()) {
            return null;
        }
        int[] t = train.stream().mapToInt(Integer::intValue).sorted().toArray();
        int[] v = held.stream().mapToInt(Integer::intValue).sorted().toArray();
        return new int[][] {t, v};
    }

    public static float[][] rows(float[][] features, int[] idx) {
        float[][] out = new float[idx.length][];
        for (int i = 0; i < idx.length; i++) {
            out[i] = features[idx[i]];
        }
        return out;
    }

    public static int[] labels(int[] labels, int[] idx) {
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = labels[idx[i]];
        }
        return out;
    }
}
