package clipbench.protocol.bench;

import clipbench.api.spi.Backbone;
import clipbench.api.spi.DatasetItem;
import clipbench.protocol.EmbeddingPipeline;
import clipbench.protocol.ProgressListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Times the whole path (read, decode, upsample, transform, embed) through {@link EmbeddingPipeline}. A warm-up
 * pass over a few batches estimates the rate; each timed repeat then embeds about {@code seconds} worth of
 * images (whole batches, the dataset's items taken in turn, again from the start when it runs out).
 */
final class PipelineBench {
    /** Images per second of each repeat, and images the pipeline skipped in the timed repeats. */
    record Measured(List<Double> rates, int skipped) {
        static final Measured NONE = new Measured(List.of(), 0);
    }

    private PipelineBench() {
    }

    static Measured measure(Backbone backbone, BackboneBench.PipelineInput in, BenchCase c) throws IOException {
        EmbeddingPipeline pipeline = new EmbeddingPipeline(backbone, in.upsampler(), c.batch());
        Counter warm = run(pipeline, cycle(in.items(), 0, Math.min(in.items().size(), 2 * c.batch())));
        double estimate = warm.images / warm.seconds;
        int perRepeat = (int) Math.min(Integer.MAX_VALUE / 2, Math.max(c.batch(),
                Math.ceil(estimate * c.seconds() / c.batch()) * c.batch()));
        List<Double> rates = new ArrayList<>();
        int skipped = 0;
        int next = 0;
        for (int r = 0; r < c.repeats(); r++) {
            Counter counted = run(pipeline, cycle(in.items(), next, perRepeat));
            next = (next + perRepeat) % in.items().size();
            if (counted.images == 0) {
                throw new IOException("--dataset " + c.dataset() + ": no image of the timed repeat could be read");
            }
            rates.add(counted.images / counted.seconds);
            skipped += counted.skipped;
        }
        return new Measured(rates, skipped);
    }

    private static Counter run(EmbeddingPipeline pipeline, List<DatasetItem> items) throws IOException {
        Counter counter = new Counter();
        counter.seconds = pipeline.embed(items, counter, ProgressListener.NONE).totalSeconds();
        return counter;
    }

    /** {@code n} items from {@code from}, wrapping around. */
    static List<DatasetItem> cycle(List<DatasetItem> items, int from, int n) {
        List<DatasetItem> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(items.get((from + i) % items.size()));
        }
        return out;
    }

    /** Counts rows and skips; the embeddings themselves are dropped. */
    private static final class Counter implements EmbeddingPipeline.Output {
        long images;
        int skipped;
        double seconds;

        @Override
        public void rows(List<DatasetItem> items, float[][] rows) {
            images += rows.length;
        }

        @Override
        public void skipped(DatasetItem item, String reason) {
            skipped++;
        }
    }
}
