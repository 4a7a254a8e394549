package clipbench.backend.onnx;

import static clipbench.api.contract.ContractFixtures.sineImages;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code onnx.optimized-cache}: written once, reused, and never trusted when its file does not match. */
class OptimizedModelCacheTest {
    private static final Path VIT = ContractFixtures.testdata("models/tiny-clip-vit");

    private static float[][] embed(Path cache) throws IOException {
        ModelCard card = ModelCards.load(VIT);
        BackendOptions options = new BackendOptions(1, Device.CPU, Map.of("onnx.optimized-cache", cache.toString()));
        try (Backbone backbone = new OnnxBackboneProvider().open(card, options)) {
            return backbone.embedImages(sineImages(0, 2, 224));
        }
    }

    private static float[][] plain() throws IOException {
        try (Backbone backbone = new OnnxBackboneProvider().open(ModelCards.load(VIT), new BackendOptions(1, Device.CPU))) {
            return backbone.embedImages(sineImages(0, 2, 224));
        }
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static OptimizedModelCache.Entry imageEntry(Path cache) throws IOException {
        return new OptimizedModelCache(cache).entry(VIT.resolve("visual.onnx"),
                ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion(), "ALL_OPT", false);
    }

    private static void assertSameRows(float[][] expected, float[][] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], 1e-5f);
        }
    }

    @Test
    void theFirstOpenWritesOneEntryPerTowerAndTheSecondReusesIt(@TempDir Path cache) throws Exception {
        float[][] reference = plain();
        assertSameRows(reference, embed(cache));
        assertEquals(2, files(cache, ".onnx").size(), "image and text tower");
        assertEquals(2, files(cache, ".properties").size());
        assertTrue(files(cache, ".tmp").isEmpty(), "no temporary file is left");
        OptimizedModelCache.Entry entry = imageEntry(cache);
        assertTrue(new OptimizedModelCache(cache).valid(entry));

        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(entry.model(), old);
        Files.setLastModifiedTime(entry.record(), old);
        assertSameRows(reference, embed(cache));
        assertEquals(old, Files.getLastModifiedTime(entry.model()), "the cached model was reused, not rewritten");
        assertEquals(old, Files.getLastModifiedTime(entry.record()));
    }

    @Test
    void aCorruptEntryIsNotUsedAndIsWrittenAgain(@TempDir Path cache) throws Exception {
        float[][] reference = plain();
        embed(cache);
        OptimizedModelCache.Entry entry = imageEntry(cache);
        byte[] good = Files.readAllBytes(entry.model());
        Files.write(entry.model(), new byte[] {1, 2, 3, 4});
        assertFalse(new OptimizedModelCache(cache).valid(entry));
        assertSameRows(reference, embed(cache)); // ORT would fail on these 4 bytes if they were loaded
        assertTrue(new OptimizedModelCache(cache).valid(entry));
        assertEquals(good.length, Files.size(entry.model()));
    }

    @Test
    void aForeignModelUnderTheKeyIsNotUsed(@TempDir Path cache) throws Exception {
        float[][] reference = plain();
        embed(cache);
        OptimizedModelCache.Entry entry = imageEntry(cache);
        Files.copy(VIT.resolve("textual.onnx"), entry.model(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertFalse(new OptimizedModelCache(cache).valid(entry));
        assertSameRows(reference, embed(cache)); // the text tower's graph would not take images
        assertTrue(new OptimizedModelCache(cache).valid(entry));
    }

    @Test
    void theKeyDependsOnLevelAndSource(@TempDir Path cache) throws Exception {
        OptimizedModelCache c = new OptimizedModelCache(cache);
        Path image = VIT.resolve("visual.onnx");
        assertEquals(c.entry(image, "1.0", "ALL_OPT", false), c.entry(image, "1.0", "ALL_OPT", false));
        assertNotEquals(c.entry(image, "1.0", "ALL_OPT", false).model(), c.entry(image, "1.0", "BASIC_OPT", false).model());
        assertNotEquals(c.entry(image, "1.0", "ALL_OPT", false).model(), c.entry(image, "1.1", "ALL_OPT", false).model());
        assertNotEquals(c.entry(image, "1.0", "ALL_OPT", false).model(),
                c.entry(VIT.resolve("textual.onnx"), "1.0", "ALL_OPT", false).model());
    }
}
