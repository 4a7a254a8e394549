package clipbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The headline pivot from a hand-written run: backends fold only where parity holds and the numbers are equal,
 * the sentences read the numbers, what could not run is one line, and the text table keeps its columns.
 */
class HeadlineTest {
    private static final String HEADER = "run_id,backend,backbone,dataset,upsampler,protocol,head,k,seed,top1,note,"
            + "embed_seconds,images_per_second,timing";

    /**
     * Two backends, two upsamplers, k 1 and 4 over two seeds; nearest beats bicubic by 5 and 8 points; djl
     * differs from onnx at bicubic k=4 by one image; zero-shot needs a text tower.
     */
    private static Path run(Path root, double minCosine) throws Exception {
        Path dir = Files.createDirectories(root.resolve("run"));
        List<String> lines = new ArrayList<>(List.of(HEADER));
        for (String backend : List.of("onnx", "djl")) {
            for (String up : List.of("nearest", "bicubic")) {
                // every row of a backend × upsampler carries its test embedding's timing
                String timing = String.join(",", backend.equals("onnx") ? "2.0" : "4.0",
                        backend.equals("onnx") ? "50.0" : "25.0", up.equals("bicubic") ? "cached" : "fresh");
                lines.add(String.join(",", "r", backend, "net", "fruit", up, "zero-shot", "zero-shot", "0", "-1", "",
                        "needs a text tower", timing));
                for (int k : List.of(1, 4)) {
                    for (int seed = 0; seed < 2; seed++) {
                        double top1 = (k == 1 ? 0.60 : 0.80) + (up.equals("nearest") ? (k == 1 ? 0.05 : 0.08) : 0)
                                + 0.02 * seed + (backend.equals("djl") && up.equals("bicubic") && k == 4 ? 0.01 : 0);
                        lines.add(String.join(",", "r", backend, "net", "fruit", up, "k-shot", "lite",
                                Integer.toString(k), Integer.toString(seed), String.format(Locale.ROOT, "%.6f", top1),
                                "", timing));
                    }
                }
            }
        }
        Files.write(dir.resolve(RunData.RESULTS), lines);
        Files.write(dir.resolve(RunData.PARITY), List.of("upsampler,backend_a,backend_b,min_cosine,flips",
                "nearest,onnx,djl," + minCosine + ",0", "bicubic,onnx,djl," + minCosine + ",0"));
        return dir;
    }

    private static List<Headline> headlines(Path dir) throws Exception {
        RunData run = RunData.load(dir);
        return Headline.of(Summary.of(run.results()), BackendParity.of(List.of(run)));
    }

    @Test
    void backendsFoldWhereParityHoldsAndTheNumbersAreEqual(@TempDir Path root) throws Exception {
        List<Headline> all = headlines(run(root, 0.999999));
        assertEquals(1, all.size());
        Headline h = all.get(0);
        assertEquals(List.of("1", "4"), h.columns(), "zero-shot had no accuracy: no column");
        assertEquals(List.of("nearest", "bicubic"), h.lines().stream().map(Headline.Line::upsampler).toList());
        Headline.Line bicubic = h.lines().get(1);
        assertEquals(List.of("djl", "onnx"), bicubic.cells().get(0).parts().get(0).backends(), "folded");
        assertTrue(bicubic.cells().get(1).split(), "djl differs at k=4");
        assertEquals(1, h.lines().stream().flatMap(l -> l.cells().stream()).filter(Headline.Cell::split).count());

        List<String> sentences = HeadlineSentences.of(h);
        assertEquals("Best: net · nearest at k=4: 89.0 ± 1.4 %.", sentences.get(0));
        assertTrue(sentences.get(1).startsWith("Upsampler: nearest beats bicubic by "), sentences.get(1));
        assertTrue(sentences.get(1).contains("points at every k on net"), sentences.get(1));
        assertTrue(sentences.get(2).startsWith("From k=1 to k=4 top-1 rises by "), sentences.get(2));
        assertEquals("Backends differ in 1 of 4 cells (marked ≠, one value per backend).", sentences.get(3));

        String text = HeadlineText.render(all);
        List<String> rows = text.lines().toList();
        assertTrue(rows.get(1).matches("backbone +upsampler +k=1 +k=4"), rows.get(1));
        assertTrue(rows.get(3).matches("net +nearest +66\\.0 ± 1\\.4 +89\\.0 ± 1\\.4"), rows.get(3));
        assertTrue(rows.get(4).contains("djl 82.0 ± 1.4 ≠ onnx 81.0 ± 1.4"), rows.get(4));
        assertEquals(rows.get(1).indexOf("k=1") + 3, rows.get(3).indexOf("66.0 ± 1.4") + 10, "right-aligned");
    }

    @Test
    void withoutParityEqualNumbersStaySplit(@TempDir Path root) throws Exception {
        Headline h = headlines(run(root, 0.999)).get(0);
        assertTrue(h.lines().stream().flatMap(l -> l.cells().stream()).allMatch(Headline.Cell::split),
                "min cosine below " + BackendParity.MIN_COSINE + ": every cell split");
    }

    @Test
    void whatCouldNotRunIsOneLineAndCachedTimingsAreLeftOut(@TempDir Path root) throws Exception {
        RunData run = RunData.load(run(root, 0.999999));
        assertEquals(List.of("zero-shot: needs a text tower — net (backends djl, onnx)"),
                Unavailable.lines(Summary.of(run.results())));
        EmbedCost cost = EmbedCost.of("fruit", run.results());
        assertEquals(List.of("onnx · net · bicubic", "djl · net · bicubic"), cost.cached());
        assertEquals(List.of(List.of("onnx", "net", "50.0", "2.0", "1"), List.of("djl", "net", "25.0", "4.0", "1")),
                cost.lines().stream().map(EmbedCost.Line::cells).toList());
    }
}
