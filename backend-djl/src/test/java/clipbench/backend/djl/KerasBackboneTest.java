package clipbench.backend.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.pytorch.jni.JniUtils;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.model.PreprocessSpec;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.Device;
import clipbench.api.spi.ImageBatch;
import clipbench.keras.KerasModel;
import clipbench.keras.ModelCardWriter;
import clipbench.keras.contract.KerasReference;
import clipbench.keras.contract.KerasTestNet;
import clipbench.keras.contract.Nd;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A keras model card opened through the DJL provider: dispatch, features, files, errors, threads, leaks. */
class KerasBackboneTest {
    private static final int SIZE = 8;
    private final DjlBackboneProvider provider = new DjlBackboneProvider();

    /** 8x8x3 -> conv s2 same -> BN -> ReLU6 -> depthwise -> GAP (6, the default feature layer) -> Dense softmax (4). */
    private static KerasModel tinyModel() {
        KerasTestNet b = new KerasTestNet("tiny-keras", SIZE, SIZE, 3, 42);
        b.conv("conv", "input", 3, "{'filters': 6, 'kernel_size': 3, 'strides': 2, 'padding': 'same',"
                + " 'use_bias': false}");
        b.bn("bn", "conv", 6, "{'axis': -1, 'epsilon': 0.001}");
        b.layer("ReLU", "relu", "{'max_value': 6.0}", "bn");
        b.depthwise("dw", "relu", 6, "{'kernel_size': 3, 'padding': 'same', 'activation': 'relu'}");
        b.layer("GlobalAveragePooling2D", "gap", "{}", "dw");
        b.dense("probs", "gap", 6, "{'units': 4, 'activation': 'softmax'}");
        return b.build("probs");
    }

    /** The model as TF.js files with a keras card ({@code feature_layer} omitted when null). */
    private static Path save(KerasModel model, Path dir, String featureLayer, int embedDim) throws IOException {
        KerasTestNet.saveTfjs(model, dir);
        ModelCardWriter.write(dir, ModelCardWriter.kerasCard(model.name(), model.inputShape()[0], embedDim,
                featureLayer, "model.json", "weights.bin", "KerasTestNet"));
        return dir;
    }

    /** {@link KerasReference} on image {@code n} of an NCHW batch. */
    private static float[] reference(KerasModel model, ImageBatch batch, int n) {
        return KerasReference.run(model, new Nd(new int[] {1, SIZE, SIZE, 3}, nhwc(batch, n))).v();
    }

