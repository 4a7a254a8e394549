package clipbench.keras;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A tiny synthetic TF.js layers model (functional, 10 layers saved out of order, weights in uint8, uint16, float16 and
 * float32, two weight groups, a weight split across two shards), written as a standard TF.js folder or as nsfwjs-style
 * {@code .min.js} wrappers.
 *
 * <pre>
 * input_1 [5,5,2] -> conv_a (3x3/2 same, bias) -> bn_a -> relu_a (max 6) -+-> dw_b (3x3 same, x2, no bias) -+-> add_d
 *                                                                        +-> conv_c (1x1, no bias) -------+
 * concat_e = [add_d, relu_a] -> gap (GlobalAveragePooling2D) -> dense_out (4, softmax)
 * </pre>
 */
final class TinyTfjs {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> TOPOLOGICAL = List.of("input_1", "conv_a", "bn_a", "relu_a", "conv_c", "dw_b", "add_d",
            "concat_e", "gap", "dense_out");

    /** Group 1 (two shards, the split inside conv_a/kernel) and group 2 (one shard). */
    final ByteArrayOutputStream group1 = new ByteArrayOutputStream();
    final ByteArrayOutputStream group2 = new ByteArrayOutputStream();
    final ArrayNode weights1 = JSON.createArrayNode();
    final ArrayNode weights2 = JSON.createArrayNode();
    final ObjectNode modelJson = JSON.createObjectNode();

    TinyTfjs() {
        ObjectNode config = modelJson.putObject("modelTopology").put("keras_version", "2.2.4")
                .put("backend", "tensorflow").putObject("model_config").put("class_name", "Model")
                .putObject("config").put("name", "tiny");
        ArrayNode layers = config.putArray("layers");
        layer(layers, "dense_out", "Dense", "{\"units\":4,\"activation\":\"softmax\",\"use_bias\":true}", "gap");
        layer(layers, "concat_e", "Concatenate", "{\"axis\":-1}", "add_d", "relu_a");
        layer(layers, "input_1", "InputLayer", "{\"batch_input_shape\":[null,5,5,2],\"dtype\":\"float32\"}");
        layer(layers, "add_d", "Add", "{}", "dw_b", "conv_c");
        layer(layers, "conv_c", "Conv2D", "{\"filters\":6,\"kernel_size\":[1,1],\"strides\":[1,1],"
                + "\"padding\":\"valid\",\"activation\":\"linear\",\"use_bias\":false}", "relu_a");
        layer(layers, "relu_a", "ReLU", "{\"max_value\":6,\"negative_slope\":0,\"threshold\":0}", "bn_a");
        layer(layers, "bn_a", "BatchNormalization", "{\"axis\":-1,\"epsilon\":0.001,\"center\":true,\"scale\":true}",
                "conv_a");
        layer(layers, "conv_a", "Conv2D", "{\"filters\":3,\"kernel_size\":[3,3],\"strides\":[2,2],"
                + "\"padding\":\"same\",\"activation\":\"linear\",\"use_bias\":true}", "input_1");
        layer(layers, "dw_b", "DepthwiseConv2D", "{\"kernel_size\":[3,3],\"strides\":[1,1],\"padding\":\"same\","
                + "\"depth_multiplier\":2,\"activation\":\"linear\",\"use_bias\":false}", "relu_a");
        layer(layers, "gap", "GlobalAveragePooling2D", "{}", "concat_e");
        config.putArray("input_layers").addArray().add("input_1").add(0).add(0);
        config.putArray("output_layers").addArray().add("dense_out").add(0).add(0);

        // group 1
        uint8(weights1, group1, "conv_a/kernel", new int[] {3, 3, 2, 3}, -2, 0.5, i -> i % 9);
        float32(weights1, group1, "conv_a/bias", new int[] {3}, 0.25f, -0.5f, 1.0f);
        uint16(weights1, group1, "bn_a/gamma", new int[] {3}, 0.5, 0.001, 0, 1000, 65535);
        float16(weights1, group1, "bn_a/beta", new int[] {3}, 0x3C00, 0xC000, 0x3555);
        float32(weights1, group1, "bn_a/moving_mean", new int[] {3}, 0.1f, 0.2f, -0.3f);
        uint8(weights1, group1, "bn_a/moving_variance", new int[] {3}, 0, 0.25, i -> i + 1);
        // group 2
        uint8(weights2, group2, "dw_b/depthwise_kernel", new int[] {3, 3, 3, 2}, -1, 1.0 / 64, i -> (i * 37) % 256);
        float32(weights2, group2, "conv_c/kernel", new int[] {1, 1, 3, 6}, floats(18, i -> (i - 9) / 8f));
        uint8(weights2, group2, "dense_out/kernel", new int[] {9, 4}, -0.75, 0.01, i -> (i * 11) % 151);
        float32(weights2, group2, "dense_out/bias", new int[] {4}, 0f, 0.5f, -0.5f, 1.5f);

        ArrayNode manifest = modelJson.putArray("weightsManifest");
        ObjectNode g1 = manifest.addObject();
        g1.putArray("paths").add("group1-shard1of2.bin").add("group1-shard2of2.bin");
        g1.set("weights", weights1);
        ObjectNode g2 = manifest.addObject();
        g2.putArray("paths").add("group2-shard1of1.bin");
        g2.set("weights", weights2);
    }

