package clipbench.backend.tensorflow;

import static clipbench.backend.tensorflow.KerasTestModels.cfg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.model.PreprocessSpec;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.Device;
import clipbench.api.spi.ImageBatch;
import clipbench.backend.tensorflow.KerasReference.Nd;
import clipbench.backend.tensorflow.KerasTestModels.Builder;
import clipbench.keras.KerasLayer;
import clipbench.keras.KerasModel;
import clipbench.keras.KerasTensor;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Keras backbone as the harness sees it: NCHW batches in, {@code [N, D]} rows out, the same as the NHWC
 * reference; rows independent of the batch and of the thread count; image only; and the provider's dispatch of
 * a {@code keras} card read from a TF.js folder.
 */
class KerasBackboneTest {
    private static final int SIZE = 16;
    private static final int[] ONE = {1, 1};
    private static final int[] TWO = {2, 2};
    private static final int[] K3 = {3, 3};

    /** A small MobileNetV2-like network with a 5-way softmax head; its GlobalAveragePooling2D is the feature layer. */
    static KerasModel tinyNet() {
        return new Builder("tiny", SIZE, SIZE, 3, 77)
                .layer("pad", "ZeroPadding2D", cfg("padding", new int[][] {{0, 1}, {0, 1}}))
                .conv("Conv1", 3, 8, K3, TWO, "valid", ONE, false, "linear")
                .batchNorm("bn", 8, -1, 1e-3, true, true)
                .layer("relu", "ReLU", cfg("max_value", 6.0))
                .depthwise("dw", 8, 2, K3, TWO, "same", ONE, true, "linear")
                .layer("dw_relu", "ReLU", cfg("max_value", 6.0))
                .conv("project", 16, 12, ONE, ONE, "same", ONE, true, "relu")
                .layer("gap", "GlobalAveragePooling2D", cfg())
                .dense("fc", 12, 5, "softmax")
                .build();
    }

    static ModelCard card(Path dir, String family, int size, int embedDim) {
        return new ModelCard(dir, "tiny", family, new PreprocessSpec("scale01", size, PreprocessSpec.CLIP_MEAN,
                PreprocessSpec.CLIP_STD), 0, embedDim, 1.0, null,
                Map.of("keras", Map.of("topology", "model.json", "weights", "weights.bin")));
    }

    /** Images in [0, 1], NCHW for the backbone, and the same pixels NHWC for the reference. */
    static ImageBatch images(int count, long seed) {
        Nd nhwc = KerasTestModels.input(seed, 0, 1, count, SIZE, SIZE, 3);
        return new ImageBatch(count, SIZE, nchw(nhwc.floats(), count, SIZE, SIZE));
    }

