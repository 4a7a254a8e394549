package clipbench.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TfjsReaderTest {
    @TempDir
    Path tmp;

    @Test
    void readsTopologyInTopologicalOrderWithInboundNames() throws IOException {
        KerasModel m = TfjsReader.read(new TinyTfjs().writeFolder(tmp.resolve("tiny")));
        assertEquals("tiny", m.name());
        assertEquals(TinyTfjs.TOPOLOGICAL, m.layers().stream().map(KerasLayer::name).toList());
        assertArrayEquals(new int[] {5, 5, 2}, m.inputShape());
        assertEquals("dense_out", m.output());
        assertEquals(List.of("add_d", "relu_a"), m.layer("concat_e").inbound());
        assertEquals(List.of("dw_b", "conv_c"), m.layer("add_d").inbound());
        assertEquals(List.of(), m.layer("input_1").inbound());
        assertEquals("DepthwiseConv2D", m.layer("dw_b").className());
        assertEquals(2, m.layer("dw_b").config().get("depth_multiplier").asInt());
        assertEquals("gap", m.defaultFeatureLayer());
        // every layer after its inputs
        for (int i = 0; i < m.layers().size(); i++) {
            for (String in : m.layers().get(i).inbound()) {
                int j = TinyTfjs.TOPOLOGICAL.indexOf(in);
                assertTrue(j < i, in + " before " + m.layers().get(i).name());
            }
        }
    }

    @Test
    void dequantisesExactlyAsTfjs() throws IOException {
        KerasModel m = TfjsReader.read(new TinyTfjs().writeFolder(tmp.resolve("tiny")));
        Map<String, KerasTensor> w = m.weights();
        assertEquals(10, w.size());
        // uint8: min + scale * q, q = i % 9, min -2, scale .5 (across the shard boundary at byte 20)
        KerasTensor k = w.get("conv_a/kernel");
        assertArrayEquals(new int[] {3, 3, 2, 3}, k.shape());
        for (int i = 0; i < 54; i++) {
            assertEquals(-2f + 0.5f * (i % 9), k.data()[i], "conv_a/kernel[" + i + "]");
        }
        assertArrayEquals(new float[] {0.25f, -0.5f, 1.0f}, w.get("conv_a/bias").data());
        // uint16 little endian: 0.5 + 0.001 * {0, 1000, 65535}, rounded once from double to float like Float32Array
        assertArrayEquals(new float[] {0.5f, 1.5f, (float) (65535 * 0.001 + 0.5)}, w.get("bn_a/gamma").data());
        assertEquals(66.035f, w.get("bn_a/gamma").data()[2]);
        // float16: 1, -2, 0x3555 = 0.333251953125
        assertArrayEquals(new float[] {1f, -2f, 0.333251953125f}, w.get("bn_a/beta").data());
        assertArrayEquals(new float[] {0.1f, 0.2f, -0.3f}, w.get("bn_a/moving_mean").data());
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.75f}, w.get("bn_a/moving_variance").data());
        // group 2 starts at its own shard
        KerasTensor dw = w.get("dw_b/depthwise_kernel");
        assertArrayEquals(new int[] {3, 3, 3, 2}, dw.shape());
        assertEquals(-1f, dw.data()[0]);
        assertEquals((float) (37 * (1.0 / 64) - 1), dw.data()[1]);
        assertEquals((float) ((53 * 37 % 256) * (1.0 / 64) - 1), dw.data()[53]);
        assertEquals(-9 / 8f, w.get("conv_c/kernel").data()[0]);
        KerasTensor dense = w.get("dense_out/kernel");
        for (int i = 0; i < 36; i++) {
            assertEquals((float) ((i * 11 % 151) * 0.01 + -0.75), dense.data()[i], "dense_out/kernel[" + i + "]");
        }
        assertArrayEquals(new float[] {0f, 0.5f, -0.5f, 1.5f}, w.get("dense_out/bias").data());
        assertEquals(54 + 3 + 3 + 3 + 3 + 3 + 54 + 18 + 36 + 4, KerasModels.parameterCount(m));
    }

    @Test
    void readsNsfwjsStyleJsWrappersToTheSameModel() throws IOException {
        TinyTfjs tiny = new TinyTfjs();
        KerasModel plain = TfjsReader.read(tiny.writeFolder(tmp.resolve("plain")));
        Path dir = tiny.writeWrappers(tmp.resolve("wrapped"));
        assertTrue(Files.readString(dir.resolve("model.min.js")).contains("center:!0"));
        assertTrue(Files.readString(dir.resolve("model.min.js")).contains("scale:.5"));
        TfjsReader.Artifacts a = TfjsReader.readArtifacts(dir);
        assertTrue(a.jsWrapped());
        assertEquals(dir.resolve("model.min.js"), a.topologyFile());
        assertEquals(List.of("group1-shard1of2.min.js", "group1-shard2of2.min.js", "group2-shard1of1.min.js"),
                a.shardFiles().stream().map(p -> p.getFileName().toString()).toList());
        KerasModel wrapped = TfjsReader.read(dir, "tiny");
        assertEquals(plain.layers().stream().map(KerasLayer::name).toList(),
                wrapped.layers().stream().map(KerasLayer::name).toList());
        assertEquals(plain.layers().stream().map(l -> l.config().toString()).toList(),
                wrapped.layers().stream().map(l -> l.config().toString()).toList());
        assertEquals(plain.weights().keySet(), wrapped.weights().keySet());
        plain.weights().forEach((name, t) -> assertArrayEquals(t.data(), wrapped.weights().get(name).data(), name));
    }

    @Test
    void readsSequentialModels() throws IOException {
        TinyTfjs tiny = new TinyTfjs();
        ObjectNode topo = TinyTfjs.JSON.createObjectNode();
        ObjectNode mc = topo.putObject("model_config").put("class_name", "Sequential");
        ArrayNode layers = mc.putObject("config").put("name", "seq").putArray("layers");
        layers.addObject().put("class_name", "Conv2D").set("config", TinyTfjs.JSON.createObjectNode()
                .put("name", "conv_a").put("filters", 3).put("padding", "same").put("use_bias", true)
                .set("kernel_size", TinyTfjs.JSON.createArrayNode().add(3).add(3)));
        ((ObjectNode) layers.get(0).get("config")).set("strides", TinyTfjs.JSON.createArrayNode().add(2).add(2));
        ((ObjectNode) layers.get(0).get("config")).set("batch_input_shape",
                TinyTfjs.JSON.createArrayNode().addNull().add(5).add(5).add(2));
        layers.addObject().put("class_name", "Flatten").putObject("config").put("name", "flat");
        ObjectNode json = TinyTfjs.JSON.createObjectNode();
        json.set("modelTopology", topo);
        ObjectNode group = json.putArray("weightsManifest").addObject();
        group.putArray("paths").add("w.bin");
        ArrayNode specs = group.putArray("weights");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        TinyTfjs.uint8(specs, bytes, "conv_a/kernel", new int[] {3, 3, 2, 3}, -2, 0.5, i -> i % 9);
        TinyTfjs.float32(specs, bytes, "conv_a/bias", new int[] {3}, 1f, 2f, 3f);
        Path dir = Files.createDirectories(tmp.resolve("seq"));
        Files.write(dir.resolve("w.bin"), bytes.toByteArray());
        Files.writeString(dir.resolve("model.json"), json.toString());
        KerasModel m = TfjsReader.read(dir);
        assertEquals(List.of("conv_a_input", "conv_a", "flat"), m.layers().stream().map(KerasLayer::name).toList());
        assertEquals("InputLayer", m.layers().get(0).className());
        assertEquals(List.of("conv_a_input"), m.layer("conv_a").inbound());
        assertEquals("flat", m.output());
        assertArrayEquals(new int[] {27}, KerasShapes.outputShape(m, "flat"));
        assertTrue(tiny.modelJson.has("modelTopology"));
    }

    @Test
    void missingShardNamesTheFile() throws IOException {
        Path dir = new TinyTfjs().writeFolder(tmp.resolve("tiny"));
        Files.delete(dir.resolve("group2-shard1of1.bin"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> TfjsReader.read(dir));
        assertTrue(e.getMessage().contains("group2-shard1of1.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("model.json"), e.getMessage());
    }

    @Test
    void truncatedShardNamesTheFileAndTheWeight() throws IOException {
        Path dir = new TinyTfjs().writeFolder(tmp.resolve("tiny"));
        Path shard = dir.resolve("group2-shard1of1.bin");
        byte[] b = Files.readAllBytes(shard);
        Files.write(shard, Arrays.copyOf(b, b.length - 30)); // dense_out/kernel: bytes 126..162 of 178
        IOException e = assertThrows(IOException.class, () -> TfjsReader.read(dir));
        assertTrue(e.getMessage().contains(shard.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("'dense_out/kernel'"), e.getMessage());
    }

    @Test
    void shardWithExtraBytesIsRefused() throws IOException {
        Path dir = new TinyTfjs().writeFolder(tmp.resolve("tiny"));
        Path shard = dir.resolve("group1-shard2of2.bin");
        byte[] b = Files.readAllBytes(shard);
        Files.write(shard, Arrays.copyOf(b, b.length + 3));
        IOException e = assertThrows(IOException.class, () -> TfjsReader.read(dir));
        assertTrue(e.getMessage().contains("group1-shard2of2.bin"), e.getMessage());
    }

    @Test
    void truncatedJsShardWrapperNamesTheFile() throws IOException {
        Path dir = new TinyTfjs().writeWrappers(tmp.resolve("wrapped"));
        Path shard = dir.resolve("group1-shard2of2.min.js");
        String s = Files.readString(shard);
        Files.writeString(shard, s.substring(0, s.length() / 2 + TinyTfjs.PREAMBLE.length() / 2));
        IOException e = assertThrows(IOException.class, () -> TfjsReader.read(dir));
        assertTrue(e.getMessage().startsWith(shard.toString()), e.getMessage());
    }

    @Test
    void unknownLayerTypeNamesTheLayer() throws IOException {
        TinyTfjs tiny = new TinyTfjs();
        for (var l : tiny.modelJson.at("/modelTopology/model_config/config/layers")) {
            if (l.get("name").asText().equals("relu_a")) {
                ((ObjectNode) l).put("class_name", "LeakyReLU");
            }
        }
        Path dir = tiny.writeFolder(tmp.resolve("tiny"));
        IOException e = assertThrows(IOException.class, () -> TfjsReader.read(dir));
        assertTrue(e.getMessage().contains("'relu_a'"), e.getMessage());
        assertTrue(e.getMessage().contains("LeakyReLU"), e.getMessage());
        assertTrue(e.getMessage().contains("model.json"), e.getMessage());
    }

    @Test
    void weightOfTheWrongShapeNamesTheLayer() throws IOException {
        TinyTfjs tiny = new TinyTfjs();
        for (var l : tiny.modelJson.at("/modelTopology/model_config/config/layers")) {
            if (l.get("name").asText().equals("dense_out")) {
                ((ObjectNode) l.get("config")).put("units", 5);
            }
        }
        Path dir = tiny.writeFolder(tmp.resolve("tiny"));
        IOException e = assertThrows(IOException.class, () -> TfjsReader.read(dir));
        assertTrue(e.getMessage().contains("layer 'dense_out'"), e.getMessage());
        assertTrue(e.getMessage().contains("dense_out/kernel"), e.getMessage());
    }

    @Test
    void biasTheConfigDoesNotUseIsRefused() throws IOException {
        TinyTfjs tiny = new TinyTfjs();
        for (var l : tiny.modelJson.at("/modelTopology/model_config/config/layers")) {
            if (l.get("name").asText().equals("conv_a")) {
                ((ObjectNode) l.get("config")).put("use_bias", false);
            }
        }
        Path dir = tiny.writeFolder(tmp.resolve("tiny"));
        IOException e = assertThrows(IOException.class, () -> TfjsReader.read(dir));
        assertTrue(e.getMessage().contains("layer 'conv_a'") && e.getMessage().contains("bias"), e.getMessage());
    }

    @Test
    void unknownInboundLayerAndCyclesAreNamed() throws IOException {
        TinyTfjs tiny = new TinyTfjs();
        for (var l : tiny.modelJson.at("/modelTopology/model_config/config/layers")) {
            if (l.get("name").asText().equals("gap")) {
                ((ArrayNode) l.at("/inbound_nodes/0/0")).set(0, "nowhere");
            }
        }
        Path dir = tiny.writeFolder(tmp.resolve("a"));
        IOException e = assertThrows(IOException.class, () -> TfjsReader.read(dir));
        assertTrue(e.getMessage().contains("'gap'") && e.getMessage().contains("'nowhere'"), e.getMessage());

        TinyTfjs cyclic = new TinyTfjs();
        for (var l : cyclic.modelJson.at("/modelTopology/model_config/config/layers")) {
            if (l.get("name").asText().equals("conv_a")) {
                ((ArrayNode) l.at("/inbound_nodes/0/0")).set(0, "relu_a");
            }
        }
        Path dir2 = cyclic.writeFolder(tmp.resolve("b"));
        IOException e2 = assertThrows(IOException.class, () -> TfjsReader.read(dir2));
        assertTrue(e2.getMessage().contains("cycle") && e2.getMessage().contains("conv_a"), e2.getMessage());
    }

    @Test
    void graphModelsAndMissingTopologyAreRefusedClearly() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("graph"));
        Files.writeString(dir.resolve("model.json"), "{\"format\":\"graph-model\",\"modelTopology\":{\"node\":[]}}");
        IOException e = assertThrows(IOException.class, () -> TfjsReader.read(dir));
        assertTrue(e.getMessage().contains("graph model"), e.getMessage());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        NoSuchFileException e2 = assertThrows(NoSuchFileException.class, () -> TfjsReader.read(empty));
        assertTrue(e2.getMessage().contains("model.json"), e2.getMessage());
    }

    @Test
    void halfFloatConversion() {
        assertEquals(0f, TfjsReader.halfToFloat(0));
        assertEquals(-0f, TfjsReader.halfToFloat(0x8000));
        assertEquals(65504f, TfjsReader.halfToFloat(0x7BFF));
        assertEquals(0x1p-24f, TfjsReader.halfToFloat(1));
        assertEquals(0x1p-14f, TfjsReader.halfToFloat(0x0400));
        assertEquals(Float.NEGATIVE_INFINITY, TfjsReader.halfToFloat(0xFC00));
        assertTrue(Float.isNaN(TfjsReader.halfToFloat(0x7E00)));
        assertEquals(-1.5f, TfjsReader.halfToFloat(0xBE00));
    }
}
