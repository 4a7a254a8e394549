package clipbench.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.ImageBatch;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline's preparing threads: same calls as the sequential path, bounded look-ahead, clean stops. */
class EmbeddingPipelineThreadsTest {
    @TempDir
    Path dir;

    /** Every call the pipeline made, in order, as text (batches by their ids and the hash of their floats). */
    private static class Recorder implements EmbeddingPipeline.Output {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void rows(List<DatasetItem> items, float[][] rows) {
            calls.add("rows " + items.stream().map(DatasetItem::id).toList() + " " + Arrays.deepToString(rows));
        }

        @Override
        public void skipped(DatasetItem item, String reason) {
            calls.add("skip " + item.id() + ": " + reason);
        }
    }

    /** Records the hash of each batch's input; may sleep or throw on a given batch. */
    private static class RecordingBackbone extends FakeColorBackbone {
        final List<Integer> inputHashes = new ArrayList<>();
        int sleepMillis;
        int failOnBatch = -1;

        RecordingBackbone(Path dir) {
            super(new int[3], false, dir);
        }

        @Override
        public float[][] embedImages(ImageBatch batch) {
            if (inputHashes.size() == failOnBatch) {
                throw new IllegalStateException("backbone failed on batch " + failOnBatch);
            }
            inputHashes.add(Arrays.hashCode(batch.data()));
            sleep(sleepMillis);
            return super.embedImages(batch);
        }
    }

