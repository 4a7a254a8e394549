package clipbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCsvTest {
    private static final List<String> COLUMNS = List.of("backend", "precision", "batch", "threads",
            "images_per_second", "cpu_model");

    private static Map<String, String> row(String backend, String batch, String ips) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("backend", backend);
        m.put("precision", "fp32");
        m.put("batch", batch);
        m.put("threads", "0");
        m.put("images_per_second", ips);
        m.put("cpu_model", "Intel(R) Xeon(R), \"quoted\"");
        return m;
    }

    @Test
    void rowsSurviveAWriteAndReadWithTheirColumnOrder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(BenchCsv.FILE);
        List<Map<String, String>> rows = List.of(row("onnx", "1", "12.500"), row("djl", "8", "40.000"));
        BenchCsv.write(file, COLUMNS, rows);
        List<Map<String, String>> back = BenchCsv.read(file);
        assertEquals(rows, back);
        assertEquals(COLUMNS, List.copyOf(back.get(0).keySet()));
        assertEquals(String.join(",", COLUMNS), Files.readAllLines(file).get(0));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList()); // no temporary file left beside it
        }
    }

    @Test
    void aRowWithMissingOrExtraColumnsIsRefused(@TempDir Path dir) {
        Map<String, String> missing = row("onnx", "1", "1");
        missing.remove("threads");
        assertThrows(IllegalArgumentException.class, () -> BenchCsv.write(dir.resolve("a.csv"), COLUMNS,
                List.of(missing)));
        Map<String, String> extra = row("onnx", "1", "1");
        extra.put("other", "x");
        assertThrows(IllegalArgumentException.class, () -> BenchCsv.write(dir.resolve("b.csv"), COLUMNS,
                List.of(extra)));
        assertTrue(Files.notExists(dir.resolve("a.csv")));
    }

    @Test
    void theReportHasTheChartAndEveryRow(@TempDir Path dir) throws Exception {
        BenchCsv.write(dir.resolve(BenchCsv.FILE), COLUMNS, List.of(row("onnx", "1", "12.500"),
                row("djl", "1", "40.000")));
        Path page = BenchReport.write(dir);
        String html = Files.readString(page);
        assertTrue(Files.size(dir.resolve("charts/bench-throughput.png")) > 0);
        assertTrue(html.contains("charts/bench-throughput.png"), html);
        assertTrue(html.contains("<td>12.500</td>") && html.contains("<td>40.000</td>"), html);
        assertTrue(html.contains("&quot;quoted&quot;"), html);
    }
}
