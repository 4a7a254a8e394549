package clipbench.protocol.bench;

import clipbench.api.image.RgbImage;
import clipbench.api.model.ModelCards;
import clipbench.api.model.PreprocessSpec;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.ImageBatch;
import clipbench.api.spi.Plugins;
import clipbench.api.spi.Upsampler;
import clipbench.clip.image.ImageDecoder;
import clipbench.clip.image.PilResample;
import clipbench.protocol.EmbeddingPipeline;
import clipbench.protocol.Preprocessor;
import clipbench.protocol.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Throughput of the embedding pipeline against the raw throughput of its backbone on the same batches, with the
 * images prepared on the calling thread (0 preparing threads: the sequential path) and on worker threads.
 * A measurement tool, not a test: run it by hand, and compare ratios from one run (the machine may be shared).
 *
 * <pre>
 * java -cp ... clipbench.protocol.bench.PipelineBenchmark IMAGE_DIR IMAGES BATCH [onnx MODEL_DIR | fake MS_PER_IMAGE]
 *     [PREP_THREADS]
 * </pre>
 * {@code onnx} opens the model with the backend found on the class path; {@code fake} is a one-thread backbone that
 * spends about the given milliseconds of CPU per image (a stand-in for a GPU, or any runtime on cores of its own).
 */
public final class PipelineBenchmark {
    private PipelineBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path imageDir = Path.of(args.length > 0 ? args[0] : "testdata/images/emoji-fruit");
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        String kind = args.length > 3 ? args[3] : "fake";
        Backbone backbone = kind.equals("fake") ? new SpinBackbone(args.length > 4 ? Double.parseDouble(args[4]) : 2)
                : Plugins.backend(kind).open(ModelCards.load(Path.of(args[4])), BackendOptions.defaults());
        List<DatasetItem> items = items(imageDir, count);
        Upsampler bicubic = PipelineBenchmark::bicubic;
        int threads = args.length > 5 ? Integer.parseInt(args[5]) : EmbeddingPipeline.defaultPrepThreads();
        System.out.printf(Locale.ROOT, "%d images from %s, batch %d, backbone %s, %d processors%n", items.size(),
                imageDir, batch, kind, Runtime.getRuntime().availableProcessors());
        for (int round = 0; round < 3; round++) {
            double raw = raw(backbone, items, batch, bicubic);
            double sequential = pipeline(backbone, bicubic, batch, 0, items);
            double threaded = pipeline(backbone, bicubic, batch, threads, items);
            System.out.printf(Locale.ROOT, "round %d: raw %.1f img/s; sequential %.1f (%.2f x raw); %d threads %.1f"
                    + " (%.2f x raw, %.2f x sequential)%n", round, raw, sequential, sequential / raw, threads, threaded,
                    threaded / raw, threaded / sequential);
        }
        backbone.close();
    }

    /** Steady-state images per second of the pipeline. */
    private static double pipeline(Backbone backbone, Upsampler up, int batch, int threads, List<DatasetItem> items)
            throws IOException {
        EmbeddingPipeline.Timing t = new EmbeddingPipeline(backbone, up, batch, EmbeddingPipeline.InputTap.NONE,
                threads).embed(items, new EmbeddingPipeline.Output() {
                    @Override
                    public void rows(List<DatasetItem> batchItems, float[][] rows) {
                    }

                    @Override
                    public void skipped(DatasetItem item, String reason) {
                        throw new IllegalStateException(item.id() + ": " + reason);
                    }
                }, ProgressListener.NONE);
        return t.steadyImages() / t.steadySeconds();
    }

    /** The backbone alone on batches prepared beforehand, the first (warm-up) batch left out as the pipeline does. */
    private static double raw(Backbone backbone, List<DatasetItem> items, int batch, Upsampler up) throws IOException {
        Preprocessor pre = new Preprocessor(backbone.preprocess());
        int per = pre.floatsPerImage();
        float[] data = new float[batch * per];
        for (int i = 0; i < batch; i++) {
            pre.applyInto(up.upsample(items.get(i % items.size()).load(), pre.spec().imageSize()), data, i * per);
        }
        ImageBatch input = new ImageBatch(batch, pre.spec().imageSize(), data);
        backbone.embedImages(input);
        int batches = Math.max(1, items.size() / batch - 1);
        long t0 = System.nanoTime();
        for (int b = 0; b < batches; b++) {
            backbone.embedImages(input);
        }
        return batches * (double) batch / ((System.nanoTime() - t0) / 1e9);
    }

    private static List<DatasetItem> items(Path dir, int count) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException(dir + ": no .png images");
        }
        List<DatasetItem> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Path file = files.get(i % files.size());
            items.add(new DatasetItem(i + ":" + file, 0, () -> ImageDecoder.read(file)));
        }
        return items;
    }

    /** PIL bicubic to the shortest side (as the {@code bicubic} upsampler). */
    private static RgbImage bicubic(RgbImage image, int side) {
        int shortest = Math.min(image.width(), image.height());
        if (shortest >= side) {
            return image;
        }
        int w = image.width() == shortest ? side : (int) ((double) side * image.width() / shortest);
        int h = image.height() == shortest ? side : (int) ((double) side * image.height() / shortest);
        return PilResample.resize(image, w, h, PilResample.Filter.BICUBIC);
    }

    /** A one-thread backbone spending about {@code millis} of CPU per image; rows are the channel means. */
    private static final class SpinBackbone implements Backbone {
        private final double millis;
        private final clipbench.api.model.ModelCard card = new clipbench.api.model.ModelCard(Path.of("."), "spin",
                "bench", PreprocessSpec.clip(224), 77, 3, 100.0, null, java.util.Map.of());

        SpinBackbone(double millis) {
            this.millis = millis;
        }

        @Override
        public clipbench.api.model.ModelCard card() {
            return card;
        }

        @Override
        public int embeddingDim() {
            return 3;
        }

        @Override
        public java.util.Set<clipbench.api.spi.Capability> capabilities() {
            return java.util.EnumSet.noneOf(clipbench.api.spi.Capability.class);
        }

        @Override
        public float[][] embedImages(ImageBatch batch) {
            long until = System.nanoTime() + (long) (millis * 1e6 * batch.count());
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            float[][] rows = new float[batch.count()][3];
            for (float[] row : rows) {
                Arrays.fill(row, 1f);
            }
            return rows;
        }

        @Override
        public float[][] embedTokens(int[][] tokenIds) {
            throw new UnsupportedOperationException("no text tower");
        }

        @Override
        public void close() {
        }
    }
}