    private static ImageBatch images(int count, long seed) {
        Random r = new Random(seed);
        float[] data = new float[count * 3 * SIZE * SIZE];
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextFloat();
        }
        return new ImageBatch(count, SIZE, data);
    }

    /** One image of an NCHW batch as NHWC. */
    private static float[] nhwc(ImageBatch batch, int n) {
        int s = batch.size();
        float[] out = new float[3 * s * s];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    out[(y * s + x) * 3 + c] = batch.data()[((n * 3 + c) * s + y) * s + x];
                }
            }
        }
        return out;
    }

    private static ModelCard card(String family, Map<String, Map<String, String>> artifacts) {
        return new ModelCard(Path.of("."), "x", family, PreprocessSpec.clip(224), 0, 0, 100, null, artifacts);
    }

    @Test
    void kerasCardsAreRecognised() {
        Map<String, String> keras = Map.of("topology", "model.json", "weights", "weights.bin");
        Map<String, String> ts = Map.of("image", "visual.pt");
        assertTrue(KerasBackbone.handles(card("keras", Map.of("keras", keras))));
        assertTrue(KerasBackbone.handles(card("keras", Map.of("keras", keras, "torchscript", ts))));
        assertTrue(KerasBackbone.handles(card("image-classifier", Map.of("keras", keras, "onnx", ts))));
        assertFalse(KerasBackbone.handles(card("clip-vit", Map.of("keras", keras, "torchscript", ts))));
        assertFalse(KerasBackbone.handles(card("clip-vit", Map.of("torchscript", ts))));
    }

    @Test
    void theProviderRunsAKerasCardAtItsDefaultFeatureLayer(@TempDir Path tmp) throws IOException {
        KerasModel full = tinyModel();
        Path dir = save(full, tmp.resolve("tiny"), null, 0);
        ModelCard card = ModelCards.load(dir);
        assertEquals(List.of(dir.resolve("model.json"), dir.resolve("weights.bin")), provider.artifactFiles(card));
        KerasModel features = full.cutAt("gap");
        ImageBatch batch = images(3, 1);
        try (Backbone backbone = provider.open(card, BackendOptions.defaults())) {
            assertInstanceOf(DjlBackbone.class, backbone);
            assertEquals(6, backbone.embeddingDim());
            assertFalse(backbone.capabilities().contains(Capability.TEXT_TOWER));
            assertEquals("scale01", backbone.preprocess().mode());
            float[][] got = backbone.embedImages(batch);
            assertEquals(3, got.length);
            double worst = 0;
            for (int n = 0; n < 3; n++) {
                float[] want = reference(features, batch, n);
                assertEquals(want.length, got[n].length);
                for (int i = 0; i < want.length; i++) {
                    worst = Math.max(worst, Math.abs(got[n][i] - want[i]));
                }
            }
            assertTrue(worst < 1e-5, "features differ from the reference by " + worst);
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> backbone.embedTokens(new int[][] {{1, 2}}));
            assertTrue(e.getMessage().contains("no text tower"), e.getMessage());
        }
    }

    @Test
    void theCardsFeatureLayerIsWhereTheModelIsCut(@TempDir Path tmp) throws IOException {
        KerasModel full = tinyModel();
        ModelCard card = ModelCards.load(save(full, tmp.resolve("probs"), "probs", 4));
        ImageBatch batch = images(2, 2);
        try (Backbone backbone = provider.open(card, BackendOptions.defaults())) {
            assertEquals(4, backbone.embeddingDim());
            float[][] got = backbone.embedImages(batch);
            for (int n = 0; n < 2; n++) {
                float[] want = reference(full, batch, n);
                double sum = 0;
                for (int i = 0; i < 4; i++) {
                    assertEquals(want[i], got[n][i], 1e-6);
                    sum += got[n][i];
                }
                assertEquals(1, sum, 1e-5, "softmax output");
            }
        }
        // a feature map: flattened in Keras's NHWC order
        ModelCard map = ModelCards.load(save(full, tmp.resolve("map"), "relu", 0));
        try (Backbone backbone = provider.open(map, BackendOptions.defaults())) {
            assertEquals(4 * 4 * 6, backbone.embeddingDim());
            float[] got = backbone.embedImages(batch)[1];
            float[] want = reference(full.cutAt("relu"), batch, 1);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5);
            }
        }
    }

    @Test
    void batchesGiveWhatSingleImagesGive() throws IOException {
        ModelCard card = new ModelCard(Path.of("."), "tiny", "keras", new PreprocessSpec("scale01", SIZE,
                new float[3], new float[] {1, 1, 1}), 0, 0, 1, null, Map.of());
        try (KerasBackbone backbone = KerasBackbone.open(card, tinyModel(), BackendOptions.defaults())) {
            ImageBatch batch = images(4, 3);
            float[][] all = backbone.embedImages(batch);
            for (int n = 0; n < 4; n++) {
                float[] one = java.util.Arrays.copyOfRange(batch.data(), n * batch.imageFloats(),
                        (n + 1) * batch.imageFloats());
                assertArrayEquals(all[n], backbone.embedImages(new ImageBatch(1, SIZE, one))[0], 1e-6f);
            }
        }
    }

    @Test
    void wrongSizesLayersAndWeightsAreNamed(@TempDir Path tmp) throws IOException {
        KerasModel model = tinyModel();
        ModelCard wrongSize = new ModelCard(tmp, "tiny", "keras", new PreprocessSpec("scale01", 224, new float[3],
                new float[] {1, 1, 1}), 0, 0, 1, null, Map.of());
        IOException e = assertThrows(IOException.class,
                () -> KerasBackbone.open(wrongSize, model, BackendOptions.defaults()).close());
        assertTrue(e.getMessage().contains("8x8") && e.getMessage().contains("image_size 224"), e.getMessage());

        ModelCard card = new ModelCard(tmp, "tiny", "keras", new PreprocessSpec("scale01", SIZE, new float[3],
                new float[] {1, 1, 1}), 0, 5, 1, null, Map.of());
        e = assertThrows(IOException.class, () -> KerasBackbone.open(card, model, BackendOptions.defaults()).close());
        assertTrue(e.getMessage().contains("embed_dim 5") && e.getMessage().contains("gives 4"), e.getMessage());

        ModelCard ok = new ModelCard(tmp, "tiny", "keras", new PreprocessSpec("scale01", SIZE, new float[3],
                new float[] {1, 1, 1}), 0, 0, 1, null, Map.of());
        KerasTestNet b = new KerasTestNet("elu", SIZE, SIZE, 3, 1);
        b.conv("c", "input", 3, "{'filters': 2, 'kernel_size': 1, 'activation': 'elu'}");
        e = assertThrows(IOException.class,
                () -> KerasBackbone.open(ok, b.build("c"), BackendOptions.defaults()).close());
        assertTrue(e.getMessage().contains("layer 'c' (Conv2D)") && e.getMessage().contains("'elu'"), e.getMessage());

        try (KerasBackbone backbone = KerasBackbone.open(ok, model, BackendOptions.defaults())) {
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                    () -> backbone.embedImages(new ImageBatch(1, 9, new float[3 * 81])));
            assertTrue(size.getMessage().contains("takes 8x8 images, got 9x9"), size.getMessage());
        }
    }

    @Test
    void aKerasCardWithoutItsFilesFailsNamingThem(@TempDir Path tmp) {
        ModelCard card = new ModelCard(tmp, "gone", "keras", new PreprocessSpec("scale01", SIZE, new float[3],
                new float[] {1, 1, 1}), 0, 0, 1, null, Map.of("keras", Map.of("topology", "model.json",
                "weights", "weights.bin")));
        IOException e = assertThrows(IOException.class, () -> provider.open(card, BackendOptions.defaults()).close());
        assertTrue(e.getMessage().contains("model.json"), e.getMessage());
        e = assertThrows(IOException.class, () -> provider.artifactFiles(card));
        assertTrue(e.getMessage().contains("model.json"), e.getMessage());
    }

    @Test
    void callsLeaveNoNativeArraysAndRestoreGradModeAndUseTheirThreads(@TempDir Path tmp) throws IOException {
        ModelCard card = ModelCards.load(save(tinyModel(), tmp.resolve("tiny"), null, 6));
        try (DjlBackbone one = provider.open(card, new BackendOptions(1, Device.CPU));
             DjlBackbone two = provider.open(card, new BackendOptions(2, Device.CPU))) {
            int before = one.liveArrays();
            assertTrue(before > 0);
            float[][] first = one.embedImages(images(2, 5));
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(first[1], one.embedImages(images(2, 5))[1], 1e-6f);
            }
            assertEquals(before, one.liveArrays());
            boolean mode = JniUtils.isGradMode();
            one.embedImages(images(1, 6));
            assertEquals(1, JniUtils.getNumThreads());
            assertEquals(mode, JniUtils.isGradMode());
            two.embedImages(images(1, 6));
            assertEquals(2, JniUtils.getNumThreads());
        }
    }
}
