package clipbench.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.DatasetItem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingCacheTest {
    static final CacheKey KEY = new CacheKey("fake", "1", "m", "sha", "ds", "fp", "Test", "none", "clip/8");

    static List<DatasetItem> items(int n, int brokenAt) {
        List<DatasetItem> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int v = i * 20 % 256;
            String id = "img" + i;
            out.add(i == brokenAt ? new DatasetItem(id, 0, () -> {
                throw new IOException(id + ": unreadable");
            }) : new DatasetItem(id, i % 3, () -> RgbImage.filled(8, 8, v, 255 - v, 128)));
        }
        return out;
    }

    /** An index written before the steady-state fields is still read: its rate is the cold one, as it was. */
    @Test
    void anIndexWithoutSteadyStateGivesTheColdRate(@TempDir Path dir) throws IOException {
        FakeColorBackbone backbone = new FakeColorBackbone(new int[3], false, dir);
        EmbeddingCache cache = new EmbeddingCache(dir.resolve("cache"));
        EmbeddingPipeline pipeline = new EmbeddingPipeline(backbone, (img, s) -> img, 4);
        EmbeddedSplit fresh = cache.getOrCompute(KEY, items(10, -1), () -> pipeline, ProgressListener.NONE);
        assertEquals(6, fresh.steadyImages(), "batches of 4, 4, 2: six images after the first");
        String block = cache.blocks().iterator().next();
        Path index = dir.resolve("cache").resolve(block + ".json");
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(index.toFile());
        assertEquals(6, json.path("steady_images").asInt());
        json.remove(List.of("steady_images", "steady_seconds"));
        java.nio.file.Files.write(index, mapper.writeValueAsBytes(json));

        EmbeddedSplit old = cache.getOrCompute(KEY, items(10, -1), () -> pipeline, ProgressListener.NONE);
        assertTrue(old.cached());
        assertFalse(old.steady());
        assertEquals(10 / old.totalSeconds(), old.imagesPerSecond(), 1e-9);
    }

    @Test
    void backendSettingsMakeADifferentBlockAndDefaultsKeepTheOldKey() {
        CacheKey defaults = new CacheKey("fake", "1", "m", "sha", "ds", "fp", "Test", "none", "clip/8", Map.of());
        assertEquals(KEY.digest(), defaults.digest(), "no setting: the key blocks were made under");
        CacheKey basic = new CacheKey("fake", "1", "m", "sha", "ds", "fp", "Test", "none", "clip/8",
                Map.of("fake.optimization", "basic"));
        assertNotEquals(KEY.digest(), basic.digest());
        assertEquals("{fake.optimization=basic}", basic.asMap().get("backend_settings"));
    }

    @Test
    void secondLookupReadsTheSameRowsWithoutTheBackbone(@TempDir Path dir) throws IOException {
        FakeColorBackbone backbone = new FakeColorBackbone(new int[3], false, dir);
        EmbeddingCache cache = new EmbeddingCache(dir.resolve("cache"));
        EmbeddingPipeline pipeline = new EmbeddingPipeline(backbone, (img, s) -> img, 4);
        List<DatasetItem> items = items(10, 3);
        EmbeddedSplit first = cache.getOrCompute(KEY, items, () -> pipeline, ProgressListener.NONE);
        assertFalse(first.cached());
        assertEquals(9, first.size());
        assertEquals(List.of("img3: img3: unreadable"), first.skipped());
        int calls = backbone.batchSizes.size();

        EmbeddedSplit second = cache.getOrCompute(KEY, items, () -> pipeline, ProgressListener.NONE);
        assertTrue(second.cached());
        assertEquals(calls, backbone.batchSizes.size(), "no backbone call on a cache hit");
        assertEquals(first.ids(), second.ids());
        assertArrayEquals(first.labels(), second.labels());
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.embeddings()[i], second.embeddings()[i]);
        }
        assertEquals(first.skipped(), second.skipped());

        CacheKey other = new CacheKey("fake", "1", "m", "sha", "ds", "fp", "Test", "bicubic", "clip/8");
        cache.getOrCompute(other, items, () -> pipeline, ProgressListener.NONE);
        assertTrue(backbone.batchSizes.size() > calls, "another upsampler is another block");
        assertEquals(2, cache.blocks().size());
    }

    @Test
    void anInterruptedBlockResumesWhereItStopped(@TempDir Path dir) throws IOException {
        FakeColorBackbone backbone = new FakeColorBackbone(new int[3], false, dir);
        EmbeddingCache cache = new EmbeddingCache(dir.resolve("cache"));
        List<DatasetItem> items = items(10, -1);
        // A RuntimeException from load() is counted as a skipped image, so crash inside the backbone instead.
        EmbeddingPipeline dying = new EmbeddingPipeline(new FakeColorBackbone(new int[3], false, dir) {
            int calls;

            @Override
            public float[][] embedImages(clipbench.api.spi.ImageBatch batch) {
                if (++calls == 2) {
                    throw new IllegalStateException("simulated crash");
                }
                return super.embedImages(batch);
            }
        }, (img, s) -> img, 4);
        assertThrows(IllegalStateException.class,
                () -> cache.getOrCompute(KEY, items, () -> dying, ProgressListener.NONE));
        assertTrue(cache.blocks().isEmpty(), "an incomplete block is not visible");

        EmbeddingPipeline pipeline = new EmbeddingPipeline(backbone, (img, s) -> img, 4);
        EmbeddedSplit resumed = cache.getOrCompute(KEY, items, () -> pipeline, ProgressListener.NONE);
        assertEquals(List.of(4, 2), backbone.batchSizes, "only the 6 items after the first batch are embedded");
        EmbeddedSplit fresh = new EmbeddingPipeline(backbone, (img, s) -> img, 4).embed(items, ProgressListener.NONE);
        assertEquals(fresh.ids(), resumed.ids());
        for (int i = 0; i < fresh.size(); i++) {
            assertArrayEquals(fresh.embeddings()[i], resumed.embeddings()[i], 0f);
        }
    }
}
