package clipbench.backend.onnx;

import static clipbench.api.contract.ContractFixtures.goldenTokens;
import static clipbench.api.contract.ContractFixtures.maxAbsDiff;
import static clipbench.api.contract.ContractFixtures.sineImages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CLIP written as ONNX from a checkpoint ({@link ClipOnnxWriter}) against the fixtures' Python exports, the rule
 * choosing exports or checkpoint ({@link OnnxSource}), the graph cache ({@link CheckpointGraphCache}), and the
 * architecture variants a card can ask for (exact GELU, pooling at an end-of-text id).
 */
class CheckpointOnnxTest {
    /** The written graph and torch.onnx's export of the same weights run the same ops in the same order. */
    private static final double EXPORT_TOLERANCE = 1e-5;
    private final OnnxBackboneProvider provider = new OnnxBackboneProvider();

    private float[][] images(Backbone b, ModelCard card) {
        return b.embedImages(sineImages(0, 4, card.preprocess().imageSize()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-clip-vit", "tiny-clip-rn"})
    void writtenGraphsMatchThePythonExports(String fixture, @TempDir Path tmp) throws IOException {
        ModelCard exported = ModelCards.load(CheckpointCards.fixture(fixture));
        ModelCard checkpointOnly = ModelCards.load(CheckpointCards.checkpointOnly(fixture, tmp.resolve("m"), a -> { }));
        Path cache = tmp.resolve("graphs");
        try (Backbone export = provider.open(exported, CheckpointCards.options(0, cache));
             Backbone written = provider.open(checkpointOnly, CheckpointCards.options(0, cache));
             Backbone forced = provider.open(exported,
                     CheckpointCards.options(0, cache, "onnx.source", "checkpoint"))) {
            double image = maxAbsDiff(images(written, checkpointOnly), images(export, exported));
            double text = maxAbsDiff(written.embedTokens(goldenTokens()), export.embedTokens(goldenTokens()));
            System.out.printf("[onnx-checkpoint] %s written vs Python export: image %.3e, text %.3e%n", fixture, image,
                    text);
            assertTrue(image <= EXPORT_TOLERANCE, "image " + image);
            assertTrue(text <= EXPORT_TOLERANCE, "text " + text);
            // onnx.source=checkpoint on the card with exports: the same checkpoint, so the same cached graphs
            assertEquals(0.0, maxAbsDiff(images(forced, exported), images(written, checkpointOnly)));
        }
        assertEquals(1, entries(cache).size(), "one checkpoint, one cache entry");
        // the model hash covers what runs: the exports by default, the checkpoint for a checkpoint-only card
        assertEquals(List.of(exported.directory().resolve("visual.onnx"), exported.directory().resolve("textual.onnx")),
                provider.artifactFiles(exported));
        assertEquals(List.of(checkpointOnly.directory().resolve("model.safetensors")),
                provider.artifactFiles(checkpointOnly));
    }

    @Test
    void exportChoiceRefusesACheckpointOnlyCard(@TempDir Path tmp) throws IOException {
        ModelCard card = ModelCards.load(CheckpointCards.checkpointOnly("tiny-clip-vit", tmp.resolve("m"), a -> { }));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> provider.open(card, CheckpointCards.options(0, tmp, "onnx.source", "export")).close());
        assertTrue(e.getMessage().contains("'image' artifact for format 'onnx'"), e.getMessage());
    }

    @Test
    void cacheReusesRewritesDamageAndWritesOnceUnderConcurrency(@TempDir Path tmp) throws Exception {
        ModelCard card = ModelCards.load(CheckpointCards.checkpointOnly("tiny-clip-vit", tmp.resolve("m"), a -> { }));
        Path cache = tmp.resolve("graphs");
        BackendOptions options = CheckpointCards.options(0, cache);

        // two threads open the same checkpoint on an empty cache: one entry, written once
        int before = CheckpointGraphCache.written();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<float[][]>> runs = new ArrayList<>();
        try {
            for (int t = 0; t < 2; t++) {
                runs.add(pool.submit((Callable<float[][]>) () -> {
                    try (Backbone b = provider.open(card, options)) {
                        return images(b, card);
                    }
                }));
            }
            assertEquals(0.0, maxAbsDiff(runs.get(0).get(), runs.get(1).get()));
        } finally {
            pool.shutdownNow();
        }
        assertEquals(before + 1, CheckpointGraphCache.written(), "concurrent opens write the entry once");
        List<Path> entries = entries(cache);
        assertEquals(1, entries.size());
        float[][] reference = runs.get(0).get();

        // a second open reuses it
        try (Backbone b = provider.open(card, options)) {
            assertEquals(0.0, maxAbsDiff(images(b, card), reference));
        }
        assertEquals(before + 1, CheckpointGraphCache.written(), "a valid entry is not written again");

        // a truncated weights file is detected and written again
        Path data = entries.get(0).resolve("visual.onnx.data");
        long size = Files.size(data);
        try (FileChannel c = FileChannel.open(data, StandardOpenOption.WRITE)) {
            c.truncate(size / 2);
        }
        try (Backbone b = provider.open(card, options)) {
            assertEquals(0.0, maxAbsDiff(images(b, card), reference));
        }
        assertEquals(before + 2, CheckpointGraphCache.written(), "a damaged entry is written again");
        assertEquals(size, Files.size(data));
        assertEquals(entries, entries(cache), "no leftover temporary folders");
    }

    @Test
    void optimisedModelCacheTakesWrittenGraphs(@TempDir Path tmp) throws IOException {
        ModelCard card = ModelCards.load(CheckpointCards.checkpointOnly("tiny-clip-rn", tmp.resolve("m"), a -> { }));
        BackendOptions options = CheckpointCards.options(0, tmp.resolve("graphs"), "onnx.optimized-cache",
                tmp.resolve("optimized").toString());
        float[][] first;
        try (Backbone b = provider.open(card, options)) { // optimises the written graphs and saves them
            first = images(b, card);
        }
        try (Backbone b = provider.open(card, options)) { // loads the saved optimised graphs
            assertTrue(maxAbsDiff(images(b, card), first) <= 1e-6);
        }
        try (Stream<Path> saved = Files.list(tmp.resolve("optimized"))) {
            // ORT saves initializers to the entry's own KEY.onnx.data: the graphs' visual.onnx.data is elsewhere
            assertEquals(List.of(".data", ".data", ".onnx", ".onnx", ".properties", ".properties"),
                    saved.map(f -> f.getFileName().toString()).map(n -> n.substring(n.lastIndexOf('.'))).sorted()
                            .toList(), "image and text: an optimised model, its weights and its record each");
        }
    }

    @Test
    void exactGeluChangesBothTowers(@TempDir Path tmp) throws IOException {
        ModelCard quick = ModelCards.load(CheckpointCards.checkpointOnly("tiny-clip-vit", tmp.resolve("q"), a -> { }));
        ModelCard gelu = ModelCards.load(CheckpointCards.checkpointOnly("tiny-clip-vit", tmp.resolve("g"),
                a -> a.put("activation", "gelu")));
        Path cache = tmp.resolve("graphs");
        try (Backbone q = provider.open(quick, CheckpointCards.options(0, cache));
             Backbone g = provider.open(gelu, CheckpointCards.options(0, cache))) {
            double image = maxAbsDiff(images(g, gelu), images(q, quick));
            double text = maxAbsDiff(g.embedTokens(goldenTokens()), q.embedTokens(goldenTokens()));
            System.out.printf("[onnx-checkpoint] exact GELU vs QuickGELU: image %.3e, text %.3e%n", image, text);
            // GELU and QuickGELU differ by up to ~0.02 per activation: visible, but the same network
            assertTrue(image > 1e-4 && image < 0.5, "image " + image);
            assertTrue(text > 1e-4 && text < 0.5, "text " + text);
        }
        assertEquals(2, entries(cache).size(), "the activation is part of the cache key");
    }

    @Test
    void endOfTextIdPoolsItsFirstOccurrence(@TempDir Path tmp) throws IOException {
        ModelCard argmax = ModelCards.load(CheckpointCards.checkpointOnly("tiny-clip-vit", tmp.resolve("a"), a -> { }));
        ModelCard eot = ModelCards.load(CheckpointCards.checkpointOnly("tiny-clip-vit", tmp.resolve("e"),
                a -> a.put("eos_token_id", 49407)));
        ModelCard three = ModelCards.load(CheckpointCards.checkpointOnly("tiny-clip-vit", tmp.resolve("t"),
                a -> a.put("eos_token_id", 3)));
        Path cache = tmp.resolve("graphs");
        int[][] rows = {row(49406, 3, 8, 3, 49407), row(49406, 3, 9, 9, 9, 49407)};
        try (Backbone a = provider.open(argmax, CheckpointCards.options(0, cache));
             Backbone e = provider.open(eot, CheckpointCards.options(0, cache));
             Backbone t = provider.open(three, CheckpointCards.options(0, cache))) {
            // OpenAI's end-of-text is its largest id: naming it pools where argmax does
            assertEquals(0.0, maxAbsDiff(e.embedTokens(goldenTokens()), a.embedTokens(goldenTokens())));
            // id 3 pools position 1 (its first occurrence); with the causal mask that row sees only "49406 3"
            float[][] pooled = t.embedTokens(rows);
            assertEquals(0.0, maxAbsDiff(new float[][] {pooled[0]}, new float[][] {pooled[1]}));
            float[][] byArgmax = a.embedTokens(rows);
            assertNotEquals(0.0, maxAbsDiff(new float[][] {byArgmax[0]}, new float[][] {byArgmax[1]}));
            assertTrue(maxAbsDiff(new float[][] {pooled[0]}, new float[][] {byArgmax[0]}) > 1e-4);
        }
    }

    private static int[] row(int... ids) {
        int[] row = new int[77];
        System.arraycopy(ids, 0, row, 0, ids.length);
        return row;
    }

    /** The cache's folders: entries, and temporary ones (dot names) if any were left behind. */
    private static List<Path> entries(Path cache) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(Files::isDirectory).sorted().toList();
        }
    }
}
