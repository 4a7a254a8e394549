package clipbench.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.keras.contract.NpmTestData;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real pretrained networks of npm {@code nsfwjs@4.4.0} (installed by {@code tools/install-test-data.sh}), checked
 * against {@code testdata/keras/nsfwjs-reference.json} (nsfwjs's own JavaScript outputs, see make-reference.mjs).
 * Their forward pass is checked by the nsfwjs contract ({@code ReferenceNsfwjsContractTest}: the plain Java reference on
 * the imported graph reproduces nsfwjs to float32 rounding, so the import is exact; and one subclass per runtime).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NsfwjsModelsTest {
    static final String MOBILENET = "mobilenet_v2";
    static final String INCEPTION = "inception_v3";

    Path nsfwjs;
    JsonNode reference;
    final Map<String, KerasModel> models = new HashMap<>();

    @BeforeAll
    void load() throws IOException {
        nsfwjs = NpmTestData.nsfwjs();
        reference = TinyTfjs.JSON.readTree(NpmTestData.nsfwjsReference().toFile());
        assertEquals("4.4.0", reference.get("nsfwjs_version").asText());
        for (String m : List.of(MOBILENET, INCEPTION)) {
            models.put(m, TfjsReader.read(modelDir(m)));
        }
    }

    Path modelDir(String name) {
        return nsfwjs.resolve("dist/models").resolve(name);
    }

    JsonNode ref(String dir) {
        for (JsonNode m : reference.get("models")) {
            if (m.get("dir").asText().endsWith("/" + dir)) {
                return m;
            }
        }
        throw new AssertionError("no reference for " + dir);
    }

    @Test
    void mobilenetV2Structure() {
        KerasModel m = models.get(MOBILENET);
        assertEquals("mobilenet_v2", m.name());
        assertEquals(162, m.layers().size());
        Map<String, Integer> counts = KerasModels.layerCounts(m);
        assertEquals(35, counts.get("Conv2D"));
        assertEquals(17, counts.get("DepthwiseConv2D"));
        assertEquals(52, counts.get("BatchNormalization"));
        assertEquals(35, counts.get("ReLU"));
        assertEquals(10, counts.get("Add"));
        assertEquals(5, counts.get("ZeroPadding2D"));
        assertEquals(3, counts.get("Dense"));
        assertEquals(2_619_461L, KerasModels.parameterCount(m));
        assertEquals(266, m.weights().size());
        assertArrayEquals(new int[] {224, 224, 3}, m.inputShape());
        assertEquals("flatten_1", m.defaultFeatureLayer());
        assertEquals(1280, KerasShapes.featureLength(m, "flatten_1"));
        assertArrayEquals(new int[] {7, 7, 1280}, KerasShapes.outputShape(m, "out_relu"));
        assertArrayEquals(new int[] {1, 1, 1280}, KerasShapes.outputShape(m, "average_pooling2d_1"));
        assertArrayEquals(new int[] {5}, KerasShapes.outputShape(m, m.output()));
        assertEquals("dense_3", m.output());
        // configs the backends rely on
        KerasLayer relu = m.layer("Conv1_relu");
        assertEquals(6.0, KerasConfig.optionalNumber(relu, "max_value"));
        KerasLayer dw = m.layer("block_1_depthwise");
        assertEquals("valid", KerasConfig.padding(dw));
        assertArrayEquals(new int[] {2, 2}, KerasConfig.pair(dw, "strides", null));
        assertEquals(1, KerasConfig.integer(dw, "depth_multiplier", null));
        assertEquals(List.of("block_1_pad"), dw.inbound());
        assertEquals(java.util.Set.of("gamma", "beta", "moving_mean", "moving_variance"),
                m.weightsOf("bn_Conv1").keySet());
    }

    @Test
    void inceptionV3Structure() {
        KerasModel m = models.get(INCEPTION);
        assertEquals(318, m.layers().size());
        Map<String, Integer> counts = KerasModels.layerCounts(m);
        assertEquals(94, counts.get("Conv2D"));
        assertEquals(94, counts.get("BatchNormalization"));
        assertEquals(94, counts.get("Activation"));
        assertEquals(15, counts.get("Concatenate"));
        assertEquals(4, counts.get("MaxPooling2D"));
        assertEquals(10, counts.get("AveragePooling2D"));
        assertEquals(22_360_869L, KerasModels.parameterCount(m));
        assertEquals(382, m.weights().size());
        assertArrayEquals(new int[] {299, 299, 3}, m.inputShape());
        assertEquals("flatten_1", m.defaultFeatureLayer());
        assertEquals(2048, KerasShapes.featureLength(m, "flatten_1"));
        assertArrayEquals(new int[] {8, 8, 2048}, KerasShapes.outputShape(m, "mixed10"));
        assertArrayEquals(new int[] {149, 149, 32}, KerasShapes.outputShape(m, "activation_1"));
        assertArrayEquals(new int[] {35, 35, 256}, KerasShapes.outputShape(m, "mixed0"));
        // BatchNormalization with scale=false: no gamma
        assertEquals(java.util.Set.of("beta", "moving_mean", "moving_variance"),
                m.weightsOf("batch_normalization_1").keySet());
        assertTrue(!KerasConfig.flag(m.layer("batch_normalization_1"), "scale", true));
    }

    @Test
    void matchesTheReferenceCounts() {
        for (String dir : List.of(MOBILENET, INCEPTION)) {
            KerasModel m = models.get(dir);
            JsonNode r = ref(dir);
            assertEquals(r.get("params").asLong(), KerasModels.parameterCount(m), dir + " params (tfjs countParams)");
            assertEquals(r.get("layers").asInt(), m.layers().size(), dir);
            assertEquals(r.get("weights").asInt(), m.weights().size(), dir);
            Map<String, Integer> expected = new TreeMap<>();
            r.get("layer_counts").fields().forEachRemaining(e -> expected.put(e.getKey(), e.getValue().asInt()));
            assertEquals(expected, KerasModels.layerCounts(m), dir);
            assertEquals(r.get("feature_layer").asText(), m.defaultFeatureLayer(), dir);
            assertEquals(r.get("feature_length").asInt(), KerasShapes.featureLength(m, m.defaultFeatureLayer()), dir);
            assertEquals(r.get("output_layer").asText(), m.output(), dir);
            assertEquals(r.get("input_size").asInt(), m.inputShape()[0], dir);
        }
    }

    @Test
    void dequantisedWeightsEqualTfjsBitForBit() {
        for (String dir : List.of(MOBILENET, INCEPTION)) {
            KerasModel m = models.get(dir);
            for (JsonNode s : ref(dir).get("weight_samples")) {
                KerasTensor t = m.weights().get(s.get("name").asText());
                assertTrue(t != null, dir + ": " + s.get("name"));
                for (int i = 0; i < s.get("shape").size(); i++) {
                    assertEquals(s.get("shape").get(i).asInt(), t.shape()[i], t.name());
                }
                for (int i = 0; i < 8; i++) {
                    assertEquals((float) s.get("first8").get(i).asDouble(), t.data()[i], t.name() + "[" + i + "]");
                }
                double sum = 0;
                for (float v : t.data()) {
                    sum += v;
                }
                assertEquals(s.get("sum").asDouble(), sum, 1e-6 * Math.max(1, Math.abs(sum)), t.name());
            }
        }
    }

    @Test
    void layersAreTopologicallySortedWithKnownInputs() {
        for (KerasModel m : models.values()) {
            Map<String, Integer> at = new HashMap<>();
            for (int i = 0; i < m.layers().size(); i++) {
                KerasLayer l = m.layers().get(i);
                for (String in : l.inbound()) {
                    assertTrue(at.containsKey(in), m.name() + ": " + in + " before " + l.name());
                }
                at.put(l.name(), i);
            }
            assertEquals("InputLayer", m.layers().get(0).className());
        }
        assertEquals(List.of("activation_86", "mixed9_1", "concatenate_2", "activation_94"),
                models.get(INCEPTION).layer("mixed10").inbound());
    }

    @Test
    void importerRoundTripKeepsEveryWeight(@TempDir Path tmp) throws IOException {
        for (String dir : List.of(MOBILENET, INCEPTION)) {
            Path out = tmp.resolve(dir);
            Path cardFile = TfjsImporter.importModel(modelDir(dir), out, null);
            JsonNode card = TinyTfjs.JSON.readTree(cardFile.toFile());
            KerasModel original = models.get(dir);
            assertEquals("nsfwjs-" + dir, card.get("name").asText());
            assertEquals(original.inputShape()[0], card.get("image_size").asInt());
            assertEquals(dir.equals(MOBILENET) ? 1280 : 2048, card.get("embed_dim").asInt());
            assertEquals("flatten_1", card.get("feature_layer").asText());
            assertEquals("nsfwjs@4.4.0/dist/models/" + dir + ", TF.js layers model (.min.js wrappers), uint8-quantised "
                    + "weights", card.get("source").asText());
            assertEquals(original.weights().values().stream().mapToLong(t -> t.data().length).sum(),
                    Files.size(out.resolve("weights.bin")), "one byte per uint8 weight");

            ModelCard mc = ModelCards.load(out);
            KerasModel full = KerasModels.loadFull(mc);
            assertEquals(original.layers(), full.layers());
            assertEquals(original.weights().keySet(), full.weights().keySet());
            original.weights().forEach((n, t) -> assertArrayEquals(t.data(), full.weights().get(n).data(), n));
            KerasModel cut = KerasModels.load(mc);
            assertEquals("flatten_1", cut.output());
            assertEquals(original.layers().size() - 5, cut.layers().size(), "3 Dense + 2 Dropout after the features");
            assertEquals(List.of(out.resolve("model.json"), out.resolve("weights.bin")), KerasModels.files(mc));
        }
    }

    @Test
    void damagedNsfwjsFilesAreNamed(@TempDir Path tmp) throws IOException {
        Path copy = Files.createDirectories(tmp.resolve("mobilenet_v2"));
        Files.copy(modelDir(MOBILENET).resolve("model.min.js"), copy.resolve("model.min.js"));
        java.nio.file.NoSuchFileException missing = org.junit.jupiter.api.Assertions.assertThrows(
                java.nio.file.NoSuchFileException.class, () -> TfjsReader.read(copy));
        assertTrue(missing.getMessage().contains("group1-shard1of1.min.js"), missing.getMessage());

        String shard = Files.readString(modelDir(MOBILENET).resolve("group1-shard1of1.min.js"));
        // cut inside the base64 string but keep it well formed: fewer bytes than the manifest needs
        int quote = shard.indexOf("exports=\"") + 9;
        int end = shard.indexOf('"', quote);
        Files.writeString(copy.resolve("group1-shard1of1.min.js"),
                shard.substring(0, quote) + shard.substring(quote, end - 4000) + shard.substring(end));
        IOException truncated = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> TfjsReader.read(copy));
        assertTrue(truncated.getMessage().contains("group1-shard1of1.min.js")
                && truncated.getMessage().contains("truncated"), truncated.getMessage());
    }
}
