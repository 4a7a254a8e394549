package clipbench.protocol.bench;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.Device;
import clipbench.api.spi.ImageBatch;
import clipbench.api.spi.Upsampler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Measures one {@link BenchCase} in this process: model load, first batch, a warm-up that is not measured,
 * then {@code repeats} timed runs of {@code seconds} each on synthetic input of the model's shape (the
 * backbone alone), and, with a dataset, the same number of runs of the whole {@link PipelineBench} path and,
 * when asked, the embeddings of a sample of real images ({@link AgreementSample}).
 * Meant to run in a fresh JVM per case, so load time and peak RSS belong to this case only.
 */
public final class BackboneBench {
    private static final long SEED = 42;

    /** The dataset items and upsampler of the pipeline mode. */
    public record PipelineInput(List<DatasetItem> items, Upsampler upsampler) {
        public PipelineInput {
            if (items.isEmpty()) {
                throw new IllegalArgumentException("--dataset: the test split has no images");
            }
            items = List.copyOf(items);
        }
    }

    private BackboneBench() {
    }

    /** Measures {@code c} with {@code provider} on {@code card}; {@code pipeline} may be null. */
    public static BenchResult measure(BenchCase c, BackboneProvider provider, ModelCard card, PipelineInput pipeline)
            throws IOException {
        String sha = ModelCards.sha256(provider.artifactFiles(card));
        provider.checkPrecision(card, c.precisionValue());
        long t0 = System.nanoTime();
        try (Backbone backbone = provider.open(card, new BackendOptions(c.threads(), Device.CPU, c.backendOptions(),
                c.precisionValue()))) {
            double loadMs = (System.nanoTime() - t0) / 1e6;
            int size = backbone.preprocess().imageSize();
            ImageBatch input = synthetic(c.batch(), size);
            long t1 = System.nanoTime();
            call(backbone, input);
            double firstMs = (System.nanoTime() - t1) / 1e6;
            runFor(backbone, input, c.warmupSeconds(), null);
            List<Double> rates = new ArrayList<>();
            List<Double> latencies = new ArrayList<>();
            for (int r = 0; r < c.repeats(); r++) {
                List<Double> these = new ArrayList<>();
                double seconds = runFor(backbone, input, c.seconds(), these);
                rates.add(these.size() * (double) c.batch() / seconds);
                latencies.addAll(these);
            }
            PipelineBench.Measured piped = pipeline == null ? PipelineBench.Measured.NONE
                    : PipelineBench.measure(backbone, pipeline, c);
            AgreementSample agreement = c.agreementImages() == 0 ? null : AgreementSample.embed(backbone,
                    pipeline.upsampler(), c.batch(), AgreementSample.select(pipeline.items(), c.agreementImages()));
            return new BenchResult(loadMs, firstMs, rates, latencies, piped.rates(), ProcessMemory.peakRssMb(),
                    ProcessMemory.heapPeakMb(), provider.runtimeVersion(), sha, size, piped.skipped(),
                    ProcessMemory.jvmOptions(), agreement);
        }
    }

    /**
     * Calls the backbone until {@code seconds} have passed (at least once); adds each call's milliseconds to
     * {@code latencies} when given. Returns the seconds the calls took.
     */
    private static double runFor(Backbone backbone, ImageBatch input, double seconds, List<Double> latencies) {
        long budget = (long) (seconds * 1e9);
        long start = System.nanoTime();
        long now = start;
        do {
            long before = now;
            call(backbone, input);
            now = System.nanoTime();
            if (latencies != null) {
                latencies.add((now - before) / 1e6);
            }
        } while (now - start < budget);
        return (now - start) / 1e9;
    }

    private static void call(Backbone backbone, ImageBatch input) {
        float[][] rows = backbone.embedImages(input);
        if (rows.length != input.count() || !Float.isFinite(rows[0][0])) {
            throw new IllegalStateException("the backbone returned " + rows.length + " rows for " + input.count()
                    + " images" + (rows.length > 0 ? ", first value " + rows[0][0] : ""));
        }
    }

    /** Seeded values of a normalised image (roughly CLIP's range), the same for every backend. */
    static ImageBatch synthetic(int batch, int size) {
        float[] data = new float[batch * ImageBatch.CHANNELS * size * size];
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (random.nextDouble() * 4 - 2);
        }
        return new ImageBatch(batch, size, data);
    }
}
