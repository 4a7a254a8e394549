package clipbench.reports;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Headline} as plain text for a terminal: a title line, the pivot in fixed-width columns (numbers
 * right-aligned; a split cell lists each backend, marked ≠), and the sentences.
 */
final class HeadlineText {
    private HeadlineText() {
    }

    static String render(List<Headline> headlines) {
        StringBuilder b = new StringBuilder();
        for (Headline h : headlines) {
            render(h, b);
        }
        return b.toString();
    }

    private static void render(Headline h, StringBuilder b) {
        b.append(h.dataset()).append(": top-1 % (mean ± std over ").append(h.seeds()).append(h.seeds() == 1
                ? " seed" : " seeds").append(h.backends().size() > 1 ? "; backends " + String.join(", ",
                h.backends()) + (h.anySplit() ? ", ≠ where they differ" : ", one value: they agree") : "")
                .append(")\n");
        List<String> header = new ArrayList<>(List.of("backbone", "upsampler"));
        if (h.showHead()) {
            header.add("head");
        }
        int labels = header.size();
        h.columns().forEach(c -> header.add(Headline.columnLabel(c)));
        List<List<String>> rows = new ArrayList<>();
        for (Headline.Line l : h.lines()) {
            List<String> row = new ArrayList<>(List.of(l.backbone(), l.upsampler()));
            if (h.showHead()) {
                row.add(l.head());
            }
            l.cells().forEach(c -> row.add(cell(c)));
            rows.add(row);
        }
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = header.get(i).length();
            for (List<String> row : rows) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        line(header, width, labels, b);
        List<String> rule = new ArrayList<>();
        for (int w : width) {
            rule.add("-".repeat(w));
        }
        line(rule, width, labels, b);
        rows.forEach(r -> line(r, width, labels, b));
        HeadlineSentences.of(h).forEach(s -> b.append(s).append('\n'));
        b.append('\n');
    }

    /** "62.0 ± 2.0"; a split cell "onnx 62.0 ± 2.0 ≠ djl 61.0 ± 1.5"; "–" where nothing ran. */
    static String cell(Headline.Cell c) {
        if (c.empty()) {
            return "–";
        }
        if (!c.split()) {
            return HtmlReport.percent(c.parts().get(0).top1());
        }
        List<String> parts = new ArrayList<>();
        c.parts().forEach(p -> parts.add(String.join("+", p.backends()) + " " + HtmlReport.percent(p.top1())));
        return String.join(" ≠ ", parts);
    }

    private static void line(List<String> cells, int[] width, int labels, StringBuilder b) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String v = cells.get(i);
            String pad = " ".repeat(width[i] - v.length());
            l.append(i < labels ? v + pad : pad + v).append(i + 1 < cells.size() ? "  " : "");
        }
        b.append(l.toString().stripTrailing()).append('\n');
    }
}