    /** Item i: a size and colour of its own; every 7th unreadable, every 11th a bad image; random read delays. */
    private static List<DatasetItem> items(int n, boolean slow) {
        List<DatasetItem> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            items.add(new DatasetItem("item" + i, i % 3, () -> {
                if (slow) {
                    sleep(ThreadLocalRandom.current().nextInt(3));
                }
                if (k % 7 == 3) {
                    throw new IOException("item" + k + ": unreadable");
                }
                if (k % 11 == 5) {
                    throw new IllegalArgumentException("item" + k + ": not an image");
                }
                return RgbImage.filled(8 + k % 5, 8 + k % 3, (k * 37) % 256, (k * 91) % 256, (k * 13) % 256);
            }));
        }
        return items;
    }

    private static void sleep(int millis) {
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static List<String> prepThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("clipbench-prep-")).toList();
    }

    /** The pipeline joins its threads before returning or throwing. */
    @AfterEach
    void noPreparingThreadOutlivesACall() {
        assertEquals(List.of(), prepThreads(), "a preparing thread outlived its embed call");
    }

    private record Run(List<String> calls, List<String> tapped, List<Integer> inputs, EmbeddingPipeline.Timing timing) {
    }

    private Run run(List<DatasetItem> items, int batch, int threads) throws IOException {
        RecordingBackbone backbone = new RecordingBackbone(dir);
        Recorder out = new Recorder();
        List<String> tapped = new ArrayList<>();
        EmbeddingPipeline.InputTap tap = (item, image) -> tapped.add(item.id() + " " + image.width() + "x"
                + image.height() + " " + Arrays.hashCode(image.pixels()));
        EmbeddingPipeline.Timing timing = new EmbeddingPipeline(backbone, (img, side) -> img, batch, tap, threads)
                .embed(items, out, ProgressListener.NONE);
        return new Run(out.calls, tapped, backbone.inputHashes, timing);
    }

    @Test
    void threadsMakeExactlyTheCallsOfTheSequentialPath() throws IOException {
        List<DatasetItem> items = items(101, true);
        for (int batch : new int[] {1, 3, 8, 10, 64, 1000}) {
            Run sequential = run(items, batch, 0);
            for (int threads : new int[] {1, 4}) {
                Run threaded = run(items, batch, threads);
                String what = "batch " + batch + ", " + threads + " threads";
                assertEquals(sequential.calls(), threaded.calls(), what + ": rows and skips, in order");
                assertEquals(sequential.inputs(), threaded.inputs(), what + ": the backbone's input floats");
                assertEquals(sequential.tapped(), threaded.tapped(), what + ": the tap, in item order");
            }
        }
    }

    /** Independently of the sequential path: batches are the first readable images, skips come as met. */
    @Test
    void batchesAreTheNextReadableImagesAndSkipsComeInItemOrder() throws IOException {
        List<DatasetItem> items = items(40, true);
        Run run = run(items, 4, 3);
        List<String> expected = new ArrayList<>();
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            if (i % 7 == 3 || i % 11 == 5) {
                expected.add("skip item" + i);
                continue;
            }
            batch.add("item" + i);
            if (batch.size() == 4) {
                expected.add("rows " + batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            expected.add("rows " + batch);
        }
        List<String> actual = run.calls().stream()
                .map(c -> c.startsWith("skip") ? c.substring(0, c.indexOf(':')) : c.substring(0, c.indexOf(']') + 1))
                .toList();
        assertEquals(expected, actual);
        assertTrue(run.calls().contains("skip item3: item3: unreadable"), "the reason is the exception's message");
        int good = (int) expected.stream().filter(c -> c.startsWith("rows")).mapToLong(c -> c.split(",").length).sum();
        int firstBatch = 4;
        assertEquals(good - firstBatch, run.timing().steadyImages(), "steady state: every image after the first batch");
        assertTrue(run.timing().steadySeconds() > 0);
        assertEquals(0, run(items.subList(0, 3), 8, 3).timing().steadyImages(), "one batch: no steady state");
    }

    /** A slow backbone: preparing threads stop when the pool is full, not after reading the whole dataset. */
    @Test
    void preparingThreadsReadAtMostThePoolAhead() throws IOException {
        AtomicInteger loaded = new AtomicInteger();
        AtomicInteger tapped = new AtomicInteger();
        AtomicInteger mostAhead = new AtomicInteger();
        List<DatasetItem> items = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            items.add(new DatasetItem("item" + i, 0, () -> {
                mostAhead.accumulateAndGet(loaded.incrementAndGet() - tapped.get(), Math::max);
                return RgbImage.filled(8, 8, 1, 2, 3);
            }));
        }
        RecordingBackbone backbone = new RecordingBackbone(dir);
        backbone.sleepMillis = 20;
        int batch = 16;
        int threads = 4;
        new EmbeddingPipeline(backbone, (img, side) -> img, batch, (item, image) -> tapped.incrementAndGet(), threads)
                .embed(items, new Recorder(), ProgressListener.NONE);
        // Pool: one batch of chunks (16 / 8) plus one chunk per thread = 6 chunks of 8 items.
        int pool = (batch / EmbeddingPipeline.CHUNK + threads) * EmbeddingPipeline.CHUNK;
        assertTrue(mostAhead.get() <= pool, "read " + mostAhead.get() + " items ahead of the consumer, pool " + pool);
        assertTrue(mostAhead.get() > batch, "the threads did read ahead of the backbone: " + mostAhead.get());
        assertEquals(300, tapped.get());
    }

    /** Reads that ignore interrupts: the threads are still reading when the call fails, and it waits for them. */
    @Test
    void aFailingBackboneStopsTheThreadsAndWaitsForThem() {
        List<DatasetItem> items = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            items.add(new DatasetItem("item" + i, 0, () -> {
                long until = System.nanoTime() + 20_000_000L;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                return RgbImage.filled(8, 8, 1, 2, 3);
            }));
        }
        RecordingBackbone backbone = new RecordingBackbone(dir);
        backbone.failOnBatch = 2;
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new EmbeddingPipeline(backbone, (img, side) -> img, 4, EmbeddingPipeline.InputTap.NONE, 3)
                        .embed(items, new Recorder(), ProgressListener.NONE));
        assertEquals("backbone failed on batch 2", e.getMessage());
        assertEquals(List.of(), prepThreads(), "no thread is still reading once the call has thrown");
    }

    @Test
    void aFailingOutputOrTapStopsTheThreads() {
        IOException disk = new IOException("disk full");
        EmbeddingPipeline.Output failing = new Recorder() {
            @Override
            public void rows(List<DatasetItem> items, float[][] rows) {
                throw new java.io.UncheckedIOException(disk);
            }
        };
        RecordingBackbone backbone = new RecordingBackbone(dir);
        var thrown = assertThrows(java.io.UncheckedIOException.class,
                () -> new EmbeddingPipeline(backbone, (img, side) -> img, 4, EmbeddingPipeline.InputTap.NONE, 3)
                        .embed(items(500, true), failing, ProgressListener.NONE));
        assertSame(disk, thrown.getCause());
        assertEquals(List.of(), prepThreads());

        AtomicInteger seen = new AtomicInteger();
        EmbeddingPipeline.InputTap tap = (item, image) -> {
            if (seen.incrementAndGet() == 10) {
                throw new IOException("thumbnail not written");
            }
        };
        IOException e = assertThrows(IOException.class,
                () -> new EmbeddingPipeline(backbone, (img, side) -> img, 4, tap, 3)
                        .embed(items(500, true), new Recorder(), ProgressListener.NONE));
        assertEquals("thumbnail not written", e.getMessage());
    }

    @Test
    void anErrorInAPreparingThreadReachesTheCaller() {
        List<DatasetItem> items = new ArrayList<>(items(50, false));
        items.set(30, new DatasetItem("oom", 0, () -> {
            throw new OutOfMemoryError("no room for item 30");
        }));
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class,
                () -> new EmbeddingPipeline(new RecordingBackbone(dir), (img, side) -> img, 4,
                        EmbeddingPipeline.InputTap.NONE, 2).embed(items, new Recorder(), ProgressListener.NONE));
        assertEquals("no room for item 30", e.getMessage());
    }

    @Test
    void anInterruptedCallStopsWithInterruptedIoException() throws InterruptedException {
        for (int threads : new int[] {0, 3}) {
            List<DatasetItem> items = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                items.add(new DatasetItem("item" + i, 0, () -> {
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt(); // as a reader cut short by an interrupt leaves it
                        throw new InterruptedIOException("read interrupted");
                    }
                    return RgbImage.filled(8, 8, 1, 2, 3);
                }));
            }
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> flag = new AtomicReference<>();
            Recorder out = new Recorder();
            AtomicInteger batches = new AtomicInteger();
            Thread caller = new Thread(() -> {
                try {
                    new EmbeddingPipeline(new RecordingBackbone(dir), (img, side) -> img, 4,
                            (item, image) -> { }, threads).embed(items, new EmbeddingPipeline.Output() {
                                @Override
                                public void rows(List<DatasetItem> batch, float[][] rows) {
                                    out.rows(batch, rows);
                                    batches.incrementAndGet();
                                }

                                @Override
                                public void skipped(DatasetItem item, String reason) {
                                    out.skipped(item, reason);
                                }
                            }, ProgressListener.NONE);
                } catch (Throwable t) {
                    thrown.set(t);
                }
                flag.set(Thread.currentThread().isInterrupted());
            }, "embed-caller");
            caller.start();
            while (batches.get() < 3) {
                Thread.sleep(1);
            }
            caller.interrupt();
            caller.join(60_000);
            assertFalse(caller.isAlive(), threads + " threads: the call ended");
            assertInstanceOf(InterruptedIOException.class, thrown.get(), threads + " threads");
            assertTrue(flag.get(), threads + " threads: the interrupt is kept for the caller");
            assertTrue(out.calls.stream().noneMatch(c -> c.startsWith("skip")),
                    "an interrupted read is not reported as a bad image: " + out.calls);
            assertEquals(List.of(), prepThreads());
        }
    }
}
