package clipbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.protocol.bench.BenchRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clipbench bench} through the real CLI jar and child JVMs, on the tiny ViT fixture. No speed assertions. */
class BenchCommandIT {
    private static final List<String> TEXT = List.of("backend", "precision", "threads_note", "dataset", "upsampler",
            "model", "model_sha256", "clipbench_version", "runtime_version", "java_version", "os", "cpu_model",
            "cpu_flags", "jvm_options");

    @Test
    void everyCombinationGetsARowWithEveryColumnFilledAndSane(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("bench");
        CliProcess.Result r = CliProcess.run("bench", "--backend", "onnx,tensorflow", "--model", CliEndToEndIT.VIT,
                "--batch", "1,2", "--threads", "1", "--seconds", "0.3", "--repeats", "2", "--warmup-seconds", "0.1",
                "--dataset", CliEndToEndIT.FRUIT, "--upsampler", "bicubic", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.all());
        List<CSVRecord> rows = CliEndToEndIT.csv(out.resolve("bench.csv"));
        assertEquals(BenchRow.COLUMNS, rows.get(0).getParser().getHeaderNames());
        Set<String> combos = new TreeSet<>();
        for (CSVRecord row : rows) {
            combos.add(row.get("backend") + "/" + row.get("batch"));
            for (String column : BenchRow.COLUMNS) {
                String v = row.get(column);
                if (column.equals("cpu_flags") || column.equals("jvm_options") || column.equals("backend_options")) {
                    continue; // a CPU may have none of the listed flags, a JVM no -X option, a case no options
                }
                if (BenchRow.AGREEMENT_COLUMNS.contains(column)) {
                    assertEquals("", v, "fp32 is the reference, compared with nothing: " + column);
                    continue;
                }
                assertFalse(v.isBlank(), column + " is empty in " + row);
                if (!TEXT.contains(column) && !column.equals("pipeline_skipped")) {
                    assertTrue(Double.parseDouble(v) > 0, column + " = " + v + " in " + row);
                }
            }
            assertEquals("fp32", row.get("precision"));
            assertEquals("1", row.get("threads"));
            assertEquals("0", row.get("pipeline_skipped"));
            assertTrue(row.get("model_sha256").matches("[0-9a-f]{64}"), row.get("model_sha256"));
            assertTrue(num(row, "latency_p50_ms") <= num(row, "latency_p90_ms"), row.toString());
            assertTrue(num(row, "latency_p90_ms") <= num(row, "latency_p99_ms"), row.toString());
            assertTrue(num(row, "images_per_second_min") <= num(row, "images_per_second"), row.toString());
            assertTrue(num(row, "images_per_second") <= num(row, "images_per_second_max"), row.toString());
            assertEquals(num(row, "images_per_second"), num(row, "raw_images_per_second"));
            assertEquals(num(row, "pipeline_images_per_second") / num(row, "raw_images_per_second"),
                    num(row, "pipeline_raw_ratio"), 1e-3 * num(row, "pipeline_raw_ratio") + 1e-4);
            assertTrue(num(row, "timed_batches") >= 2, "at least one call per repeat: " + row);
            assertEquals("224", row.get("image_size"));
        }
        assertEquals(Set.of("onnx/1", "onnx/2", "tensorflow/1", "tensorflow/2"), combos);
        assertTrue(rows.get(0).get("runtime_version").toLowerCase().contains("onnx"), rows.get(0).toString());
        assertTrue(Files.size(out.resolve("charts/bench-throughput.png")) > 0);
        assertTrue(Files.readString(out.resolve("bench.html")).contains("bench-throughput.png"));
    }

