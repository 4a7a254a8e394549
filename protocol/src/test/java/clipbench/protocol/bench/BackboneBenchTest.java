package clipbench.protocol.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.CpuInfo;
import clipbench.api.image.RgbImage;
import clipbench.api.model.ModelCard;
import clipbench.api.model.PreprocessSpec;
import clipbench.api.spi.AbstractBackbone;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.ImageBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The timing loop and the row it makes, on a fake backbone (no runtime, no speed assertions). */
class BackboneBenchTest {
    /** Counts calls and the batch sizes it saw; returns one row of zeros per image. */
    static final class Fake implements BackboneProvider {
        final ModelCard card;
        final List<Integer> batches = new ArrayList<>();
        final AtomicInteger opened = new AtomicInteger();
        int threadsAsked = -1;

        Fake(Path dir) throws IOException {
            Files.writeString(dir.resolve("weights.bin"), "w");
            card = new ModelCard(dir, "fake", "test", PreprocessSpec.clip(8), 0, 2, 100.0, null,
                    Map.of("fake", Map.of("image", "weights.bin")));
        }

        @Override
        public String id() {
            return "fake";
        }

        @Override
        public String description() {
            return "fake";
        }

        @Override
        public String artifactFormat() {
            return "fake";
        }

        @Override
        public String runtimeVersion() {
            return "fake 1.0";
        }

        @Override
        public Backbone open(ModelCard c, BackendOptions options) {
            opened.incrementAndGet();
            threadsAsked = options.intraOpThreads();
            return new AbstractBackbone(c, 2, EnumSet.noneOf(Capability.class)) {
                @Override
                public float[][] embedImages(ImageBatch batch) {
                    batches.add(batch.count());
                    return new float[batch.count()][2];
                }

                @Override
                public float[][] embedTokens(int[][] tokenIds) {
                    throw noTextTower("fake");
                }

                @Override
                public void close() {
                }
            };
        }
    }

    private static BenchCase bench(int batch, String dataset) {
        return new BenchCase("fake", Path.of("m"), batch, 3, BenchCase.FP32, 0.02, 0.05, 2, dataset, "none");
    }

    @Test
    void timesRepeatsAndMakesACompleteRow(@TempDir Path dir) throws IOException {
        Fake fake = new Fake(dir);
        BenchResult r = BackboneBench.measure(bench(4, null), fake, fake.card, null);
        assertEquals(1, fake.opened.get());
        assertEquals(3, fake.threadsAsked);
        assertEquals(2, r.repeatImagesPerSecond().size());
        assertTrue(fake.batches.stream().allMatch(b -> b == 4), fake.batches.toString());
        // first batch + warm-up + timed calls: every timed call has a latency, and there were others before
        assertTrue(fake.batches.size() > r.batchLatenciesMs().size(), fake.batches.size() + " calls");
        assertEquals(8, r.imageSize());
        assertTrue(r.modelSha256().matches("[0-9a-f]{64}"));
        assertTrue(r.peakRssMb() > 0 || !System.getProperty("os.name").startsWith("Linux"));

        var row = BenchRow.of(bench(4, null), r, new CpuInfo("cpu", "avx2"));
        assertEquals(BenchRow.COLUMNS, List.copyOf(row.keySet()));
        BenchRow.PIPELINE_COLUMNS.forEach(c -> assertEquals("", row.get(c), c));
        assertEquals("fake 1.0", row.get("runtime_version"));
        assertEquals(Integer.toString(r.batchLatenciesMs().size()), row.get("timed_batches"));
        assertTrue(Double.parseDouble(row.get("latency_p50_ms")) <= Double.parseDouble(row.get("latency_p99_ms")));
    }

