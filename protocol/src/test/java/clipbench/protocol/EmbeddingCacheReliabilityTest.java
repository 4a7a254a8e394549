package clipbench.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.ImageBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The cache never gives wrong rows: concurrent writers, corrupt blocks, crashes at any write, timing. */
class EmbeddingCacheReliabilityTest {
    static final CacheKey KEY = EmbeddingCacheTest.KEY;
    static final List<DatasetItem> ITEMS = EmbeddingCacheTest.items(10, 3);

    /** A simulated kill: nothing after it runs. */
    static final class Crash extends RuntimeException {
        Crash(String step) {
            super("crash at " + step);
        }
    }

    /** Records warnings. */
    static final class Warnings implements ProgressListener {
        final List<String> messages = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void warn(String message) {
            messages.add(message);
        }
    }

    /** A backbone that fails (or sleeps) on chosen calls. */
    static class Backbone extends FakeColorBackbone {
        final int dieAtCall;
        final long sleepMillis;
        int calls;

        Backbone(Path dir, int dieAtCall, long sleepMillis) {
            super(new int[3], false, dir);
            this.dieAtCall = dieAtCall;
            this.sleepMillis = sleepMillis;
        }

        @Override
        public float[][] embedImages(ImageBatch batch) {
            if (++calls == dieAtCall) {
                throw new Crash("backbone call " + calls);
            }
            if (sleepMillis > 0) {
                try {
                    Thread.sleep(sleepMillis);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return super.embedImages(batch);
        }
    }

    static EmbeddingPipeline pipeline(FakeColorBackbone backbone, int batch) {
        return new EmbeddingPipeline(backbone, (img, s) -> img, batch);
    }

    static EmbeddedSplit clean(Path dir, List<DatasetItem> items) {
        return pipeline(new FakeColorBackbone(new int[3], false, dir), 4).embed(items, ProgressListener.NONE);
    }

    static void assertSameRows(EmbeddedSplit expected, EmbeddedSplit actual) {
        assertEquals(expected.ids(), actual.ids());
        assertArrayEquals(expected.labels(), actual.labels());
        assertEquals(expected.skipped(), actual.skipped());
        assertEquals(expected.size(), actual.embeddings().length);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.embeddings()[i], actual.embeddings()[i], 0f, "row " + i);
        }
    }