    @Test
    void int8IsComparedWithAnFp32RunOfTheSameCaseOnRealImages(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("bench");
        CliProcess.Result r = CliProcess.run("bench", "--backend", "onnx", "--model", CliEndToEndIT.VIT,
                "--batch", "2", "--threads", "1", "--seconds", "0.3", "--repeats", "2", "--warmup-seconds", "0.1",
                "--precision", "int8", "--dataset", CliEndToEndIT.FRUIT, "--agreement-images", "16",
                "--backend-option", "onnx.optimized-cache=" + tmp.resolve("ort"), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.err().contains("fp32 added"), r.all());
        List<CSVRecord> rows = CliEndToEndIT.csv(out.resolve("bench.csv"));
        assertEquals(List.of("fp32", "int8"), rows.stream().map(row -> row.get("precision")).toList());
        CSVRecord fp32 = rows.get(0);
        CSVRecord int8 = rows.get(1);
        BenchRow.AGREEMENT_COLUMNS.forEach(c -> assertEquals("", fp32.get(c), "fp32 is the reference: " + c));
        BenchRow.AGREEMENT_COLUMNS.forEach(c -> assertFalse(int8.get(c).isBlank(), c + " empty in " + int8));
        assertEquals(num(int8, "images_per_second") / num(fp32, "images_per_second"), num(int8, "speedup_vs_fp32"),
                1e-3 * num(int8, "speedup_vs_fp32") + 1e-3);
        double cosine = num(int8, "min_cosine_vs_fp32");
        assertTrue(cosine > 0.5 && cosine < 1, "int8 really ran and stays near fp32: " + cosine);
        double top1 = num(int8, "top1_agreement_vs_fp32");
        assertTrue(top1 >= 0 && top1 <= 1, int8.toString());
        assertEquals(Boolean.toString(top1 >= 0.99), int8.get("equivalent"));
        assertTrue(num(int8, "agreement_images") > 1 && num(int8, "agreement_images") <= 16, int8.toString());
        assertTrue(int8.get("precision_note").startsWith("dynamic int8"), int8.get("precision_note"));
        assertEquals(fp32.get("model_sha256"), int8.get("model_sha256"), "the source model identifies both rows");
        String html = Files.readString(out.resolve("bench.html"));
        assertTrue(html.contains("top1_agreement_vs_fp32"), "bench.html shows the agreement");
        assertEquals(top1 < 0.99, html.contains("NOT EQUIVALENT"), "a row below 0.99 is marked, only then");
    }

    @Test
    void aPrecisionABackendCannotRunIsRefusedBeforeAnyWork(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("bench");
        CliProcess.Result r = CliProcess.run("bench", "--backend", "onnx,tensorflow", "--model", CliEndToEndIT.VIT,
                "--precision", "fp32,int8", "--dataset", CliEndToEndIT.FRUIT, "--out", out.toString());
        assertNotEquals(0, r.exitCode(), r.all());
        assertTrue(r.err().contains("--precision int8: not supported on backend tensorflow: "), r.all());
        assertFalse(r.all().contains("bench: backend onnx"), "no child may start: " + r.all());
        assertFalse(Files.exists(out));

        r = CliProcess.run("bench", "--backend", "onnx", "--model", CliEndToEndIT.VIT, "--precision", "bf16",
                "--dataset", CliEndToEndIT.FRUIT, "--out", out.toString());
        assertNotEquals(0, r.exitCode(), r.all());
        assertTrue(r.err().contains("--precision bf16: not supported on backend onnx: "), r.all());

        r = CliProcess.run("bench", "--backend", "onnx", "--model", CliEndToEndIT.VIT, "--precision", "int8",
                "--out", out.toString());
        assertNotEquals(0, r.exitCode(), r.all());
        assertTrue(r.err().contains("give --dataset"), "agreement needs real images: " + r.all());
        assertFalse(Files.exists(out));
    }

    @Test
    void aMissingModelFolderIsRefusedNamingIt(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("bench");
        Path missing = tmp.resolve("no-such-model");
        CliProcess.Result r = CliProcess.run("bench", "--backend", "onnx", "--model", missing.toString(),
                "--out", out.toString());
        assertNotEquals(0, r.exitCode(), r.all());
        assertTrue(r.err().contains("--model " + missing), r.all());
        assertFalse(Files.exists(out));
    }

    @Test
    void aNonEmptyOutIsRefused(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("earlier.txt"), "keep");
        CliProcess.Result r = CliProcess.run("bench", "--backend", "onnx", "--model", CliEndToEndIT.VIT,
                "--out", tmp.toString());
        assertNotEquals(0, r.exitCode(), r.all());
        assertTrue(r.err().contains("is not empty"), r.all());
        assertFalse(Files.exists(tmp.resolve("bench.csv")));
    }

    @Test
    void aFailingChildFailsTheCommandNamingTheCaseAndWritesNoCsv(@TempDir Path tmp) throws Exception {
        // tiny-sr has an ONNX file (the parent's check passes) but no image tower: the child cannot open it.
        Path out = tmp.resolve("bench");
        CliProcess.Result r = CliProcess.run("bench", "--backend", "onnx", "--model", "testdata/models/tiny-sr",
                "--batch", "1", "--seconds", "0.1", "--repeats", "1", "--out", out.toString());
        assertNotEquals(0, r.exitCode(), r.all());
        assertTrue(r.err().contains("backend onnx, batch 1, threads 0, precision fp32: the child JVM failed"),
                r.all());
        assertFalse(Files.exists(out.resolve("bench.csv")));
    }

    private static double num(CSVRecord row, String column) {
        return Double.parseDouble(row.get(column));
    }
}
