package clipbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.keras.contract.NpmTestData;
import clipbench.clip.image.Npy;
import clipbench.api.image.RgbImage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real CLI jar, real plugins, real ONNX Runtime, real images. */
class CliEndToEndIT {
    static final String VIT = "testdata/models/tiny-clip-vit";
    static final String FRUIT = "imagefolder:testdata/images/emoji-fruit";
    static final List<String> REQUIRED = List.of("run_id", "backend", "backbone", "model_sha256", "dataset",
            "split", "upsampler", "protocol", "head", "k", "seed", "n_train", "k_effective", "n_test", "n_skipped_train", "top1", "top5",
            "mean_per_class_recall", "embed_seconds", "images_per_second", "clipbench_version");

    static JsonNode golden() throws IOException {
        return new ObjectMapper().readTree(CliProcess.shared().resolve("golden/openai-clip-reference.json").toFile());
    }

    static List<CSVRecord> csv(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file)) {
            return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in).getRecords();
        }
    }

    @Test
    void listShowsEveryKindOfPlugin() throws Exception {
        CliProcess.Result r = CliProcess.run("list");
        assertEquals(0, r.exitCode(), r.all());
        List<String> lines = r.out().lines().toList();
        for (String expected : List.of("backend onnx", "dataset imagefolder", "upsampler bicubic", "head zero-shot")) {
            assertTrue(lines.contains(expected), expected + " missing from:\n" + r.out());
        }
    }

    @Test
    void tokenizeMatchesOpenAiIds() throws Exception {
        JsonNode g = golden();
        List<String> cases = List.of(g.get("cases").get(0).asText(), g.get("cases").get(1).asText(),
                g.get("cases").get(2).asText());
        CliProcess.Result r = CliProcess.run("tokenize", cases.get(0), cases.get(1), cases.get(2));
        assertEquals(0, r.exitCode(), r.all());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size());
        for (int i = 0; i < 3; i++) {
            JsonNode ids = g.get("tokenizer").get(i).get(0);
            String expected = IntStream.range(0, ids.size()).mapToObj(j -> ids.get(j).asText())
                    .collect(Collectors.joining(" "));
            assertEquals(expected, lines.get(i), "case " + cases.get(i));
        }
    }

    @Test
    void preprocessWritesTheGoldenTensor(@TempDir Path dir) throws Exception {
        JsonNode g = golden();
        JsonNode input = g.get("transform_input");
        int h = input.size();
        int w = input.get(0).size();
        byte[] px = new byte[h * w * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    px[(y * w + x) * 3 + c] = (byte) input.get(y).get(x).get(c).asInt();
                }
            }
        }
        Path png = dir.resolve("golden.png");
        ImageIO.write(new RgbImage(w, h, px).toBufferedImage(), "png", png.toFile());
        Path npy = dir.resolve("x.npy");
        int size = g.get("transform_resolution").asInt();
        CliProcess.Result r = CliProcess.run("preprocess", png.toString(), "--size", Integer.toString(size),
                "--out", npy.toString());
        assertEquals(0, r.exitCode(), r.all());
        Npy.NpyArray arr = Npy.read(npy);
        assertEquals(List.of(3, size, size), IntStream.of(arr.shape()).boxed().toList());
        JsonNode expected = g.get("transform_output");
        double max = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double want = expected.get(y).get(x).get(c).asDouble();
                    max = Math.max(max, Math.abs(arr.data()[(c * size + y) * size + x] - want));
                }
            }
        }
        assertTrue(max <= 1e-4, "max abs error " + max);
    }

    @Test
    void embedWritesNormalisedImageAndTextEmbeddings(@TempDir Path dir) throws Exception {
        Path img = CliProcess.root().resolve("testdata/images/emoji-fruit/Test");
        List<Path> images;
        try (var s = Files.walk(img)) {
            images = s.filter(p -> p.toString().endsWith(".png")).sorted().limit(3).toList();
        }
        Path out = dir.resolve("img.npy");
        CliProcess.Result r = CliProcess.run("embed", "--backend", "onnx", "--model", VIT, "--images",
                images.get(0).toString(), images.get(1).toString(), images.get(2).toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.all());
        assertUnitRows(Npy.read(out), 3, 16);

        Path text = dir.resolve("txt.npy");
        r = CliProcess.run("embed", "--backend", "onnx", "--model", VIT, "--texts", "a photo of a banana", "a lemon",
                "--out", text.toString());
        assertEquals(0, r.exitCode(), r.all());
        assertUnitRows(Npy.read(text), 2, 16);
    }

    static void assertUnitRows(Npy.NpyArray arr, int rows, int dim) {
        assertEquals(rows, arr.shape()[0]);
        assertEquals(dim, arr.shape()[1]);
        for (int i = 0; i < rows; i++) {
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                norm += arr.data()[i * dim + d] * arr.data()[i * dim + d];
            }
            assertEquals(1.0, Math.sqrt(norm), 1e-5, "row " + i);
        }
    }

    @Test
    void zeroShotRunWritesConsistentResultsAndNeverOverwrites(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        CliProcess.Result r = CliProcess.run("run", "--backend", "onnx", "--model", VIT, "--dataset", FRUIT,
                "--protocol", "zero-shot", "--upsampler", "bicubic,none", "--batch-size", "7", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.all());
        List<CSVRecord> results = csv(out.resolve("results.csv"));
        assertEquals(2, results.size(), "one row per upsampler");
        List<String> header = List.of(Files.readAllLines(out.resolve("results.csv")).get(0).split(","));
        for (String column : REQUIRED) {
            assertTrue(header.contains(column), "results.csv lacks " + column);
        }
        List<CSVRecord> predictions = csv(out.resolve("predictions.csv"));
        for (CSVRecord row : results) {
            List<CSVRecord> mine = predictions.stream()
                    .filter(p -> p.get("upsampler").equals(row.get("upsampler"))).toList();
            assertEquals(Integer.parseInt(row.get("n_test")), mine.size());
            assertEquals(24, mine.size(), "8 classes x 3 test images");
            long correct = mine.stream().filter(p -> p.get("true_class").equals(p.get("predicted_class"))).count();
            assertEquals((double) correct / mine.size(), Double.parseDouble(row.get("top1")), 1e-6,
                    "top1 recomputed from predictions.csv");
            Map<String, int[]> perClass = new HashMap<>();
            for (CSVRecord p : mine) {
                int[] c = perClass.computeIfAbsent(p.get("true_class"), k -> new int[2]);
                c[0] += p.get("true_class").equals(p.get("predicted_class")) ? 1 : 0;
                c[1]++;
            }
            double recall = perClass.values().stream().mapToDouble(c -> (double) c[0] / c[1]).average().orElseThrow();
            assertEquals(recall, Double.parseDouble(row.get("mean_per_class_recall")), 1e-6);
            assertEquals("onnx", row.get("backend"));
            assertEquals(64, row.get("model_sha256").length());
            assertTrue(Double.parseDouble(row.get("images_per_second")) > 0);
        }

        String before = Files.readString(out.resolve("results.csv"));
        CliProcess.Result again = CliProcess.run("run", "--backend", "onnx", "--model", VIT, "--dataset", FRUIT,
                "--out", out.toString());
        assertEquals(2, again.exitCode(), again.all());
        assertTrue(again.err().contains("not empty") && again.err().contains(out.toString()), again.err());
        assertEquals(before, Files.readString(out.resolve("results.csv")), "earlier results untouched");

        String runJson = Files.readString(out.resolve("run.json"));
        CliProcess.Result changed = CliProcess.run("run", "--backend", "onnx", "--model", VIT, "--dataset", FRUIT,
                "--upsampler", "bicubic,none", "--templates", "photo", "--val-per-class", "2", "--out", out.toString(),
                "--resume");
        assertEquals(2, changed.exitCode(), changed.all());
        assertTrue(changed.err().contains("templates: stored \"clip7\", given \"photo\"")
                && changed.err().contains("val-per-class: stored 8, given 2"), changed.err());
        assertEquals(runJson, Files.readString(out.resolve("run.json")), "run.json keeps the run's settings");
        assertEquals(before, Files.readString(out.resolve("results.csv")));

        CliProcess.Result resumed = CliProcess.run("run", "--backend", "onnx", "--model", VIT, "--dataset", FRUIT,
                "--upsampler", "bicubic,none", "--batch-size", "5", "--out", out.toString(), "--resume");
        assertEquals(0, resumed.exitCode(), resumed.all());
        assertEquals(2, csv(out.resolve("results.csv")).size(), "finished rows are not recomputed");
        assertEquals(48, csv(out.resolve("predictions.csv")).size());

        var provenance = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("provenance.json")
                .toFile());
        assertEquals(64, provenance.at("/identity/backends/onnx/model_sha256").asText().length());
        assertEquals(64, provenance.at("/identity/dataset/fingerprint").asText().length());
        assertEquals(2, provenance.path("sessions").size(), "the run and its resume");
        assertEquals(5, provenance.path("sessions").get(1).path("batch_size").asInt());
        List<CSVRecord> classes = csv(out.resolve("classes.csv"));
        assertEquals(8, classes.size());
        for (CSVRecord c : classes) {
            assertEquals("3", c.get("n_test"), c.get("class"));
            assertEquals("0", c.get("n_skipped_test"), c.get("class"));
            assertTrue(!c.get("prompt_name").isEmpty());
        }
    }

    @Test
    void configFileFormRunsTheResNetFixture(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("cfg-run");
        Path config = Files.writeString(dir.resolve("run.yaml"), String.join("\n",
                "backend: [onnx]", "model: testdata/models/tiny-clip-rn", "dataset: " + FRUIT,
                "protocol: zero-shot", "upsampler: [bicubic]", "templates: photo", "out: " + out, ""));
        CliProcess.Result r = CliProcess.run("run", "--config", config.toString());
        assertEquals(0, r.exitCode(), r.all());
        List<CSVRecord> rows = csv(out.resolve("results.csv"));
        assertEquals(1, rows.size());
        assertEquals("tiny-clip-rn", rows.get(0).get("backbone"));
        assertEquals("photo", rows.get(0).get("templates"));

        Path bad = Files.writeString(dir.resolve("bad.yaml"), "backend: onnx\nmodle: x\n");
        CliProcess.Result err = CliProcess.run("run", "--config", bad.toString());
        assertEquals(2, err.exitCode());
        assertTrue(err.err().contains("modle") && err.err().contains("bad.yaml"), err.err());
    }

    @Test
    void badModelDirectoryIsNamedInTheError(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectories(dir.resolve("no-model"));
        CliProcess.Result r = CliProcess.run("run", "--backend", "onnx", "--model", empty.toString(), "--dataset",
                FRUIT, "--out", dir.resolve("o").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains(empty.toString()), r.err());
        assertTrue(!Files.exists(dir.resolve("o")), "nothing written for a run that could not start");
    }

    /** A copy of the ViT fixture with {@code from} replaced by {@code to} in its card (or {@code file} deleted). */
    static Path brokenModel(Path dir, String name, String from, String to, String delete) throws IOException {
        Path src = CliProcess.root().resolve(VIT);
        Path m = Files.createDirectories(dir.resolve(name));
        try (var s = Files.list(src)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!p.getFileName().toString().equals(delete)) {
                    Files.copy(p, m.resolve(p.getFileName()));
                }
            }
        }
        Path card = m.resolve("model-card.json");
        String text = Files.readString(card);
        assertTrue(text.contains(from), from);
        Files.writeString(card, text.replace(from, to));
        return m;
    }

    /**
     * Every setting that cannot work fails before --out exists, naming the file or setting, so the corrected
     * retry is not refused as "not empty"; usage errors print no picocli warning.
     */
    @Test
    void badSettingsFailBeforeOutIsCreatedNamingWhatIsWrong(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Path testOnly = Files.createDirectories(dir.resolve("test-only"));
        Files.walkFileTree(CliProcess.root().resolve("testdata/images/emoji-fruit/Test"), new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a)
                    throws IOException {
                Path to = testOnly.resolve("Test").resolve(f.getParent().getFileName()).resolve(f.getFileName());
                Files.createDirectories(to.getParent());
                Files.copy(f, to);
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        Path aFile = Files.writeString(dir.resolve("a-file"), "x");
        Path shape = Files.writeString(dir.resolve("shape.yaml"), "threads: 2.5\n");
        String mean = "\"mean\": [0.48145466, 0.4578275, 0.40821073]";
        String std = "\"std\": [0.26862954, 0.26130258, 0.27577711]";
        Object[][] cases = {
                {new String[] {"--protocol", "zeroshot"}, "zeroshot"},
                {new String[] {"--model", brokenModel(dir, "no-visual", "\"name\"", "\"name\"", "visual.onnx").toString()},
                        "visual.onnx"},
                {new String[] {"--model", brokenModel(dir, "std0", std, "\"std\": [0, 0, 0]", "").toString()}, "'std'"},
                {new String[] {"--model", brokenModel(dir, "mean-text", mean, "\"mean\": [\"a\", \"b\", \"c\"]", "")
                        .toString()}, "'mean'"},
                {new String[] {"--model", brokenModel(dir, "size-float", "\"image_size\": 224", "\"image_size\": 224.9", "")
                        .toString()}, "'image_size'"},
                {new String[] {"--model", brokenModel(dir, "dim", "\"embed_dim\": 16,", "\"embed_dim\": 32,", "")
                        .toString()}, "embed_dim 32"},
                {new String[] {"--dataset", "imagefolder:" + testOnly, "--protocol", "k-shot", "--k", "1"},
                        "training split"},
                {new String[] {"--cache", aFile.resolve("cache").toString()}, aFile.resolve("cache").toString()},
                {new String[] {"--config", shape.toString()}, "'threads'"},
                {new String[] {"--batch-size", "100000"}, "'batch-size'"},
                {new String[] {"--backend", "onnx,onnx"}, "'onnx' twice"},
                {new String[] {"--backend-option", "onnx.nope=1"}, "onnx.nope"},
                {new String[] {"--backend-option", "djl.threads=1"}, "djl.threads"},
                {new String[] {"--k", "1,1", "--protocol", "k-shot"}, "'1' twice"},
                {new String[] {"--resume", "yes"}, "'yes'"},
                {new String[] {"--resume=yes"}, "'yes'"},
        };
        for (Object[] c : cases) {
            List<String> given = List.of((String[]) c[0]);
            List<String> args = new java.util.ArrayList<>(List.of("run", "--out", out.toString()));
            String[][] base = {{"--backend", "onnx"}, {"--model", VIT}, {"--dataset", FRUIT}, {"--cache", "none"}};
            for (String[] option : base) {
                if (!given.contains(option[0])) {
                    args.addAll(List.of(option));
                }
            }
            args.addAll(given);
            CliProcess.Result r = CliProcess.run(args.toArray(String[]::new));
            String what = String.join(" ", (String[]) c[0]);
            assertEquals(2, r.exitCode(), what + ": " + r.all());
            assertTrue(r.err().contains((String) c[1]), what + " names " + c[1] + ":\n" + r.err());
            assertTrue(!r.all().contains("picocli WARN"), what + ": " + r.all());
            assertTrue(!Files.exists(out), what + ": --out created by a run that could not start");
        }
        // Zero-shot tokenizes prompts only after embedding the test split: a missing vocabulary is found first.
        CliProcess.Result vocab = CliProcess.runWithVocab(dir.resolve("no-vocab.txt.gz"), "run", "--backend", "onnx",
                "--model", VIT, "--dataset", FRUIT, "--protocol", "zero-shot", "--cache", "none", "--out", out.toString());
        assertEquals(2, vocab.exitCode(), vocab.all());
        assertTrue(vocab.err().contains("tokenizer vocabulary not found") && !vocab.err().contains("embed "), vocab.err());
        assertTrue(!Files.exists(out), "--out created by a run without a vocabulary");
        CliProcess.Result proc = CliProcess.run("run", "--backend", "onnx", "--model", VIT, "--dataset", FRUIT,
                "--cache", "none", "--out", aFile.resolve("run").toString());
        assertEquals(2, proc.exitCode(), proc.all());
        assertTrue(proc.err().contains("--out " + aFile.resolve("run")) && proc.err().contains("cannot create"),
                proc.err());

        // k larger than a class: the row is kept, says what it used; 8 per-class with 4 training images each.
        CliProcess.Result k = CliProcess.run("run", "--backend", "onnx", "--model", VIT, "--dataset", FRUIT,
                "--protocol", "k-shot", "--k", "8", "--seeds", "1", "--heads", "lite", "--val-per-class", "1",
                "--cache", "none", "--batch-size", "8000", "--out", out.toString());
        assertEquals(0, k.exitCode(), k.all());
        CSVRecord row = csv(out.resolve("results.csv")).get(0);
        assertEquals("4", row.get("k_effective"));
        assertEquals("0", row.get("n_skipped_train"));
        assertTrue(row.get("note").contains("k=8 used fewer shots for 8 classes")
                && row.get("note").contains("no validation rows"), row.get("note"));
    }

    /** ONNX Runtime cannot train: last:0 is the head row under its own name, last:1 a row whose note says why. */
    @Test
    void finetuneModesOnAnInferenceOnlyBackend(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        CliProcess.Result proc = CliProcess.run("run", "--backend", "onnx", "--model", VIT, "--dataset", FRUIT,
                "--protocol", "k-shot", "--k", "2", "--seeds", "1", "--heads", "lite", "--val-per-class", "1",
                "--finetune", "head,last:0,last:1", "--cache", "none", "--out", out.toString());
        assertEquals(0, proc.exitCode(), proc.all());
        List<CSVRecord> rows = csv(out.resolve("results.csv"));
        assertEquals(List.of("head", "last:0", "last:1"), rows.stream().map(r -> r.get("finetune")).toList());
        assertEquals(List.of("k-shot", "fine-tune", "fine-tune"), rows.stream().map(r -> r.get("protocol")).toList());
        assertEquals(rows.get(0).get("top1"), rows.get(1).get("top1"), "last:0 is the head row");
        assertEquals(rows.get(0).get("selected"), rows.get(1).get("selected"));
        assertEquals("", rows.get(2).get("top1"), "no number without training");
        assertTrue(rows.get(2).get("note").contains("inference-only"), rows.get(2).get("note"));
        assertTrue(!Files.exists(out.resolve("training.csv")), "nothing trained");
    }

    @Test
    void fullProtocolWritesEveryCsvChartAndTheReport(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("full");
        Path cache = dir.resolve("cache");
        String[] args = {"run", "--backend", "onnx", "--model", VIT, "--dataset", FRUIT, "--protocol",
                "zero-shot,k-shot", "--k", "1,2", "--seeds", "2", "--heads", "lite,pro", "--val-per-class", "1",
                "--cache", cache.toString(), "--out", out.toString()};
        CliProcess.Result r = CliProcess.run(args);
        assertEquals(0, r.exitCode(), r.all());
        List<CSVRecord> results = csv(out.resolve("results.csv"));
        assertEquals(1 + 2 * 2 * 2, results.size(), "zero-shot + k x seeds x heads");
        // the terminal shows the report's headline pivot: one line per upsampler × head, a column per k
        assertTrue(r.out().lines().anyMatch(l -> l.matches("backbone +upsampler +head +zero-shot +k=1 +k=2")),
                r.out());
        assertEquals(3, r.out().lines().filter(l -> l.matches("\\S+ +\\S+ +(zero-shot|lite|pro) .*")).count(),
                r.out());
        for (String file : List.of("summary.csv", "confusions.csv", "per_class.csv", "predictions.csv", "report.html")) {
            assertTrue(Files.size(out.resolve(file)) > 0, file);
        }
        for (CSVRecord row : results) {
            if (row.get("head").equals("lite")) {
                assertTrue(!row.get("selected_l2").isEmpty(), "LITE records its chosen L2 strength");
                assertEquals(Integer.parseInt(row.get("k")) * 8, Integer.parseInt(row.get("n_train")));
            }
            assertEquals("false", row.get("cached"), "a fresh cache: embedded in this run");
        }
        List<CSVRecord> summary = csv(out.resolve("summary.csv"));
        assertTrue(summary.stream().anyMatch(s -> s.get("head").equals("pro") && s.get("n_seeds").equals("2")));
        List<CSVRecord> confusions = csv(out.resolve("confusions.csv"));
        for (CSVRecord c : confusions) {
            double iou = (Double.parseDouble(c.get("m_ab")) + Double.parseDouble(c.get("m_ba")))
                    / (Double.parseDouble(c.get("n_a")) + Double.parseDouble(c.get("n_b")));
            assertEquals(iou, Double.parseDouble(c.get("iou")), 1e-6);
        }

        java.util.Set<String> testImages;
        try (var s = Files.walk(CliProcess.root().resolve("testdata/images/emoji-fruit/Test"))) {
            testImages = s.filter(Files::isRegularFile).map(p -> "Test/" + p.getParent().getFileName() + "/"
                    + p.getFileName()).collect(Collectors.toSet());
        }
        List<Path> manifests;
        try (var s = Files.list(out.resolve("manifests"))) {
            manifests = s.sorted().toList();
        }
        assertEquals(4, manifests.size(), "k=1,2 x 2 seeds");
        for (Path m : manifests) {
            for (CSVRecord rec : csv(m)) {
                assertTrue(!testImages.contains(rec.get("image")), m + " draws test image " + rec.get("image"));
            }
        }
        try (var s = Files.list(out.resolve("charts"))) {
            List<String> charts = s.map(p -> p.getFileName().toString()).toList();
            assertTrue(charts.stream().anyMatch(n -> n.endsWith(".png")), charts.toString());
            assertTrue(charts.stream().anyMatch(n -> n.endsWith(".svg")), charts.toString());
        }
        String html = Files.readString(out.resolve("report.html"));
        java.util.regex.Matcher img = java.util.regex.Pattern.compile("<img data-src=\"([^\"]+)\" src=\"data:image/").matcher(html);
        int images = 0;
        while (img.find()) {
            images++;
            assertTrue(Files.isRegularFile(out.resolve(img.group(1))), "report.html links a missing " + img.group(1));
        }
        assertTrue(images >= 3, "charts and gallery on the page");

        // Another backend run (here: the same backend into a new directory) reuses the shots and the cache.
        Path second = dir.resolve("second");
        CliProcess.Result again = CliProcess.run("run", "--backend", "onnx", "--model", VIT, "--dataset", FRUIT,
                "--protocol", "k-shot", "--k", "1,2", "--seeds", "2", "--heads", "lite", "--val-per-class", "1",
                "--cache", cache.toString(), "--shots-from", out.toString(), "--out", second.toString());
        assertEquals(0, again.exitCode(), again.all());
        for (Path m : manifests) {
            assertEquals(Files.readString(m), Files.readString(second.resolve("manifests").resolve(m.getFileName())));
        }
        Map<String, String> firstLite = new HashMap<>();
        results.stream().filter(x -> x.get("head").equals("lite"))
                .forEach(x -> firstLite.put(x.get("k") + "/" + x.get("seed"), x.get("top1")));
        for (CSVRecord x : csv(second.resolve("results.csv"))) {
            assertEquals("true", x.get("cached"), "the second run reads the embeddings from the cache");
            assertEquals(firstLite.get(x.get("k") + "/" + x.get("seed")), x.get("top1"),
                    "same shots, same cached embeddings: same LITE accuracy");
        }

        Path merged = dir.resolve("merged");
        CliProcess.Result report = CliProcess.run("report", out.toString(), second.toString(), "--out", merged.toString());
        assertEquals(0, report.exitCode(), report.all());
        assertTrue(Files.isRegularFile(merged.resolve("report.html")));
        assertTrue(csv(merged.resolve("summary.csv")).size() >= 5);
    }

    @Test
    void idxRunKeepsUpsampledThumbnailsSoItsReportNeedsNoDataset(@TempDir Path dir) throws Exception {
        // 3 classes x 2 test images of 12x12 grey levels: IDX items have no file of their own
        Path data = Files.createDirectories(dir.resolve("idx"));
        int n = 6;
        int side = 12;
        try (java.io.DataOutputStream images = new java.io.DataOutputStream(
                Files.newOutputStream(data.resolve("t10k-images-idx3-ubyte")));
             java.io.DataOutputStream labels = new java.io.DataOutputStream(
                     Files.newOutputStream(data.resolve("t10k-labels-idx1-ubyte")))) {
            images.writeInt(0x00000803);
            images.writeInt(n);
            images.writeInt(side);
            images.writeInt(side);
            labels.writeInt(0x00000801);
            labels.writeInt(n);
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < side * side; p++) {
                    images.writeByte((i * 40 + (p % side < i + 2 ? 200 : 0)) & 0xFF);
                }
                labels.writeByte(i % 3);
            }
        }
        Path out = dir.resolve("run");
        CliProcess.Result r = CliProcess.run("run", "--backend", "onnx", "--model", VIT, "--dataset", "idx:" + data,
                "--protocol", "zero-shot", "--upsampler", "bicubic", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.all());
        List<Path> thumbnails;
        try (var s = Files.walk(out.resolve("thumbnails"))) {
            thumbnails = s.filter(p -> p.toString().endsWith(".png")).toList();
        }
        // each test image as bicubic made it, and (for the report's example strip) as the dataset gave it
        java.util.Map<String, List<Path>> byFolder = thumbnails.stream()
                .collect(java.util.stream.Collectors.groupingBy(p -> p.getParent().getFileName().toString()));
        assertEquals(java.util.Set.of("bicubic", "%28original%29"), byFolder.keySet(), thumbnails.toString());
        for (Path t : thumbnails) {
            java.awt.image.BufferedImage img = ImageIO.read(t.toFile());
            int expected = t.getParent().getFileName().toString().equals("bicubic") ? 224 : side;
            assertEquals(expected, img.getWidth(), "bicubic to the model's 224 px, originals at 12 px: " + t);
            assertEquals(expected, img.getHeight(), t.toString());
        }
        assertEquals(n, byFolder.get("bicubic").size());
        assertEquals(n, byFolder.get("%28original%29").size());

        deleteTree(data);
        Path report = dir.resolve("report");
        CliProcess.Result rebuilt = CliProcess.run("report", out.toString(), "--out", report.toString());
        assertEquals(0, rebuilt.exitCode(), rebuilt.all());
        List<Path> galleries;
        try (var s = Files.list(report.resolve("gallery"))) {
            galleries = s.toList();
        }
        assertEquals(1, galleries.size(), galleries.toString());
        String html = Files.readString(report.resolve("report.html"));
        assertTrue(html.contains("src=\"gallery/" + galleries.get(0).getFileName() + "\""), "gallery on the page");
        assertTrue(html.contains(n + " test images captioned"), "every test image has its thumbnail");
        assertTrue(html.contains("<table class=\"strip\""), "the example strip: original and bicubic");
        try (var s = Files.list(report.resolve("examples"))) {
            assertEquals(2 * 4, s.count(), "four test images (classes in turn), original and bicubic");
        }
    }

    static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    @Test
    void parityAcrossTheThreeRuntimesOnBothFixtureFamilies(@TempDir Path dir) throws Exception {
        for (String model : List.of(VIT, "testdata/models/tiny-clip-rn")) {
            Path out = dir.resolve(Path.of(model).getFileName());
            CliProcess.Result r = CliProcess.run("parity", "--model", model, "--backends", "onnx,djl,tensorflow",
                    "--dataset", FRUIT, "--out", out.toString());
            assertEquals(0, r.exitCode(), r.all());
            List<CSVRecord> rows = csv(out.resolve("parity.csv"));
            assertEquals(3, rows.size(), "onnx-djl, onnx-tensorflow, djl-tensorflow");
            for (CSVRecord row : rows) {
                String pair = model + " " + row.get("backend_a") + "/" + row.get("backend_b");
                assertEquals(24, Integer.parseInt(row.get("n_images")), pair);
                assertTrue(Double.parseDouble(row.get("min_cosine")) >= 0.99999, pair + " " + row.get("min_cosine"));
                assertEquals("0", row.get("flips"), pair);
                assertEquals("zero-shot", row.get("classifier"), pair);
            }
            assertTrue(Files.readString(out.resolve("report.html")).contains("Backend parity"));
        }
    }

    @Test
    void exportWritesASavedModelThatTheTensorflowBackendRuns(@TempDir Path dir) throws Exception {
        Path saved = dir.resolve("vit-savedmodel");
        CliProcess.Result r = CliProcess.run("export", "--backend", "tensorflow", "--model", VIT, "--out",
                saved.toString());
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(Files.isRegularFile(saved.resolve("saved_model.pb")), "a SavedModel");
        // A model directory holding only the card and the SavedModel runs on TensorFlow.
        Path model = Files.createDirectories(dir.resolve("model"));
        Files.copy(CliProcess.root().resolve(VIT).resolve("model-card.json"), model.resolve("model-card.json"));
        java.nio.file.Files.move(saved, model.resolve("savedmodel"));
        Path npy = dir.resolve("t.npy");
        CliProcess.Result embed = CliProcess.run("embed", "--backend", "tensorflow", "--model", model.toString(),
                "--texts", "a photo of a lemon", "--out", npy.toString());
        assertEquals(0, embed.exitCode(), embed.all());
        assertUnitRows(Npy.read(npy), 1, 16);

        CliProcess.Result refused = CliProcess.run("export", "--backend", "onnx", "--model", VIT, "--out",
                dir.resolve("x").toString());
        assertEquals(2, refused.exitCode());
        assertTrue(refused.err().contains("cannot export"), refused.err());
    }

    @Test
    void importedPretrainedMobileNetV2AgreesOnEveryRuntimeAndRunsKShot(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("mobilenet");
        CliProcess.Result imported = CliProcess.run("import-tfjs",
                NpmTestData.nsfwjsModel("mobilenet_v2").toString(), "--out", model.toString());
        assertEquals(0, imported.exitCode(), imported.all());
        assertTrue(Files.isRegularFile(model.resolve("model.onnx")));

        Path parity = dir.resolve("parity");
        CliProcess.Result r = CliProcess.run("parity", "--model", model.toString(), "--backends",
                "onnx,djl,tensorflow", "--dataset", FRUIT, "--out", parity.toString());
        assertEquals(0, r.exitCode(), r.all());
        for (CSVRecord row : csv(parity.resolve("parity.csv"))) {
            String pair = row.get("backend_a") + "/" + row.get("backend_b");
            assertEquals("nearest-centroid", row.get("classifier"), "MobileNetV2 has no text tower");
            assertTrue(Double.parseDouble(row.get("min_cosine")) >= 0.9999, pair + " " + row.get("min_cosine"));
            assertEquals("0", row.get("flips"), pair);
        }
        for (CSVRecord row : csv(parity.resolve("results.csv"))) {
            assertEquals("needs a text tower", row.get("note"), "zero-shot is skipped, not an error");
        }

        Path run = dir.resolve("kshot");
        CliProcess.Result k = CliProcess.run("run", "--backend", "onnx", "--model", model.toString(), "--dataset",
                FRUIT, "--protocol", "k-shot", "--k", "1,4", "--seeds", "2", "--val-per-class", "1", "--cache", "none",
                "--out", run.toString());
        assertEquals(0, k.exitCode(), k.all());
        List<CSVRecord> rows = csv(run.resolve("results.csv"));
        assertTrue(rows.stream().filter(x -> x.get("head").equals("pro")).allMatch(x -> x.get("note")
                .equals("needs a text tower")));
        double lite4 = rows.stream().filter(x -> x.get("head").equals("lite") && x.get("k").equals("4"))
                .mapToDouble(x -> Double.parseDouble(x.get("top1"))).average().orElseThrow();
        assertTrue(lite4 >= 0.75, "pretrained features separate 8 emoji fruits with 4 shots: " + lite4);
    }

    @Test
    void badFilesAreNamedSkippedAndCountedWhileTheRunGoesOn(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("fruit");
        Path src = CliProcess.root().resolve("testdata/images/emoji-fruit");
        for (String split : List.of("Training", "Test")) {
            for (String cls : List.of("banana", "lemon")) {
                Path to = Files.createDirectories(data.resolve(split).resolve(cls));
                try (var s = Files.list(src.resolve(split).resolve(cls))) {
                    for (Path p : (Iterable<Path>) s::iterator) {
                        Files.copy(p, to.resolve(p.getFileName()));
                    }
                }
            }
        }
        Path corrupt = Files.writeString(data.resolve("Test/banana/corrupt.png"), "not a png");
        Path empty = Files.write(data.resolve("Test/lemon/empty.jpg"), new byte[0]);
        Path unknown = Files.writeString(data.resolve("Test/lemon/notes.xyz"), "?");
        Path emptyClass = Files.createDirectories(data.resolve("Test/cherries"));
        Path out = dir.resolve("run");
        CliProcess.Result r = CliProcess.run("run", "--backend", "onnx", "--model", VIT, "--dataset",
                "imagefolder:" + data, "--cache", "none", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.all());
        for (Path named : List.of(corrupt, empty, unknown, emptyClass)) {
            assertTrue(r.err().contains(named.toString()), "warning names " + named + ":\n" + r.err());
        }
        CSVRecord row = csv(out.resolve("results.csv")).get(0);
        assertEquals("1", row.get("n_skipped"), "the corrupt PNG is skipped at load time");
        assertEquals(6, Integer.parseInt(row.get("n_test")), "2 classes x 3 readable test images");
        assertTrue(Integer.parseInt(row.get("n_dataset_warnings")) >= 3, "zero-byte, unknown extension, empty class");
        assertTrue(csv(out.resolve("predictions.csv")).stream().noneMatch(p -> p.get("image").contains("corrupt")));
    }
}