    static float[] nchw(float[] nhwc, int n, int h, int w) {
        float[] out = new float[nhwc.length];
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < 3; c++) {
                        out[((b * 3 + c) * h + y) * w + x] = nhwc[((b * h + y) * w + x) * 3 + c];
                    }
                }
            }
        }
        return out;
    }

    static float[] nhwc(float[] nchw, int n, int h, int w) {
        float[] out = new float[nchw.length];
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < 3; c++) {
                        out[((b * h + y) * w + x) * 3 + c] = nchw[((b * 3 + c) * h + y) * w + x];
                    }
                }
            }
        }
        return out;
    }

    private static float[][] reference(KerasModel model, ImageBatch batch) {
        Nd out = KerasReference.run(model, Nd.of(new int[] {batch.count(), SIZE, SIZE, 3},
                nhwc(batch.data(), batch.count(), SIZE, SIZE)));
        int d = out.data().length / batch.count();
        float[] flat = out.floats();
        float[][] rows = new float[batch.count()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
        return rows;
    }

    @Test
    void nchwBatchesGiveTheReferenceRows(@TempDir Path dir) throws IOException {
        KerasModel full = tinyNet();
        ImageBatch batch = images(4, 1);
        for (KerasModel model : List.of(full, full.cutAt(full.defaultFeatureLayer()), full.cutAt("dw_relu"))) {
            try (KerasBackbone b = KerasBackbone.open(card(dir, "keras", SIZE, 0), model, BackendOptions.defaults())) {
                float[][] got = b.embedImages(batch);
                float[][] want = reference(model, batch);
                double error = KerasTestModels.maxAbsDiff(got, want);
                System.out.printf("[keras] backbone output '%s' (%d values): max |diff| vs reference = %.2e%n",
                        model.output(), b.embeddingDim(), error);
                assertEquals(want[0].length, b.embeddingDim(), "embedding length");
                assertTrue(error <= KerasTestModels.TOLERANCE, model.output() + ": differs by " + error);
            }
        }
    }

    @Test
    void rowsDoNotDependOnTheBatchOrTheThreadCount(@TempDir Path dir) throws IOException {
        KerasModel model = tinyNet().cutAt("gap");
        ImageBatch batch = images(6, 2);
        float[][] one;
        float[][] two;
        try (KerasBackbone b1 = KerasBackbone.open(card(dir, "keras", SIZE, 12), model, new BackendOptions(1,
                Device.CPU)); KerasBackbone b2 = KerasBackbone.open(card(dir, "keras", SIZE, 12), model,
                new BackendOptions(2, Device.CPU))) {
            one = b1.embedImages(batch);
            two = b2.embedImages(batch);
            double worst = 0;
            int floats = 3 * SIZE * SIZE;
            for (int i = 0; i < batch.count(); i++) {
                float[][] alone = b2.embedImages(new ImageBatch(1, SIZE, Arrays.copyOfRange(batch.data(), i * floats,
                        (i + 1) * floats)));
                worst = Math.max(worst, KerasTestModels.maxAbsDiff(alone, new float[][] {two[i]}));
            }
            double threads = KerasTestModels.maxAbsDiff(one, two);
            System.out.printf("[keras] alone vs in a batch of 6: %.2e; 1 vs 2 threads: %.2e%n", worst, threads);
            assertTrue(worst <= 1e-6, "an image alone and in a batch differs by " + worst);
            assertTrue(threads <= 1e-6, "1 and 2 threads differ by " + threads);
        }
    }

    @Test
    void imageOnlyAndChecksSizes(@TempDir Path dir) throws IOException {
        KerasModel model = tinyNet();
        try (KerasBackbone b = KerasBackbone.open(card(dir, "keras", SIZE, 5), model, BackendOptions.defaults())) {
            assertFalse(b.capabilities().contains(Capability.TEXT_TOWER));
            assertFalse(b.capabilities().contains(Capability.GPU));
            assertEquals(5, b.embeddingDim());
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> b.embedTokens(new int[][] {{49406, 49407}}));
            assertTrue(e.getMessage().contains("text"), e.getMessage());
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                    () -> b.embedImages(new ImageBatch(1, 8, new float[3 * 8 * 8])));
            assertTrue(wrong.getMessage().contains("16x16"), wrong.getMessage());
        }
        IOException size = assertThrows(IOException.class, () -> KerasBackbone.open(card(dir, "keras", 32, 0), model,
                BackendOptions.defaults()).close());
        assertTrue(size.getMessage().contains("16x16") && size.getMessage().contains("image_size 32"),
                size.getMessage());
        IOException dim = assertThrows(IOException.class, () -> KerasBackbone.open(card(dir, "keras", SIZE, 7), model,
                BackendOptions.defaults()).close());
        assertTrue(dim.getMessage().contains("embed_dim 7") && dim.getMessage().contains("5 values"),
                dim.getMessage());
        KerasModel bad = new Builder("bad", SIZE, SIZE, 3, 1).layer("gelu_act", "Activation",
                cfg("activation", "gelu")).build();
        IOException layer = assertThrows(IOException.class, () -> KerasBackbone.open(card(dir, "keras", SIZE, 0), bad,
                BackendOptions.defaults()).close());
        assertTrue(layer.getMessage().contains("'gelu_act'") && layer.getMessage().contains("gelu"),
                layer.getMessage());
    }

    @Test
    void whichCardsAreKeras(@TempDir Path dir) {
        assertTrue(KerasBackbone.handles(card(dir, "keras", SIZE, 0)));
        assertTrue(KerasBackbone.handles(card(dir, "clip", SIZE, 0)), "keras artifacts alone");
        ModelCard both = new ModelCard(dir, "x", "clip-vit", PreprocessSpec.clip(SIZE), 77, 0, 100, null,
                Map.of("keras", Map.of("topology", "model.json"),
                        "safetensors", Map.of("checkpoint", "m.safetensors")));
        assertFalse(KerasBackbone.handles(both), "a checkpoint beside keras artifacts is CLIP");
        ModelCard clip = new ModelCard(dir, "x", "clip-vit", PreprocessSpec.clip(SIZE), 77, 0, 100, null,
                Map.of("safetensors", Map.of("checkpoint", "m.safetensors")));
        assertFalse(KerasBackbone.handles(clip));
    }

    /** The whole path: a TF.js folder (model.json + weights.bin) and a keras card, opened by the provider. */
    @Test
    void providerOpensAKerasCard(@TempDir Path dir) throws IOException {
        KerasModel full = tinyNet();
        writeTfjs(full, dir);
        Files.writeString(dir.resolve(ModelCards.CARD_FILE), """
                {"name": "tiny", "family": "keras", "image_size": 16, "preprocess": "scale01", "embed_dim": 12,
                 "artifacts": {"keras": {"topology": "model.json", "weights": "weights.bin"}}}
                """);
        ModelCard card = ModelCards.load(dir);
        TfBackboneProvider provider = new TfBackboneProvider();
        assertEquals(List.of(dir.resolve("model.json"), dir.resolve("weights.bin")), provider.artifactFiles(card));
        ImageBatch batch = images(3, 5);
        try (Backbone b = provider.open(card, BackendOptions.defaults())) {
            assertTrue(b instanceof KerasBackbone, b.getClass().getName());
            assertEquals(12, b.embeddingDim(), "cut at the default feature layer (GlobalAveragePooling2D)");
            double error = KerasTestModels.maxAbsDiff(b.embedImages(batch), reference(full.cutAt("gap"), batch));
            System.out.printf("[keras] provider, TF.js folder, default feature layer: max |diff| = %.2e%n", error);
            assertTrue(error <= KerasTestModels.TOLERANCE, "differs by " + error);
        }
        Files.writeString(dir.resolve(ModelCards.CARD_FILE), """
                {"name": "tiny", "family": "keras", "image_size": 16, "preprocess": "scale01", "feature_layer": "fc",
                 "artifacts": {"keras": {"topology": "model.json", "weights": "weights.bin"}}}
                """);
        try (Backbone b = provider.open(ModelCards.load(dir), BackendOptions.defaults())) {
            assertEquals(5, b.embeddingDim());
            double error = KerasTestModels.maxAbsDiff(b.embedImages(batch), reference(full, batch));
            assertTrue(error <= KerasTestModels.TOLERANCE, "differs by " + error);
        }
        Files.delete(dir.resolve("model.json"));
        IOException e = assertThrows(IOException.class, () -> provider.open(ModelCards.load(dir),
                BackendOptions.defaults()).close());
        assertTrue(e.getMessage().contains("model.json"), e.getMessage());
    }

    /** Writes a TF.js layers folder: model.json (functional topology + float32 manifest) and weights.bin. */
    static void writeTfjs(KerasModel model, Path dir) throws IOException {
        ObjectNode root = KerasTestModels.JSON.createObjectNode();
        ObjectNode config = root.putObject("modelTopology").put("keras_version", "2.2.4").put("backend", "tensorflow")
                .putObject("model_config").put("class_name", "Model").putObject("config");
        config.put("name", model.name());
        ArrayNode layers = config.putArray("layers");
        for (KerasLayer l : model.layers()) {
            ObjectNode layer = layers.addObject().put("name", l.name()).put("class_name", l.className());
            layer.set("config", l.config().deepCopy());
            ((ObjectNode) layer.get("config")).put("name", l.name());
            ArrayNode nodes = layer.putArray("inbound_nodes");
            if (!l.inbound().isEmpty()) {
                ArrayNode node = nodes.addArray();
                l.inbound().forEach(in -> node.addArray().add(in).add(0).add(0).addObject());
            }
        }
        config.putArray("input_layers").addArray().add(model.layers().get(0).name()).add(0).add(0);
        config.putArray("output_layers").addArray().add(model.output()).add(0).add(0);
        ObjectNode group = root.putArray("weightsManifest").addObject();
        group.putArray("paths").add("weights.bin");
        ArrayNode specs = group.putArray("weights");
        int floats = model.weights().values().stream().mapToInt(t -> t.data().length).sum();
        ByteBuffer bytes = ByteBuffer.allocate(4 * floats).order(ByteOrder.LITTLE_ENDIAN);
        for (KerasTensor t : model.weights().values().stream().sorted((a, b) -> a.name().compareTo(b.name()))
                .toList()) {
            ObjectNode spec = specs.addObject().put("name", t.name()).put("dtype", "float32");
            ArrayNode shape = spec.putArray("shape");
            Arrays.stream(t.shape()).forEach(shape::add);
            for (float v : t.data()) {
                bytes.putFloat(v);
            }
        }
        Files.write(dir.resolve("weights.bin"), bytes.array());
        KerasTestModels.JSON.writeValue(dir.resolve("model.json").toFile(), root);
    }
}