    @Test
    void thePipelineModeGoesThroughTheDatasetItems(@TempDir Path dir) throws IOException {
        Fake fake = new Fake(dir);
        AtomicInteger reads = new AtomicInteger();
        List<DatasetItem> items = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // good and broken in turn: any two items in a row hold a broken one
            items.add(new DatasetItem("i" + i, 0, () -> {
                reads.incrementAndGet();
                return RgbImage.filled(8, 8, 10, 20, 30);
            }));
            items.add(new DatasetItem("broken" + i, 0, () -> {
                throw new IOException("unreadable");
            }));
        }
        BenchCase c = bench(2, "fake:somewhere");
        BenchResult r = BackboneBench.measure(c, fake, fake.card,
                new BackboneBench.PipelineInput(items, (image, side) -> image));
        assertEquals(2, r.pipelineImagesPerSecond().size());
        assertTrue(reads.get() >= 3, "every readable item was read at least once: " + reads.get());
        assertTrue(r.skippedImages() >= 2, "each timed repeat met a broken item: " + r.skippedImages());
        var row = BenchRow.of(c, r, new CpuInfo("cpu", ""));
        double ratio = Double.parseDouble(row.get("pipeline_images_per_second"))
                / Double.parseDouble(row.get("raw_images_per_second"));
        assertEquals(ratio, Double.parseDouble(row.get("pipeline_raw_ratio")), 1e-3 * ratio + 1e-4);
        assertEquals(row.get("images_per_second"), row.get("raw_images_per_second"));
    }

    @Test
    void aReducedPrecisionIsRefusedByABackendThatCannotRunItBeforeLoading(@TempDir Path dir) throws IOException {
        Fake fake = new Fake(dir);
        BenchCase c = new BenchCase("fake", Path.of("m"), 1, 0, "int8", 0, 1, 1, null, "none");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackboneBench.measure(c, fake, fake.card, null));
        assertEquals("--precision int8: not supported on backend fake: only fp32 is implemented", e.getMessage());
        assertEquals(0, fake.opened.get(), "refused before the model is opened");
    }

    @Test
    void unknownPrecisionsAndSettingsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BenchCase("onnx",
                Path.of("m"), 1, 0, "fp16", 0, 1, 1, null, "bicubic"));
        assertEquals("--precision fp16: expected one of fp32, bf16, int8", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BenchCase("onnx", Path.of("m"), 1, 0, "int8", 0, 1,
                1, null, "bicubic", Map.of(), 64));
        assertTrue(e.getMessage().startsWith("--agreement-images"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BenchCase("onnx", Path.of("m"), 0, 0, "fp32", 0, 1, 1,
                null, "bicubic"));
        assertThrows(IllegalArgumentException.class, () -> new BenchCase("onnx", Path.of("m"), 1, 0, "fp32", 0, 0, 1,
                null, "bicubic"));
        assertThrows(IllegalArgumentException.class, () -> new BenchCase("onnx", Path.of("m"), 1, 0, "fp32", 0, 1, 0,
                null, "bicubic"));
    }

    @Test
    void backendOptionsSurviveTheTripToTheChildAndAreShownInTheRow() throws Exception {
        BenchCase c = new BenchCase("onnx", Path.of("m").toAbsolutePath(), 1, 0, "fp32", 0, 1, 1, null, "bicubic",
                Map.of("onnx.spinning", "false", "onnx.execution", "parallel"), 0);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        BenchCase back = json.readValue(json.writeValueAsString(c), BenchCase.class);
        assertEquals(c, back);
        assertEquals("onnx.execution=parallel;onnx.spinning=false", back.backendOptionsText());
        assertTrue(back.label().endsWith("options onnx.execution=parallel;onnx.spinning=false"), back.label());
        assertEquals("", new BenchCase("onnx", Path.of("m"), 1, 0, "fp32", 0, 1, 1, null, "bicubic")
                .backendOptionsText());
    }

    @Test
    void syntheticInputIsTheSameEveryTime() {
        ImageBatch a = BackboneBench.synthetic(2, 4);
        assertEquals(2 * 3 * 4 * 4, a.data().length);
        assertEquals(java.util.Arrays.toString(a.data()), java.util.Arrays.toString(BackboneBench.synthetic(2, 4).data()));
    }
}