    @Test
    void twoWritersOnOneFolderBothGetCorrectRows(@TempDir Path dir) throws Exception {
        List<DatasetItem> items = EmbeddingCacheTest.items(40, 7);
        EmbeddedSplit expected = clean(dir, items);
        for (int round = 0; round < 3; round++) {
            Path cacheDir = dir.resolve("cache" + round);
            java.util.concurrent.atomic.AtomicInteger embedded = new java.util.concurrent.atomic.AtomicInteger();
            CyclicBarrier start = new CyclicBarrier(2);
            EmbeddedSplit[] results = new EmbeddedSplit[2];
            Throwable[] errors = new Throwable[2];
            Thread[] threads = new Thread[2];
            for (int t = 0; t < 2; t++) {
                int i = t;
                threads[t] = new Thread(() -> {
                    try {
                        EmbeddingCache cache = new EmbeddingCache(cacheDir);
                        start.await();
                        results[i] = cache.getOrCompute(KEY, items, () -> pipeline(new Backbone(dir, -1, 5) {
                            @Override
                            public float[][] embedImages(ImageBatch batch) {
                                embedded.addAndGet(batch.count());
                                return super.embedImages(batch);
                            }
                        }, 4), ProgressListener.NONE);
                    } catch (Throwable e) {
                        errors[i] = e;
                    }
                });
                threads[t].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            for (int t = 0; t < 2; t++) {
                if (errors[t] != null) {
                    throw new AssertionError("writer " + t + " failed", errors[t]);
                }
                assertSameRows(expected, results[t]);
            }
            assertEquals(39, embedded.get(), "one writer embeds, the other waits and reads its block");
            EmbeddedSplit later = new EmbeddingCache(cacheDir).getOrCompute(KEY, items,
                    () -> { throw new AssertionError("the block is complete"); }, ProgressListener.NONE);
            assertTrue(later.cached());
            assertSameRows(expected, later);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inf-in-vectors", "label-changed", "bytes-appended-to-vectors",
            "line-appended-to-ids", "index-truncated", "vectors-missing"})
    void aDamagedBlockIsReportedAndRecomputed(String damage, @TempDir Path dir) throws IOException {
        Path cacheDir = dir.resolve("cache");
        new EmbeddingCache(cacheDir).getOrCompute(KEY, ITEMS, () -> pipeline(new FakeColorBackbone(new int[3], false,
                dir), 4), ProgressListener.NONE);
        String block = KEY.digest();
        Path vectors = cacheDir.resolve(block + ".f32");
        Path ids = cacheDir.resolve(block + ".ids");
        switch (damage) {
            case "inf-in-vectors" -> {
                try (FileChannel ch = FileChannel.open(vectors, StandardOpenOption.WRITE)) {
                    ByteBuffer inf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                            .putFloat(Float.POSITIVE_INFINITY).putFloat(1f).flip();
                    ch.write(inf, 12);
                }
            }
            case "label-changed" -> Files.writeString(ids, Files.readString(ids).replaceFirst("row\t1\t", "row\t2\t"));
            case "bytes-appended-to-vectors" -> Files.write(vectors, new byte[12], StandardOpenOption.APPEND);
            case "line-appended-to-ids" -> Files.writeString(ids, "row\t0\timg0\n", StandardOpenOption.APPEND);
            case "index-truncated" -> {
                Path index = cacheDir.resolve(block + ".json");
                byte[] json = Files.readAllBytes(index);
                Files.write(index, java.util.Arrays.copyOf(json, json.length / 2));
            }
            case "vectors-missing" -> Files.delete(vectors);
            default -> throw new IllegalArgumentException(damage);
        }
        Warnings warnings = new Warnings();
        FakeColorBackbone backbone = new FakeColorBackbone(new int[3], false, dir);
        EmbeddedSplit healed = new EmbeddingCache(cacheDir).getOrCompute(KEY, ITEMS, () -> pipeline(backbone, 4),
                warnings);
        assertFalse(healed.cached(), "a damaged block is never used");
        assertFalse(backbone.batchSizes.isEmpty(), "recomputed");
        assertSameRows(clean(dir, ITEMS), healed);
        assertTrue(warnings.messages.stream().anyMatch(m -> m.contains(block)), "the warning names the block: "
                + warnings.messages);

        Warnings again = new Warnings();
        EmbeddedSplit reread = new EmbeddingCache(cacheDir).getOrCompute(KEY, ITEMS,
                () -> { throw new AssertionError("healed block is complete"); }, again);
        assertTrue(reread.cached());
        assertSameRows(clean(dir, ITEMS), reread);
        assertEquals(List.of(), again.messages);
    }

    @Test
    void nonFiniteEmbeddingsStopTheRunNamingTheBatchAndAreNeverCached(@TempDir Path dir) throws IOException {
        Path cacheDir = dir.resolve("cache");
        FakeColorBackbone nan = new FakeColorBackbone(new int[3], false, dir) {
            int calls;

            @Override
            public float[][] embedImages(ImageBatch batch) {
                float[][] rows = super.embedImages(batch);
                if (++calls == 2) {
                    rows[1][2] = Float.NaN;
                }
                return rows;
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new EmbeddingCache(cacheDir)
                .getOrCompute(KEY, ITEMS, () -> pipeline(nan, 4), ProgressListener.NONE));
        // Item 3 is unreadable, so the second batch is items 5..8.
        for (String id : List.of("img5", "img6", "img7", "img8")) {
            assertTrue(e.getMessage().contains(id), e.getMessage());
        }
        assertTrue(new EmbeddingCache(cacheDir).blocks().isEmpty());
        EmbeddedSplit resumed = new EmbeddingCache(cacheDir).getOrCompute(KEY, ITEMS,
                () -> pipeline(new FakeColorBackbone(new int[3], false, dir), 4), ProgressListener.NONE);
        assertSameRows(clean(dir, ITEMS), resumed);
    }

    /** Crashes at the n-th write step for every n, then checks that a plain next run gives the clean rows. */
    @Test
    void aCrashAtAnyWriteStepIsRecoveredByTheNextRun(@TempDir Path dir) throws IOException {
        EmbeddedSplit expected = clean(dir, ITEMS);
        int steps = 0;
        for (int n = 1; ; n++) {
            Path cacheDir = dir.resolve("cache" + n);
            int crashAt = n;
            int[] seen = {0};
            List<String> names = new ArrayList<>();
            EmbeddingCache dying = new EmbeddingCache(cacheDir, step -> {
                names.add(step);
                if (++seen[0] == crashAt) {
                    throw new Crash(step);
                }
            });
            try {
                dying.getOrCompute(KEY, ITEMS, () -> pipeline(new FakeColorBackbone(new int[3], false, dir), 4),
                        ProgressListener.NONE);
                steps = n - 1;
                break;
            } catch (Crash expectedCrash) {
                // the simulated kill
            }
            FakeColorBackbone backbone = new FakeColorBackbone(new int[3], false, dir);
            EmbeddedSplit next = new EmbeddingCache(cacheDir).getOrCompute(KEY, ITEMS, () -> pipeline(backbone, 4),
                    ProgressListener.NONE);
            assertSameRows(expected, next);
            EmbeddedSplit later = new EmbeddingCache(cacheDir).getOrCompute(KEY, ITEMS,
                    () -> { throw new AssertionError("complete after recovery from " + names); },
                    ProgressListener.NONE);
            assertSameRows(expected, later);
        }
        // 3 batches, then the commit: vectors, ids, index, clean-up.
        assertTrue(steps >= 6, "crash points seen: " + steps);
    }

    /** A kill in the middle of a write leaves a torn tail: it is cut back to the last whole batch. */
    @Test
    void aTornTailOfThePartialStateIsCutBack(@TempDir Path dir) throws IOException {
        EmbeddedSplit expected = clean(dir, ITEMS);
        Path template = dir.resolve("template");
        assertThrows(Crash.class, () -> new EmbeddingCache(template).getOrCompute(KEY, ITEMS,
                () -> pipeline(new Backbone(dir, 3, 0), 4), ProgressListener.NONE));
        List<Path> partials;
        try (Stream<Path> s = Files.list(template)) {
            partials = s.filter(p -> p.getFileName().toString().contains("partial")).sorted().toList();
        }
        assertFalse(partials.isEmpty(), "an interrupted block leaves resumable state");
        int run = 0;
        for (Path partial : partials) {
            long size = Files.size(partial);
            for (int cut = 1; cut <= Math.min(size, 64); cut++) {
                Path cacheDir = dir.resolve("cut" + run++);
                copy(template, cacheDir);
                try (FileChannel ch = FileChannel.open(cacheDir.resolve(partial.getFileName()),
                        StandardOpenOption.WRITE)) {
                    ch.truncate(size - cut);
                }
                EmbeddedSplit resumed = new EmbeddingCache(cacheDir).getOrCompute(KEY, ITEMS,
                        () -> pipeline(new FakeColorBackbone(new int[3], false, dir), 4), ProgressListener.NONE);
                assertSameRows(expected, resumed);
            }
        }
    }

    @Test
    void resumedTimingCoversOnlyTheFreshImagesAndIsMarked(@TempDir Path dir) throws IOException {
        Path cacheDir = dir.resolve("cache");
        List<DatasetItem> items = EmbeddingCacheTest.items(10, -1);
        assertThrows(Crash.class, () -> new EmbeddingCache(cacheDir).getOrCompute(KEY, items,
                () -> pipeline(new Backbone(dir, 2, 0), 4), ProgressListener.NONE));
        EmbeddedSplit resumed = new EmbeddingCache(cacheDir).getOrCompute(KEY, items,
                () -> pipeline(new Backbone(dir, -1, 20), 4), ProgressListener.NONE);
        assertEquals(10, resumed.size());
        assertEquals(6, resumed.timedImages(), "the seconds cover the 6 images embedded in this run, not all 10");
        assertEquals(2, resumed.steadyImages(), "of those, the 2 after this run's first batch of 4");
        assertTrue(resumed.steady());
        assertEquals(2, Math.round(resumed.imagesPerSecond() * resumed.steadySeconds()),
                "the rate is the steady state: the images after the first batch over the time after it");
        assertEquals(EmbeddedSplit.TimingSource.PARTIAL, resumed.timingSource());

        EmbeddedSplit cached = new EmbeddingCache(cacheDir).getOrCompute(KEY, items,
                () -> { throw new AssertionError("complete"); }, ProgressListener.NONE);
        assertEquals(EmbeddedSplit.TimingSource.CACHED, cached.timingSource());
        assertEquals(6, cached.timedImages(), "the index keeps how many images its seconds cover");
        assertEquals(2, cached.steadyImages(), "and the steady state's");
        assertEquals(resumed.imagesPerSecond(), cached.imagesPerSecond(), 1e-9);

        EmbeddedSplit fresh = new EmbeddingCache(dir.resolve("other")).getOrCompute(KEY, items,
                () -> pipeline(new Backbone(dir, -1, 0), 4), ProgressListener.NONE);
        assertEquals(EmbeddedSplit.TimingSource.FRESH, fresh.timingSource());
        assertEquals(10, fresh.timedImages());
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }
}