    /** Split point of group 1: inside conv_a/kernel (54 bytes). */
    static final int SPLIT = 20;

    /** Writes model.json + binary shards. */
    Path writeFolder(Path dir) throws IOException {
        Files.createDirectories(dir);
        byte[] g1 = group1.toByteArray();
        Files.write(dir.resolve("group1-shard1of2.bin"), Arrays.copyOfRange(g1, 0, SPLIT));
        Files.write(dir.resolve("group1-shard2of2.bin"), Arrays.copyOfRange(g1, SPLIT, g1.length));
        Files.write(dir.resolve("group2-shard1of1.bin"), group2.toByteArray());
        Files.writeString(dir.resolve("model.json"), JSON.writeValueAsString(modelJson));
        return dir;
    }

    /** Writes nsfwjs-style wrappers: model.min.js and the shards as base64 in group1-shard1of2.min.js etc. */
    Path writeWrappers(Path dir) throws IOException {
        Files.createDirectories(dir);
        byte[] g1 = group1.toByteArray();
        Files.writeString(dir.resolve("group1-shard1of2.min.js"), shardWrapper(Arrays.copyOfRange(g1, 0, SPLIT)));
        Files.writeString(dir.resolve("group1-shard2of2.min.js"),
                shardWrapper(Arrays.copyOfRange(g1, SPLIT, g1.length)));
        Files.writeString(dir.resolve("group2-shard1of1.min.js"), shardWrapper(group2.toByteArray()));
        // nsfwjs names shards without an extension; the wrappers add .min.js
        ObjectNode json = modelJson.deepCopy();
        for (var group : json.get("weightsManifest")) {
            ArrayNode paths = (ArrayNode) group.get("paths");
            for (int i = 0; i < paths.size(); i++) {
                paths.set(i, paths.get(i).asText().replace(".bin", ""));
            }
        }
        Files.writeString(dir.resolve("model.min.js"), modelWrapper(jsLiteral(JSON.writeValueAsString(json))));
        return dir;
    }

