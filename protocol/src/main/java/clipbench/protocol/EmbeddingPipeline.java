package clipbench.protocol;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.ImageBatch;
import clipbench.api.spi.Upsampler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * dataset item -> upsampler -> transform -> backbone, one batch at a time, so memory stays bounded by
 * the batch size whatever the dataset size. Rows go to an {@link Output} as soon as a batch is done.
 *
 * <p>Reading, upsampling and preprocessing run on worker threads ahead of the backbone ({@link PreparedChunks});
 * the calling thread alone calls the backbone, the {@link Output}, the {@link InputTap} and the progress
 * listener, in item order. The upsampler and the items' image sources are therefore called from several threads
 * at once (every upsampler and dataset here is safe so; ONNX Runtime and TensorFlow sessions may be run
 * concurrently).
 */
public final class EmbeddingPipeline {
    /** Receives normalised rows batch by batch, and the items that could not be read. */
    public interface Output {
        void rows(List<DatasetItem> items, float[][] rows) throws IOException;

        void skipped(DatasetItem item, String reason) throws IOException;
    }

    /** Sees each image as the upsampler made it, before the backbone's transform (e.g. to keep thumbnails). */
    @FunctionalInterface
    public interface InputTap {
        InputTap NONE = (item, image) -> {
        };

        void upsampled(DatasetItem item, RgbImage image) throws IOException;
    }

    /**
     * What embedding a list of items cost.
     *
     * @param upsampleSeconds CPU seconds of the upsampler, summed over the preparing threads
     * @param backboneSeconds wall time spent in the backbone
     * @param totalSeconds    wall time of the whole call (the first, cold batch included)
     * @param steadyImages    images embedded after the first backbone call returned (0 with a single batch)
     * @param steadySeconds   wall time from the end of the first backbone call to the end of the call
     */
    public record Timing(double upsampleSeconds, double backboneSeconds, double totalSeconds, int steadyImages,
                         double steadySeconds) {
        /** Nothing was embedded. */
        public static final Timing NONE = new Timing(0, 0, 0);

        /** A timing without a steady-state part (one batch, or read from an older cache index). */
        public Timing(double upsampleSeconds, double backboneSeconds, double totalSeconds) {
            this(upsampleSeconds, backboneSeconds, totalSeconds, 0, 0);
        }
    }

    /** Items a preparing thread takes at once: small, so that the in-order hand-over waits little. */
    static final int CHUNK = 8;

    private final Backbone backbone;
    private final Upsampler upsampler;
    private final Preprocessor preprocessor;
    private final int batchSize;
    private final InputTap tap;
    private final int prepThreads;
    private final boolean normalise;

    public EmbeddingPipeline(Backbone backbone, Upsampler upsampler, int batchSize) {
        this(backbone, upsampler, batchSize, InputTap.NONE);
    }

    /** A pipeline whose {@code tap} sees every upsampled image (its time is not counted as upsampling). */
    public EmbeddingPipeline(Backbone backbone, Upsampler upsampler, int batchSize, InputTap tap) {
        this(backbone, upsampler, batchSize, tap, defaultPrepThreads());
    }

    /**
     * @param prepThreads threads that read, upsample and preprocess images ahead of the backbone; 0 does it on
     *                    the calling thread between backbone calls (the sequential reference)
     */
    public EmbeddingPipeline(Backbone backbone, Upsampler upsampler, int batchSize, InputTap tap, int prepThreads) {
        this(backbone, upsampler, batchSize, tap, prepThreads, true);
    }

