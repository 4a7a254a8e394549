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

/**
 * dataset item -> upsampler -> transform -> backbone, one batch at a time, so memory stays bounded by
 * the batch size whatever the dataset size. Rows go to an {@link Output} as soon as a batch is done.
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

    /** What embedding a list of items cost. */
    public record Timing(double upsampleSeconds, double backboneSeconds, double totalSeconds) {
        /** Nothing was embedded. */
        public static final Timing NONE = new Timing(0, 0, 0);
    }

    private final Backbone backbone;
    private final Upsampler upsampler;
    private final Preprocessor preprocessor;
    private final int batchSize;
    private final InputTap tap;

    public EmbeddingPipeline(Backbone backbone, Upsampler upsampler, int batchSize) {
        this(backbone, upsampler, batchSize, InputTap.NONE);
    }

    /** A pipeline whose {@code tap} sees every upsampled image (its time is not counted as upsampling). */
    public EmbeddingPipeline(Backbone backbone, Upsampler upsampler, int batchSize, InputTap tap) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch_size: must be positive, got " + batchSize);
        }
        this.backbone = backbone;
        this.upsampler = upsampler;
        this.preprocessor = new Preprocessor(backbone.preprocess());
        this.batchSize = batchSize;
        this.tap = Objects.requireNonNull(tap, "tap");
    }

    /** Embeds {@code items} in order into {@code out}. */
    public Timing embed(List<DatasetItem> items, Output out, ProgressListener progress) throws IOException {
        int size = preprocessor.spec().imageSize();
        int per = preprocessor.floatsPerImage();
        long upsampleNanos = 0;
        long backboneNanos = 0;
        long start = System.nanoTime();
        progress.start("embed", items.size());
        // Sized by the data: a batch is never larger than the items, so --batch-size 8000 on 24 images
        // allocates 24 images, and a product beyond an array's reach is an error, not an overflow.
        int capacity = Math.max(1, Math.min(batchSize, items.size()));
        if ((long) capacity * per > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("batch_size: " + capacity + " images of " + size + "x" + size
                    + " do not fit one array; use a smaller batch size");
        }
        float[] buffer = new float[capacity * per];
        List<DatasetItem> batch = new ArrayList<>(capacity);
        for (DatasetItem item : items) {
            // Any one image may fail only itself: unreadable, too large, or an aspect ratio no resize can take.
            RgbImage up;
            try {
                RgbImage image = item.load();
                long t0 = System.nanoTime();
                up = upsampler.upsample(image, size);
                upsampleNanos += System.nanoTime() - t0;
                // A failure here leaves this slot half written; the next image overwrites it.
                preprocessor.applyInto(up, buffer, batch.size() * per);
            } catch (IOException | RuntimeException e) {
                out.skipped(item, e.getMessage() == null ? e.toString() : e.getMessage());
                progress.advance(1);
                continue;
            }
            // Outside the try: failing to keep a thumbnail is a run-directory error, not a bad image.
            tap.upsampled(item, up);
            batch.add(item);
            if (batch.size() == capacity) {
                backboneNanos += flush(buffer, batch, size, out);
                progress.advance(batch.size());
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            backboneNanos += flush(Arrays.copyOf(buffer, batch.size() * per), batch, size, out);
            progress.advance(batch.size());
        }
        progress.finish();
        return new Timing(upsampleNanos / 1e9, backboneNanos / 1e9, (System.nanoTime() - start) / 1e9);
    }

    /** Embeds {@code items} and keeps everything in memory (small jobs and tests). */
    public EmbeddedSplit embed(List<DatasetItem> items, ProgressListener progress) {
        List<String> ids = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<float[]> rows = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Timing timing;
        try {
            timing = embed(items, new Output() {
                @Override
                public void rows(List<DatasetItem> batch, float[][] out) {
                    for (int i = 0; i < out.length; i++) {
                        ids.add(batch.get(i).id());
                        labels.add(batch.get(i).label());
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
        return EmbeddedSplit.fresh(List.copyOf(ids), labels.stream().mapToInt(Integer::intValue).toArray(),
                rows.toArray(new float[0][]), List.copyOf(skipped), timing);
    }

    /** Runs one batch through the backbone and hands on normalised rows; returns the backbone's nanoseconds. */
    private long flush(float[] data, List<DatasetItem> batch, int size, Output out) throws IOException {
        long t = System.nanoTime();
        float[][] rows = backbone.embedImages(new ImageBatch(batch.size(), size, data));
        long spent = System.nanoTime() - t;
        if (rows.length != batch.size()) {
            throw new IllegalStateException("backbone returned " + rows.length + " rows for " + batch.size() + " images");
        }
        requireFinite(rows, batch);
        Vectors.normalizeRows(rows);
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