    /** Browserify's UMD preamble, as nsfwjs's bundles start (minified). */
    static final String PREAMBLE = "!function(e){if(\"object\"==typeof exports&&\"undefined\"!=typeof module)"
            + "module.exports=e();else if(\"function\"==typeof define&&define.amd)define([],e);else{(\"undefined\"!="
            + "typeof window?window:\"undefined\"!=typeof global?global:\"undefined\"!=typeof self?self:this).model=e()}}"
            + "(function(){return function e(a,n,i){function l(_,o){if(!n[_]){if(!a[_]){var s=\"function\"==typeof "
            + "require&&require;if(!o&&s)return s(_,!0);if(t)return t(_,!0);var c=new Error(\"Cannot find module '\"+_+"
            + "\"'\");throw c.code=\"MODULE_NOT_FOUND\",c}var r=n[_]={exports:{}};a[_][0].call(r.exports,function(e){"
            + "return l(a[_][1][e]||e)},r,r.exports,e,a,n,i)}return n[_].exports}for(var t=\"function\"==typeof "
            + "require&&require,_=0;_<i.length;_++)l(i[_]);return l}({1:[function(e,a,n){a.exports=";
    static final String POSTAMBLE = "},{}]},{},[1])(1)});\n";

    static String modelWrapper(String literal) {
        return PREAMBLE + literal + POSTAMBLE;
    }

    static String shardWrapper(byte[] data) {
        return PREAMBLE + "\"" + Base64.getEncoder().encodeToString(data) + "\"" + POSTAMBLE;
    }

    /** JSON to a minifier-style JavaScript literal: unquoted keys, !0/!1, .5 and -.5. */
    static String jsLiteral(String json) {
        return json.replaceAll("\"([A-Za-z_$][A-Za-z0-9_$]*)\":", "$1:")
                .replace(":true", ":!0").replace(":false", ":!1")
                .replaceAll("([:,\\[])0\\.", "$1.").replaceAll("([:,\\[])-0\\.", "$1-.");
    }

    private static void layer(ArrayNode layers, String name, String cls, String config, String... inbound) {
        ObjectNode l = layers.addObject();
        l.put("name", name);
        l.put("class_name", cls);
        try {
            ObjectNode c = (ObjectNode) JSON.readTree(config);
            c.put("name", name);
            l.set("config", c);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        ArrayNode nodes = l.putArray("inbound_nodes");
        if (inbound.length > 0) {
            ArrayNode node = nodes.addArray();
            for (String in : inbound) {
                node.addArray().add(in).add(0).add(0).addObject();
            }
        }
    }

    interface IntFn {
        int at(int i);
    }

    interface FloatFn {
        float at(int i);
    }

    static float[] floats(int n, FloatFn f) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = f.at(i);
        }
        return v;
    }

    static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static ObjectNode spec(ArrayNode specs, String name, int[] shape) {
        ObjectNode s = specs.addObject();
        s.put("name", name);
        ArrayNode sh = s.putArray("shape");
        for (int d : shape) {
            sh.add(d);
        }
        s.put("dtype", "float32");
        return s;
    }

    static void uint8(ArrayNode specs, ByteArrayOutputStream out, String name, int[] shape, double min, double scale,
                      IntFn q) {
        spec(specs, name, shape).putObject("quantization").put("min", min).put("scale", scale).put("dtype", "uint8");
        for (int i = 0; i < size(shape); i++) {
            out.write(q.at(i));
        }
    }

    static void uint16(ArrayNode specs, ByteArrayOutputStream out, String name, int[] shape, double min, double scale,
                       int... q) {
        spec(specs, name, shape).putObject("quantization").put("min", min).put("scale", scale).put("dtype", "uint16");
        ByteBuffer b = ByteBuffer.allocate(2 * q.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : q) {
            b.putShort((short) v);
        }
        out.writeBytes(b.array());
    }

    static void float16(ArrayNode specs, ByteArrayOutputStream out, String name, int[] shape, int... halfBits) {
        spec(specs, name, shape).putObject("quantization").put("dtype", "float16");
        ByteBuffer b = ByteBuffer.allocate(2 * halfBits.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : halfBits) {
            b.putShort((short) v);
        }
        out.writeBytes(b.array());
    }

    static void float32(ArrayNode specs, ByteArrayOutputStream out, String name, int[] shape, float... v) {
        spec(specs, name, shape);
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        out.writeBytes(b.array());
    }

    static String text(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