    /**
     * @param normalise false hands on the backbone's rows as they are: activations at a fine-tuning cut, which
     *                  the trained top reads raw
     */
    public EmbeddingPipeline(Backbone backbone, Upsampler upsampler, int batchSize, InputTap tap, int prepThreads,
                             boolean normalise) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch_size: must be positive, got " + batchSize);
        }
        if (prepThreads < 0) {
            throw new IllegalArgumentException("prep_threads: must be 0 or more, got " + prepThreads);
        }
        this.backbone = backbone;
        this.upsampler = upsampler;
        this.preprocessor = new Preprocessor(backbone.preprocess());
        this.batchSize = batchSize;
        this.tap = Objects.requireNonNull(tap, "tap");
        this.prepThreads = prepThreads;
        this.normalise = normalise;
    }

    /**
     * One fewer than the processors, at least one. Preparing threads block once the pool of prepared chunks is
     * full, so when the backbone is the bottleneck (CPU inference) they cost no CPU beyond the work itself, and
     * when preparation is (GPU inference, large upsampling) every core but the caller's works on it.
     */
    public static int defaultPrepThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    }

    /**
     * Embeds {@code items} in order into {@code out}. Preparing threads fill chunks of {@link #CHUNK} items ahead
     * of the backbone (at most about one batch plus a chunk per thread ahead: back-pressure); this thread takes
     * the chunks in item order, reports skips, calls the tap, and assembles each batch from the first
     * {@code batchSize} readable images exactly as a sequential loop would, so the backbone sees the same batches.
     */
    public Timing embed(List<DatasetItem> items, Output out, ProgressListener progress) throws IOException {
        int size = preprocessor.spec().imageSize();
        int per = preprocessor.floatsPerImage();
        long start = System.nanoTime();
        progress.start("embed", items.size());
        // Sized by the data: a batch is never larger than the items, so --batch-size 8000 on 24 images
        // allocates 24 images, and a product beyond an array's reach is an error, not an overflow.
        int capacity = Math.max(1, Math.min(batchSize, items.size()));
        if ((long) capacity * per > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("batch_size: " + capacity + " images of " + size + "x" + size
                    + " do not fit one array; use a smaller batch size");
        }
        int chunk = Math.min(CHUNK, capacity);
        int chunks = (items.size() + chunk - 1) / chunk;
        // One batch ahead while the backbone runs, plus the chunk each thread is filling.
        int pool = Math.min(chunks, (capacity + chunk - 1) / chunk + Math.max(1, prepThreads));
        LongAdder upsampleNanos = new LongAdder();
        PreparedChunks prepared = new PreparedChunks(items, chunk, per, pool, tap != InputTap.NONE,
                (item, dst, offset) -> prepare(item, size, dst, offset, upsampleNanos));
        Batcher batcher = new Batcher(capacity, per, size, out, progress);
        try (PreparedChunks.Workers workers = prepThreads == 0 || chunks <= 1 ? null
                : prepared.start(Math.min(prepThreads, chunks))) {
            for (int c = 0; c < chunks; c++) {
                PreparedChunks.Chunk ready = workers == null ? prepared.prepareInline(c) : workers.take(c);
                if (Thread.currentThread().isInterrupted()) {
                    // before its skips: a read the interrupt cut short is not a bad image
                    throw new InterruptedException();
                }
                for (PreparedChunks.Slot slot : ready.slots()) {
                    if (slot.reason() != null) {
                        out.skipped(slot.item(), slot.reason());
                        progress.advance(1);
                        continue;
                    }
                    // Here, in item order: the tap is not thread-safe, and failing to keep a thumbnail is a
                    // run-directory error, not a bad image.
                    tap.upsampled(slot.item(), slot.upsampled());
                    batcher.add(slot.item(), ready.data(), slot.offset());
                }
                prepared.release(ready);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while embedding " + items.size() + " images");
        }
        batcher.finish();
        progress.finish();
        long end = System.nanoTime();
        return batcher.timing(upsampleNanos.sum(), start, end);
    }

    /**
     * Gathers prepared images into batches of {@code capacity} and runs them, timing the backbone and the
     * steady state (everything after the first backbone call).
     */
    private final class Batcher {
        private final int capacity;
        private final int per;
        private final int size;
        private final Output out;
        private final ProgressListener progress;
        private final float[] buffer;
        private final List<DatasetItem> batch;
        private long backboneNanos;
        private long firstDone = -1;
        private int steadyImages;

        Batcher(int capacity, int per, int size, Output out, ProgressListener progress) {
            this.capacity = capacity;
            this.per = per;
            this.size = size;
            this.out = out;
            this.progress = progress;
            this.buffer = new float[capacity * per];
            this.batch = new ArrayList<>(capacity);
        }

        void add(DatasetItem item, float[] data, int offset) throws IOException {
            System.arraycopy(data, offset, buffer, batch.size() * per, per);
            batch.add(item);
            if (batch.size() == capacity) {
                run(buffer);
            }
        }

        void finish() throws IOException {
            if (!batch.isEmpty()) {
                run(Arrays.copyOf(buffer, batch.size() * per));
            }
        }

        private void run(float[] data) throws IOException {
            backboneNanos += flush(data, batch, size, out);
            if (firstDone < 0) {
                firstDone = System.nanoTime();
            } else {
                steadyImages += batch.size();
            }
            progress.advance(batch.size());
            batch.clear();
        }

        Timing timing(long upsampleNanos, long start, long end) {
            double steadySeconds = steadyImages > 0 ? (end - firstDone) / 1e9 : 0;
            return new Timing(upsampleNanos / 1e9, backboneNanos / 1e9, (end - start) / 1e9, steadyImages,
                    steadySeconds);
        }
    }

    /** Reads, upsamples and preprocesses one item into {@code dst} at {@code offset}. */
    private RgbImage prepare(DatasetItem item, int size, float[] dst, int offset, LongAdder upsampleNanos)
            throws IOException {
        RgbImage image = item.load();
        long t0 = System.nanoTime();
        RgbImage up = upsampler.upsample(image, size);
        upsampleNanos.add(System.nanoTime() - t0);
        preprocessor.applyInto(up, dst, offset);
        return up;
    }

    /** Embeds {@code items} and keeps everything in memory (small jobs and tests). */
    public EmbeddedSplit embed(List<DatasetItem> items, ProgressListener progress) {
        List<String> ids = new ArrayList<>(items.size());
        int[] labels = new int[items.size()]; // rows never outnumber items; no boxed label per image
        List<float[]> rows = new ArrayList<>(items.size());
        List<String> skipped = new ArrayList<>();
        Timing timing;
        try {
            timing = embed(items, new Output() {
                @Override
                public void rows(List<DatasetItem> batch, float[][] out) {
                    for (int i = 0; i < out.length; i++) {
                        labels[ids.size()] = batch.get(i).label();
                        ids.add(batch.get(i).id());
                        rows.add(out[i]);
                    }
                }

                @Override
                public void skipped(DatasetItem item, String reason) {
                    skipped.add(item.id() + ": " + reason);
                }
            }, progress);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the in-memory output never throws
        }
        return EmbeddedSplit.fresh(List.copyOf(ids), Arrays.copyOf(labels, ids.size()),
                rows.toArray(new float[0][]), List.copyOf(skipped), timing);
    }

    /** Runs one batch through the backbone and hands on its rows (normalised unless raw); returns its nanoseconds. */
    private long flush(float[] data, List<DatasetItem> batch, int size, Output out) throws IOException {
        long t = System.nanoTime();
        float[][] rows = backbone.embedImages(new ImageBatch(batch.size(), size, data));
        long spent = System.nanoTime() - t;
        if (rows.length != batch.size()) {
            throw new IllegalStateException("backbone returned " + rows.length + " rows for " + batch.size() + " images");
        }
        requireFinite(rows, batch);
        if (normalise) {
            Vectors.normalizeRows(rows);
        }
        out.rows(List.copyOf(batch), rows);
        return spent;
    }

    /** A NaN or Inf would poison every score computed from it (and the cache): stop, naming the batch. */
    private static void requireFinite(float[][] rows, List<DatasetItem> batch) {
        for (float[] row : rows) {
            for (float v : row) {
                if (!Float.isFinite(v)) {
                    throw new IllegalStateException("backbone returned NaN or Inf embeddings for the batch of "
                            + batch.stream().map(DatasetItem::id).toList() + "; nothing of it was kept");
                }
            }
        }
    }
}
