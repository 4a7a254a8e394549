package clipbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SummaryTest {

    private static ReportRow row(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return new ReportRow(m);
    }

    private static ReportRow kshot(String head, String k, String seed, String top1, String top5, String recall) {
        return row("run_id", "r1", "backend", "onnx", "backbone", "tiny", "dataset", "fruit", "upsampler", "bicubic",
                "protocol", "k-shot", "head", head, "k", k, "seed", seed, "top1", top1, "top5", top5,
                "mean_per_class_recall", recall, "embed_seconds", seed, "note", "");
    }

    /** Fine-tuning modes are experiments of their own: last:1 and last:2 rows are never averaged together. */
    @Test
    void fineTuningModesAreSummarisedApart() {
        List<ReportRow> rows = new ArrayList<>();
        for (String mode : List.of("last:1", "last:2")) {
            for (String seed : List.of("0", "1")) {
                Map<String, String> m = new LinkedHashMap<>(kshot("lite", "4", seed, mode.equals("last:1") ? "0.5"
                        : "0.9", "1", "1").cells());
                m.put("protocol", "fine-tune");
                m.put("finetune", mode);
                rows.add(new ReportRow(m));
            }
        }
        rows.add(kshot("lite", "4", "0", "0.7", "1", "1"));
        List<Summary.Row> s = Summary.of(rows);
        assertEquals(List.of("fine-tune/last:1", "fine-tune/last:2", "k-shot/"),
                s.stream().map(r -> r.protocol() + "/" + r.finetune()).toList());
        assertEquals(List.of(0.5, 0.9, 0.7), s.stream().map(r -> r.top1().mean()).toList());
        assertEquals(2, s.get(1).nSeeds());
        assertEquals(List.of("fine-tune lite last:1 k=4", "fine-tune lite last:2 k=4", "k-shot lite k=4"),
                s.stream().map(r -> Charts.condition(r, true)).toList(), "charts and tables name the mode");
    }

    @Test
    void meanAndSampleStdOverSeedsComputedByHand(@TempDir Path dir) throws Exception {
        List<ReportRow> rows = List.of(
                kshot("lite", "1", "0", "0.5", "0.8", "0.2"),
                kshot("lite", "1", "1", "0.6", "0.9", "0.4"),
                kshot("lite", "1", "2", "0.7", "1.0", "0.9"));
        List<Summary.Row> s = Summary.of(rows);
        assertEquals(1, s.size());
        Summary.Row r = s.get(0);
        assertEquals(3, r.nSeeds());
        assertEquals(0.6, r.top1().mean(), 1e-12);
        // sample std: sqrt(((-.1)^2 + 0 + .1^2) / 2) = 0.1
        assertEquals(0.1, r.top1().std(), 1e-12);
        assertEquals(0.9, r.top5().mean(), 1e-12);
        assertEquals(0.1, r.top5().std(), 1e-12);
        // recall: mean 0.5, sqrt((0.09 + 0.01 + 0.16) / 2) = sqrt(0.13)
        assertEquals(0.5, r.meanPerClassRecall().mean(), 1e-12);
        assertEquals(Math.sqrt(0.13), r.meanPerClassRecall().std(), 1e-12);

        Path file = dir.resolve("summary.csv");
        Summary.write(s, file);
        List<String> lines = Files.readAllLines(file);
        assertEquals(String.join(",", Summary.COLUMNS), lines.get(0));
        assertEquals("onnx,tiny,fruit,bicubic,k-shot,lite,,1,3,0.600000,0.100000,0.900000,0.100000,0.500000,0.360555,",
                lines.get(1));
    }

    @Test
    void singleSeedHasEmptyStdAndSkippedHeadKeepsItsNote() {
        List<ReportRow> rows = List.of(
                row("backend", "djl", "backbone", "tiny", "dataset", "fruit", "upsampler", "none",
                        "protocol", "zero-shot", "head", "zero-shot", "k", "0", "seed", "-1", "top1", "", "top5", "",
                        "mean_per_class_recall", "", "note", "needs a text tower"),
                row("backend", "onnx", "backbone", "tiny", "dataset", "fruit", "upsampler", "none",
                        "protocol", "zero-shot", "head", "zero-shot", "k", "0", "seed", "-1", "top1", "0.25",
                        "top5", "0.75", "mean_per_class_recall", "0.2", "note", ""));
        List<Summary.Row> s = Summary.of(rows);
        assertEquals(2, s.size());
        Summary.Row skipped = s.get(0);
        assertEquals("djl", skipped.backend());
        assertFalse(skipped.top1().present());
        assertEquals(1, skipped.nSeeds());
        assertEquals("needs a text tower", skipped.note());
        assertEquals(List.of("djl", "tiny", "fruit", "none", "zero-shot", "zero-shot", "", "0", "1", "", "", "", "", "",
                "", "needs a text tower"), skipped.cells());
        List<String> one = s.get(1).cells();
        assertEquals("0.250000", one.get(9));
        assertEquals("", one.get(10), "std of a single value is empty");
    }

    @Test
    void kAllSortsLastAndZeroShotFirst() {
        List<ReportRow> rows = new ArrayList<>();
        for (String k : List.of("all", "16", "2", "-1", "1")) {
            rows.add(kshot("lite", k, "0", "0.5", "0.5", "0.5"));
        }
        rows.add(row("backend", "onnx", "backbone", "tiny", "dataset", "fruit", "upsampler", "bicubic",
                "protocol", "zero-shot", "head", "zero-shot", "k", "0", "seed", "-1", "top1", "0.3"));
        List<Summary.Row> s = Summary.of(rows);
        // "all" and -1 are the same k: one group of two seeds' rows (both seed 0 here)
        assertEquals(List.of("0", "1", "2", "16", "all"), s.stream().map(Summary.Row::kLabel).toList());
        assertEquals("zero-shot", s.get(0).protocol());
        assertEquals(2, s.get(4).nSeeds());
    }

    @Test
    void readsByHeaderNameWithExtraAndMissingColumns(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("results.csv");
        Files.writeString(file, "top1,extra,head,seed,k,protocol,backend,backbone,dataset,upsampler\n"
                + "0.25,x,lite,0,4,k-shot,onnx,tiny,fruit,bicubic\n"
                + "0.75,y,lite,1,4,k-shot,onnx,tiny,fruit,bicubic\n");
        List<Summary.Row> s = Summary.of(ReportCsv.readAll(file));
        assertEquals(1, s.size());
        assertEquals(0.5, s.get(0).top1().mean(), 1e-12);
        assertEquals(Math.sqrt(0.125), s.get(0).top1().std(), 1e-12);
        assertFalse(s.get(0).top5().present(), "no top5 column: empty");
        assertTrue(s.get(0).note().isEmpty());
    }
}
