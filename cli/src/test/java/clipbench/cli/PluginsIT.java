package clipbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.image.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugins from outside: the example plugin project's jar (built before cli by the reactor) on the real CLI. */
class PluginsIT {
    static final String EXAMPLE = "examples/dataset-plugin/target";

    static Path exampleJar() {
        Path jar = CliProcess.root().resolve(EXAMPLE).resolve("dataset-plugin-1.0.0.jar");
        assertTrue(Files.isRegularFile(jar), jar + " missing: build it first (mvn -o -q -B -pl examples/dataset-plugin package)");
        return jar;
    }

    /** A flat folder named as the Simpsons test set is: one colour per class, a stray file beside them. */
    static Path simpsons(Path dir) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("simpsons"));
        Map<String, int[]> colours = Map.of("homer_simpson", new int[]{250, 210, 40},
                "marge_simpson", new int[]{40, 80, 230}, "bart_simpson", new int[]{230, 60, 30});
        for (Map.Entry<String, int[]> c : colours.entrySet()) {
            for (int i = 0; i < 3; i++) {
                byte[] px = new byte[40 * 40 * 3];
                for (int p = 0; p < px.length; p++) {
                    px[p] = (byte) Math.min(255, c.getValue()[p % 3] + (p / 3 % 40) + 7 * i);
                }
                ImageIO.write(new RgbImage(40, 40, px).toBufferedImage(), "png",
                        folder.resolve(c.getKey() + "_" + (10 + i) + ".png").toFile());
            }
        }
        Files.writeString(folder.resolve("notes.txt"), "not an image");
        return folder;
    }

    @Test
    void listVerboseShowsWhereEachPluginComesFromAndItsVersion() throws Exception {
        Path jar = exampleJar();
        CliProcess.Result r = CliProcess.run("--plugins", EXAMPLE, "list", "-v");
        assertEquals(0, r.exitCode(), r.all());
        String line = r.out().lines().filter(l -> l.startsWith("dataset filename-labels\t")).findFirst()
                .orElseThrow(() -> new AssertionError("no filename-labels in:\n" + r.out()));
        assertTrue(line.endsWith("\t" + jar + " 1.0.0"), line);
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("dataset imagefolder\t") && l.contains("\tbuilt-in ")),
                r.out());
        assertTrue(r.out().lines().noneMatch(l -> l.contains(" ? (")), "nothing failed:\n" + r.out());
    }

    @Test
    void benchChildProcessesSeeThePluginFolders(@TempDir Path dir) throws Exception {
        exampleJar();
        Path data = simpsons(dir);
        Path out = dir.resolve("bench");
        // Pipeline mode opens the plugin's dataset inside each child JVM, which must get --plugins too.
        CliProcess.Result r = CliProcess.run("--plugins", EXAMPLE, "bench", "--backend", "onnx", "--model",
                CliEndToEndIT.VIT, "--batch", "2", "--seconds", "0.3", "--repeats", "1", "--warmup-seconds", "0.1",
                "--dataset", "filename-labels:" + data, "--out", out.toString());
        assertEquals(0, r.exitCode(), r.all());
        List<CSVRecord> rows = CliEndToEndIT.csv(out.resolve("bench.csv"));
        assertEquals(1, rows.size());
        assertTrue(Double.parseDouble(rows.get(0).get("pipeline_images_per_second")) > 0, rows.get(0).toString());
    }

    @Test
    void aRunOnTheExamplePluginsDatasetWritesResultRows(@TempDir Path dir) throws Exception {
        exampleJar();
        Path data = simpsons(dir);
        Path out = dir.resolve("run");
        CliProcess.Result r = CliProcess.run("--plugins", EXAMPLE, "run", "--backend", "onnx", "--model",
                CliEndToEndIT.VIT, "--dataset", "filename-labels:" + data, "--protocol", "zero-shot", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.all().contains(data.resolve("notes.txt") + ": not <class>_<number>"), "the stray file is named:\n" + r.all());
        List<CSVRecord> results = CliEndToEndIT.csv(out.resolve("results.csv"));
        assertEquals(1, results.size());
        CSVRecord row = results.get(0);
        assertEquals("filename-labels:simpsons", row.get("dataset"));
        assertEquals("Test", row.get("split"));
        assertEquals(9, Integer.parseInt(row.get("n_test")));
        double top1 = Double.parseDouble(row.get("top1"));
        assertTrue(top1 >= 0 && top1 <= 1, "top1 " + top1);
        Set<String> truth = new TreeSet<>();
        CliEndToEndIT.csv(out.resolve("predictions.csv")).forEach(p -> truth.add(p.get("true_class")));
        assertEquals(Set.of("bart_simpson", "homer_simpson", "marge_simpson"), truth);
    }

    @Test
    void aBrokenJarIsReportedAndSkippedAndAnIdClashIsRefused(@TempDir Path dir) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path a = Files.copy(exampleJar(), plugins.resolve("a.jar"));
        Path b = Files.copy(exampleJar(), plugins.resolve("b.jar"));
        Path broken = Files.writeString(plugins.resolve("broken.jar"), "not a zip");

        CliProcess.Result list = CliProcess.run("--plugins", plugins.toString(), "list");
        assertEquals(0, list.exitCode(), list.all());
        assertTrue(list.out().contains("jar ? (" + broken + ": not a readable jar"), list.out());
        assertTrue(list.out().contains("dataset ? (dataset id 'filename-labels' is provided more than once: by " + a),
                list.out());
        assertTrue(list.out().lines().anyMatch(l -> l.equals("dataset imagefolder")), "the rest still load:\n" + list.out());

        CliProcess.Result run = CliProcess.run("--plugins", plugins.toString(), "run", "--backend", "onnx", "--model",
                CliEndToEndIT.VIT, "--dataset", "filename-labels:" + simpsons(dir), "--protocol", "zero-shot",
                "--out", dir.resolve("run").toString());
        assertEquals(2, run.exitCode(), run.all());
        assertTrue(run.err().contains(a.toString()) && run.err().contains(b.toString()), run.all());
        assertTrue(Files.notExists(dir.resolve("run")), "refused before any work");
    }

    @Test
    void aMissingPluginFolderIsAnErrorNamingIt(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nowhere");
        CliProcess.Result r = CliProcess.run("--plugins", missing.toString(), "list");
        assertEquals(2, r.exitCode(), r.all());
        assertTrue(r.err().contains("--plugins " + missing + ": no such folder"), r.all());
    }
}
