package clipbench.protocol;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.ImageBatch;
import clipbench.api.spi.Upsampler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * dataset item -> upsampler -> transform -> backbone, one batch at a time, so memory stays bounded by
 * the batch size whatever the dataset size.
 */
public final class EmbeddingPipeline {
    private final Backbone backbone;
    private final Upsampler upsampler;
    private final Preprocessor preprocessor;
    private final int batchSize;

    public EmbeddingPipeline(Backbone backbone, Upsampler upsampler, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch_size: must be positive, got " + batchSize);
        }
        this.backbone = backbone;
        this.upsampler = upsampler;
        this.preprocessor = new Preprocessor(backbone.preprocess());
        this.batchSize = batchSize;
    }

    public EmbeddedSplit embed(List<DatasetItem> items, ProgressListener progress) {
        int size = preprocessor.spec().imageSize();
        int per = preprocessor.floatsPerImage();
        List<String> ids = new ArrayList<>(items.size());
        List<Integer> labels = new ArrayList<>(items.size());
        List<float[]> rows = new ArrayList<>(items.size());
        List<String> skipped = new ArrayList<>();
        long upsampleNanos = 0;
        long backboneNanos = 0;
        long start = System.nanoTime();
        progress.start("embed", items.size());
        float[] buffer = new float[batchSize * per];
        int filled = 0;
        for (DatasetItem item : items) {
            RgbImage image;
            try {
                image = item.load();
            } catch (IOException | RuntimeException e) {
                skipped.add(item.id() + ": " + e.getMessage());
                progress.advance(1);
                continue;
            }
            long t0 = System.nanoTime();
            RgbImage up = upsampler.upsample(image, size);
            upsampleNanos += System.nanoTime() - t0;
            preprocessor.applyInto(up, buffer, filled * per);
            ids.add(item.id());
            labels.add(item.label());
            if (++filled == batchSize) {
                backboneNanos += flush(buffer, filled, size, rows);
                progress.advance(filled);
                filled = 0;
            }
        }
        if (filled > 0) {
            backboneNanos += flush(Arrays.copyOf(buffer, filled * per), filled, size, rows);
            progress.advance(filled);
        }
        progress.finish();
        double total = (System.nanoTime() - start) / 1e9;
        return new EmbeddedSplit(List.copyOf(ids), labels.stream().mapToInt(Integer::intValue).toArray(),
                rows.toArray(new float[0][]), List.copyOf(skipped), upsampleNanos / 1e9, backboneNanos / 1e9,
                total);
    }

    /** Runs one batch through the backbone, appends normalised rows, returns the nanoseconds spent. */
    private long flush(float[] data, int count, int size, List<float[]> rows) {
        long t = System.nanoTime();
        float[][] out = backbone.embedImages(new ImageBatch(count, size, data));
        long spent = System.nanoTime() - t;
        for (float[] row : out) {
            rows.add(Vectors.normalize(row));
        }
        return spent;
    }
}
