package clipbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.checkpoint.fixtures.CheckpointFixtures;
import clipbench.clip.image.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One checkpoint folder, no card and no exports, is enough for every runtime: the real CLI on folders in the
 * layouts users download (transformers, open_clip), made from the tiny fixtures by renaming keys.
 */
class CheckpointFolderIT {

    private static Path fixture(String name) {
        return CliProcess.root().resolve("testdata/models").resolve(name);
    }

    @Test
    void parityOnAnOpenClipFolderComparesAllThreeRuntimes(@TempDir Path dir) throws Exception {
        Path rn = fixture("tiny-clip-rn");
        Path folder = CheckpointFixtures.writeOpenClip(rn.resolve("model.safetensors"), CheckpointFixtures.card(rn),
                dir.resolve("rn-open_clip"));
        Path out = dir.resolve("parity");
        // No --backends: every installed backend; the tokenizer is OpenAI's gz (CLIPBENCH_VOCAB).
        CliProcess.Result r = CliProcess.run("parity", "--model", folder.toString(), "--dataset",
                CliEndToEndIT.FRUIT, "--out", out.toString());
        assertEquals(0, r.exitCode(), r.all());
        List<CSVRecord> rows = CliEndToEndIT.csv(out.resolve("parity.csv"));
        assertEquals(3, rows.size(), "onnx-djl, onnx-tensorflow, djl-tensorflow");
        for (CSVRecord row : rows) {
            String pair = row.get("backend_a") + "/" + row.get("backend_b");
            assertTrue(Double.parseDouble(row.get("min_cosine")) >= 0.99999, pair + " " + row.get("min_cosine"));
            assertEquals("0", row.get("flips"), pair);
        }
    }

    @Test
    void transformersFolderWithoutTokenizerEmbedsImagesOnEveryRuntimeAndNamesTheMissingFiles(@TempDir Path dir)
            throws Exception {
        Path vit = fixture("tiny-clip-vit");
        Path folder = CheckpointFixtures.writeTransformers(vit.resolve("model.safetensors"),
                CheckpointFixtures.card(vit), dir.resolve("vit-transformers"));
        List<String> images = new ArrayList<>();
        try (var s = Files.walk(CliProcess.root().resolve("testdata/images/emoji-fruit/Test"))) {
            s.filter(p -> p.toString().endsWith(".png")).sorted().limit(4).forEach(p -> images.add(p.toString()));
        }
        // The same images through the OpenAI-named fixture's Python exports (ONNX) are the reference.
        Npy.NpyArray reference = embed(dir.resolve("reference.npy"), "onnx", vit.toString(), images);
        for (String backend : List.of("onnx", "djl", "tensorflow")) {
            Npy.NpyArray rows = embed(dir.resolve(backend + ".npy"), backend, folder.toString(), images);
            double max = maxAbs(reference.data(), rows.data());
            assertTrue(max <= 1e-5, backend + " from the transformers folder differs by " + max);
        }
        // With OpenAI's vocabulary configured (the same BPE), text embeds from the folder as from the OpenAI export.
        Npy.NpyArray textRef = embedTexts(dir.resolve("text-reference.npy"), vit.toString());
        Npy.NpyArray text = embedTexts(dir.resolve("text-folder.npy"), folder.toString());
        assertTrue(maxAbs(textRef.data(), text.data()) <= 1e-5, "text from the transformers folder");
        // Text needs a tokenizer: none in the folder and none configured (the launcher's CLIPBENCH_VOCAB is off here).
        CliProcess.Result r = CliProcess.runWithVocab(dir.resolve("no-vocab.txt.gz"), "embed", "--backend", "onnx",
                "--model", folder.toString(), "--texts", "a lemon", "--out", dir.resolve("text.npy").toString());
        assertNotEquals(0, r.exitCode(), r.all());
        assertFalse(Files.exists(dir.resolve("text.npy")));
        assertTrue(r.all().contains("vocab.json") && r.all().contains("merges.txt"), r.all());
    }

    private static Npy.NpyArray embed(Path out, String backend, String model, List<String> images) throws Exception {
        List<String> args = new ArrayList<>(List.of("embed", "--backend", backend, "--model", model, "--images"));
        args.addAll(images);
        args.addAll(List.of("--out", out.toString()));
        CliProcess.Result r = CliProcess.run(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.all());
        return Npy.read(out);
    }

    private static Npy.NpyArray embedTexts(Path out, String model) throws Exception {
        CliProcess.Result r = CliProcess.run("embed", "--backend", "onnx", "--model", model, "--texts",
                "a photo of a lemon", "a banana", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.all());
        return Npy.read(out);
    }

    private static double maxAbs(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
