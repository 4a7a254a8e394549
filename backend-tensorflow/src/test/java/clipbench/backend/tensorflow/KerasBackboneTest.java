package clipbench.backend.tensorflow;

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
import clipbench.keras.KerasLayer;
import clipbench.keras.KerasModel;
import clipbench.keras.contract.KerasReference;
import clipbench.keras.contract.KerasTestNet;
import clipbench.keras.contract.Nd;
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
    static final int SIZE = 16;

    private static final double TOLERANCE = 1e-5;

    /** A small MobileNetV2-like network with a 5-way softmax head; its GlobalAveragePooling2D is the feature layer. */
    static KerasModel tinyNet() {
        KerasTestNet n = new KerasTestNet("tiny", SIZE, SIZE, 3, 77);
        n.layer("ZeroPadding2D", "pad", "{'padding':[[0,1],[0,1]]}", "input");
        n.conv("Conv1", "pad", 3, "{'filters':8,'kernel_size':3,'strides':2,'padding':'valid','use_bias':false}");
        n.bn("bn", "Conv1", 8, "{'axis':-1,'epsilon':0.001}");
        n.layer("ReLU", "relu", "{'max_value':6.0}", "bn");
        n.depthwise("dw", "relu", 8, "{'kernel_size':3,'strides':2,'padding':'same','depth_multiplier':2}");
        n.layer("ReLU", "dw_relu", "{'max_value':6.0}", "dw");
        n.conv("project", "dw_relu", 16, "{'filters':12,'kernel_size':1,'activation':'relu'}");
        n.layer("GlobalAveragePooling2D", "gap", "{}", "project");
        n.dense("fc", "gap", 12, "{'units':5,'activation':'softmax'}");
        return n.build();
    }

    static double maxAbsDiff(float[][] a, float[][] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Nd.maxAbsDiff(a[i], b[i]));
        }
        return worst;
    }

    static ModelCard card(Path dir, String family, int size, int embedDim) {
        return new ModelCard(dir, "tiny", family, new PreprocessSpec("scale01", size, PreprocessSpec.CLIP_MEAN,
                PreprocessSpec.CLIP_STD), 0, embedDim, 1.0, null,
                Map.of("keras", Map.of("topology", "model.json", "weights", "weights.bin")));
    }

    /** Images in [0, 1], NCHW for the backbone, and the same pixels NHWC for the reference. */
    static ImageBatch images(int count, long seed) {
        return new ImageBatch(count, SIZE, Nd.random(count, new int[] {SIZE, SIZE, 3}, seed, 0, 1).nchw());
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
        Nd out = KerasReference.run(model, new Nd(new int[] {batch.count(), SIZE, SIZE, 3},
                nhwc(batch.data(), batch.count(), SIZE, SIZE)));
        float[][] rows = new float[batch.count()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = out.item(i);
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
                double error = maxAbsDiff(got, want);
                System.out.printf("[keras] backbone output '%s' (%d values): max |diff| vs reference = %.2e%n",
                        model.output(), b.embeddingDim(), error);
                assertEquals(want[0].length, b.embeddingDim(), "embedding length");
                assertTrue(error <= TOLERANCE, model.output() + ": differs by " + error);
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
                worst = Math.max(worst, maxAbsDiff(alone, new float[][] {two[i]}));
            }
            double threads = maxAbsDiff(one, two);
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
        KerasTestNet badNet = new KerasTestNet("bad", SIZE, SIZE, 3, 1);
        badNet.layer("Activation", "gelu_act", "{'activation':'gelu'}", "input");
        KerasModel bad = badNet.build();
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
        KerasTestNet.saveTfjs(full, dir);
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
            double error = maxAbsDiff(b.embedImages(batch), reference(full.cutAt("gap"), batch));
            System.out.printf("[keras] provider, TF.js folder, default feature layer: max |diff| = %.2e%n", error);
            assertTrue(error <= TOLERANCE, "differs by " + error);
        }
        Files.writeString(dir.resolve(ModelCards.CARD_FILE), """
                {"name": "tiny", "family": "keras", "image_size": 16, "preprocess": "scale01", "feature_layer": "fc",
                 "artifacts": {"keras": {"topology": "model.json", "weights": "weights.bin"}}}
                """);
        try (Backbone b = provider.open(ModelCards.load(dir), BackendOptions.defaults())) {
            assertEquals(5, b.embeddingDim());
            double error = maxAbsDiff(b.embedImages(batch), reference(full, batch));
            assertTrue(error <= TOLERANCE, "differs by " + error);
        }
        Files.delete(dir.resolve("model.json"));
        IOException e = assertThrows(IOException.class, () -> provider.open(ModelCards.load(dir),
                BackendOptions.defaults()).close());
        assertTrue(e.getMessage().contains("model.json"), e.getMessage());
    }
}
