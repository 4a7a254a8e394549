package clipbench.reports;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The headline of one dataset: a pivot of top-1 (mean ± std over seeds) with rows backbone × upsampler × head
 * (the head with its fine-tuning mode; zero-shot is a head of its own) and columns zero-shot and each k. Backends
 * share one cell when their numbers are equal and {@link BackendParity} says they agree; otherwise the cell is
 * split, one part per backend. Rows without an accuracy are left out ({@link Unavailable} says why).
 *
 * @param columns  "zero-shot" (when there is such a row), then each k as written ("1", ..., "all")
 * @param backends every backend with a value in this dataset
 * @param seeds    the most seeds behind any cell
 */
record Headline(String dataset, List<String> columns, List<Line> lines, List<String> backends, int seeds) {
    static final String ZERO_SHOT = Summary.ZERO_SHOT;

    /** One backend group's value in a cell. */
    record Part(List<String> backends, Summary.Stat top1) {
    }

    /** A cell: one part when the backends are folded, else one per backend; empty where nothing ran. */
    record Cell(List<Part> parts) {
        boolean split() {
            return parts.size() > 1;
        }

        boolean empty() {
            return parts.isEmpty();
        }

        /** The highest mean of the cell's parts (NaN when empty). */
        double best() {
            return parts.stream().mapToDouble(p -> p.top1().mean()).max().orElse(Double.NaN);
        }
    }

    /** A row of the pivot: {@code cells} in the order of {@link #columns}. */
    record Line(String backbone, String upsampler, String head, List<Cell> cells) {
    }

    /** Whether the head column is shown (several heads or fine-tuning modes). */
    boolean showHead() {
        return lines.stream().map(Line::head).distinct().count() > 1;
    }

    boolean anySplit() {
        return lines.stream().anyMatch(l -> l.cells().stream().anyMatch(Cell::split));
    }

    /** A column's header: zero-shot, or "k=" and the k. */
    static String columnLabel(String column) {
        return column.equals(ZERO_SHOT) ? column : "k=" + column;
    }

    /** The column of a summary row: zero-shot, or its k. */
    static String column(Summary.Row r) {
        return r.zeroShot() ? ZERO_SHOT : r.kLabel();
    }

    /** The head a summary row belongs to: the zero-shot head, or the head with its fine-tuning mode. */
    static String head(Summary.Row r) {
        return r.zeroShot() ? r.head() : r.headLabel();
    }

    /** One headline per dataset with at least one accuracy, in the summary's order. */
    static List<Headline> of(List<Summary.Row> summary, BackendParity parity) {
        List<Headline> out = new ArrayList<>();
        Summary.byDataset(summary.stream().filter(r -> r.top1().present()).toList())
                .forEach((dataset, rows) -> out.add(of(dataset, rows, parity)));
        return out;
    }

    private static Headline of(String dataset, List<Summary.Row> rows, BackendParity parity) {
        List<String> columns = new ArrayList<>();
        if (rows.stream().anyMatch(Summary.Row::zeroShot)) {
            columns.add(ZERO_SHOT);
        }
        rows.stream().filter(r -> !r.zeroShot()).map(Summary.Row::k).distinct().sorted(ReportRow::compareK)
                .forEach(k -> columns.add(ReportRow.kLabel(k)));
        // backbone|upsampler|head -> column -> the backends' rows
        Map<List<String>, Map<String, List<Summary.Row>>> grid = new LinkedHashMap<>();
        List<String> upsamplers = UpsamplerComparison.ordered(rows.stream().map(Summary.Row::upsampler).toList());
        rows.stream().sorted(Comparator.comparing(Summary.Row::backbone)
                        .thenComparing(r -> upsamplers.indexOf(r.upsampler()))
                        .thenComparing(r -> !r.zeroShot()).thenComparing(Headline::head))
                .forEach(r -> grid.computeIfAbsent(List.of(r.backbone(), r.upsampler(), head(r)),
                                k -> new LinkedHashMap<>())
                        .computeIfAbsent(column(r), c -> new ArrayList<>()).add(r));
        List<Line> lines = new ArrayList<>();
        grid.forEach((key, byColumn) -> {
            List<Cell> cells = new ArrayList<>();
            for (String c : columns) {
                cells.add(cell(dataset, key.get(0), key.get(1), byColumn.getOrDefault(c, List.of()), parity));
            }
            lines.add(new Line(key.get(0), key.get(1), key.get(2), cells));
        });
        List<String> backends = List.copyOf(new TreeSet<>(rows.stream().map(Summary.Row::backend).toList()));
        int seeds = rows.stream().mapToInt(Summary.Row::nSeeds).max().orElse(0);
        return new Headline(dataset, List.copyOf(columns), List.copyOf(lines), backends, seeds);
    }

    /**
     * Backends folded into one part when their numbers are equal and parity holds; otherwise grouped the same way
     * (backends with equal numbers that agree share a part), so the cell is split.
     */
    private static Cell cell(String dataset, String backbone, String upsampler, List<Summary.Row> rows,
                             BackendParity parity) {
        List<List<Summary.Row>> groups = new ArrayList<>();
        for (Summary.Row r : rows.stream().sorted(Comparator.comparing(Summary.Row::backend)).toList()) {
            List<Summary.Row> home = groups.stream().filter(g -> same(g.get(0).top1(), r.top1())
                    && parity.agree(dataset, backbone, upsampler, backends(g, r))).findFirst().orElse(null);
            if (home == null) {
                groups.add(new ArrayList<>(List.of(r)));
            } else {
                home.add(r);
            }
        }
        return new Cell(groups.stream().map(g -> new Part(backends(g, null), g.get(0).top1())).toList());
    }

    private static List<String> backends(List<Summary.Row> group, Summary.Row extra) {
        List<String> out = new ArrayList<>(group.stream().map(Summary.Row::backend).toList());
        if (extra != null) {
            out.add(extra.backend());
        }
        return out;
    }

    private static boolean same(Summary.Stat a, Summary.Stat b) {
        return a.n() == b.n() && close(a.mean(), b.mean()) && close(a.std(), b.std());
    }

    private static boolean close(double a, double b) {
        return Double.isNaN(a) ? Double.isNaN(b) : Math.abs(a - b) < 1e-9;
    }
}
