package clipbench.reports;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One record of a run's CSV file, read by column name. A column the file lacks reads as the empty string,
 * so older or newer files (fewer or extra columns) are read the same way.
 */
public final class ReportRow {
    private final Map<String, String> cells;

    public ReportRow(Map<String, String> cells) {
        this.cells = Collections.unmodifiableMap(new LinkedHashMap<>(cells));
    }

    /** The cell of {@code column}, stripped; empty when the file has no such column. */
    public String get(String column) {
        String v = cells.get(column);
        return v == null ? "" : v.strip();
    }

    public boolean has(String column) {
        return cells.containsKey(column);
    }

    public Map<String, String> cells() {
        return cells;
    }

    /** A number, or NaN for an empty or unparseable cell (a skipped head leaves accuracies empty). */
    public double number(String column) {
        String v = get(column);
        if (v.isEmpty()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** An integer cell, or {@code fallback} when empty or unparseable. */
    public long integer(String column, long fallback) {
        String v = get(column);
        try {
            return v.isEmpty() ? fallback : Long.parseLong(v);
        } catch (NumberFormatException e) {
            double d = number(column);
            return Double.isNaN(d) ? fallback : (long) d;
        }
    }

    /** The k of this row: shots per class, {@link #K_ALL} for "all" (or -1). */
    public int k() {
        return parseK(get("k"));
    }

    /** k meaning "every training image", written "all" (or -1 by older runs). */
    public static final int K_ALL = -1;

    /** Parses a k cell: "all" or -1 is {@link #K_ALL}; empty is 0; anything else unparseable is 0. */
    public static int parseK(String cell) {
        String v = cell == null ? "" : cell.strip().toLowerCase(Locale.ROOT);
        if (v.equals("all") || v.equals("-1")) {
            return K_ALL;
        }
        if (v.isEmpty()) {
            return 0;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** How k is written: "all" for {@link #K_ALL}, otherwise the number. */
    public static String kLabel(int k) {
        return k == K_ALL ? "all" : Integer.toString(k);
    }

    /** Sort order of k: ascending, "all" last. */
    public static int compareK(int a, int b) {
        return Integer.compare(a == K_ALL ? Integer.MAX_VALUE : a, b == K_ALL ? Integer.MAX_VALUE : b);
    }

    @Override
    public String toString() {
        return cells.toString();
    }
}
