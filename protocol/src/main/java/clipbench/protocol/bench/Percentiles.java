package clipbench.protocol.bench;

import java.util.Arrays;

/**
 * Order statistics of timings, by the <b>nearest-rank</b> method: the p-th percentile of n sorted values is
 * the value at rank {@code ceil(p / 100 * n)} (1-based; rank 1 for p = 0). Every result is a value that
 * was measured, never an interpolation between two, so p50 <= p90 <= p99 holds by construction.
 */
public final class Percentiles {
    private final double[] sorted;

    private Percentiles(double[] sorted) {
        this.sorted = sorted;
    }

    /** The percentiles of {@code values} (copied); at least one, all finite. */
    public static Percentiles of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("percentiles: no values");
        }
        double[] copy = values.clone();
        for (double v : copy) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("percentiles: not a finite value: " + v);
            }
        }
        Arrays.sort(copy);
        return new Percentiles(copy);
    }

    /** The nearest-rank {@code p}-th percentile, {@code 0 <= p <= 100}. */
    public double get(double p) {
        if (!(p >= 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile: must be in [0, 100], got " + p);
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    /** The median as the nearest-rank 50th percentile (the lower middle value for an even count). */
    public double median() {
        return get(50);
    }

    public double min() {
        return sorted[0];
    }

    public double max() {
        return sorted[sorted.length - 1];
    }

    public int count() {
        return sorted.length;
    }
}
