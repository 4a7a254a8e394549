package clipbench.backend.djl;

import clipbench.keras.KerasLayer;
import clipbench.keras.KerasModel;
import clipbench.keras.KerasTensor;
import clipbench.keras.ModelCardWriter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Builds tiny {@link KerasModel}s by hand, with seeded random weights, for the interpreter's tests. */
final class KerasTestModels {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final int[] input;
    private final List<KerasLayer> layers = new ArrayList<>();
    private final Map<String, KerasTensor> weights = new LinkedHashMap<>();
    private final Random random;

    KerasTestModels(String name, int height, int width, int channels, long seed) {
        this.name = name;
        this.input = new int[] {height, width, channels};
        this.random = new Random(seed);
        layers.add(new KerasLayer("input_1", "InputLayer", config("{\"batch_input_shape\": [null, " + height + ", "
                + width + ", " + channels + "]}", "input_1"), List.of()));
    }

    static String input() {
        return "input_1";
    }

    /** Parses a config (single quotes allowed for readability) and adds {@code name}. */
    static JsonNode config(String json, String layerName) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(json.replace('\'', '"'));
            node.put("name", layerName);
            return node;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    /** Adds a layer named {@code layerName}; returns the name. */
    String layer(String layerName, String className, String json, String... inbound) {
        layers.add(new KerasLayer(layerName, className, config(json, layerName), List.of(inbound)));
        return layerName;
    }

    /** Adds a weight {@code layer/suffix} with values uniform in [lo, hi). */
    void weight(String layerName, String suffix, float lo, float hi, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = lo + (hi - lo) * random.nextFloat();
        }
        weights.put(layerName + "/" + suffix, new KerasTensor(layerName + "/" + suffix, shape, data));
    }

    String conv(String layerName, String in, int kernel, int inChannels, int filters, String json) {
        layer(layerName, "Conv2D", json, in);
        weight(layerName, "kernel", -0.5f, 0.5f, kernel, kernel, inChannels, filters);
        if (!json.contains("'use_bias': false")) {
            weight(layerName, "bias", -0.5f, 0.5f, filters);
        }
        return layerName;
    }

    String depthwise(String layerName, String in, int kernel, int channels, int multiplier, String json) {
        layer(layerName, "DepthwiseConv2D", json, in);
        weight(layerName, "depthwise_kernel", -0.5f, 0.5f, kernel, kernel, channels, multiplier);
        if (!json.contains("'use_bias': false")) {
            weight(layerName, "bias", -0.5f, 0.5f, channels * multiplier);
        }
        return layerName;
    }

    String batchNorm(String layerName, String in, int channels, boolean center, boolean scale) {
        layer(layerName, "BatchNormalization", "{'axis': -1, 'epsilon': 0.001, 'center': " + center + ", 'scale': "
                + scale + "}", in);
        if (scale) {
            weight(layerName, "gamma", 0.5f, 1.5f, channels);
        }
        if (center) {
            weight(layerName, "beta", -0.5f, 0.5f, channels);
        }
        weight(layerName, "moving_mean", -0.5f, 0.5f, channels);
        weight(layerName, "moving_variance", 0.2f, 2f, channels);
        return layerName;
    }

    String dense(String layerName, String in, int inputs, int units, String activation) {
        layer(layerName, "Dense", "{'units': " + units + ", 'activation': '" + activation + "', 'use_bias': true}",
                in);
        weight(layerName, "kernel", -0.3f, 0.3f, inputs, units);
        weight(layerName, "bias", -0.3f, 0.3f, units);
        return layerName;
    }

    KerasModel model(String output) {
        return new KerasModel(name, input, layers, output, weights);
    }

    /**
     * Saves {@code model} as a TF.js layers model ({@code model.json} with float32 weights in {@code weights.bin})
     * plus a keras {@code model-card.json} ({@code feature_layer} omitted when null) in {@code dir}.
     */
    static Path save(KerasModel model, Path dir, String featureLayer, int embedDim) throws IOException {
        Files.createDirectories(dir);
        ObjectNode json = JSON.createObjectNode();
        json.put("format", "layers-model");
        ObjectNode config = json.putObject("modelTopology").putObject("model_config").put("class_name", "Model")
                .putObject("config");
        config.put("name", model.name());
        ArrayNode layers = config.putArray("layers");
        for (KerasLayer l : model.layers()) {
            ObjectNode layer = layers.addObject().put("name", l.name()).put("class_name", l.className());
            layer.set("config", l.config());
            ArrayNode nodes = layer.putArray("inbound_nodes");
            if (!l.inbound().isEmpty()) {
                ArrayNode node = nodes.addArray();
                for (String from : l.inbound()) {
                    node.addArray().add(from).add(0).add(0).addObject();
                }
            }
        }
        config.putArray("input_layers").addArray().add(model.layers().get(0).name()).add(0).add(0);
        config.putArray("output_layers").addArray().add(model.output()).add(0).add(0);
        ObjectNode group = json.putArray("weightsManifest").addObject();
        group.putArray("paths").add("weights.bin");
        ArrayNode specs = group.putArray("weights");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (KerasTensor t : model.weights().values()) {
            ObjectNode spec = specs.addObject().put("name", t.name()).put("dtype", "float32");
            ArrayNode shape = spec.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            ByteBuffer buf = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : t.data()) {
                buf.putFloat(v);
            }
            bytes.write(buf.array());
        }
        JSON.writeValue(dir.resolve("model.json").toFile(), json);
        Files.write(dir.resolve("weights.bin"), bytes.toByteArray());
        ModelCardWriter.write(dir, ModelCardWriter.kerasCard(model.name(), model.inputShape()[0], embedDim,
                featureLayer, "model.json", "weights.bin", "KerasTestModels"));
        return dir;
    }

    /** {@code count} random NHWC images, values in [-1, 1). */
    float[] images(int count) {
        float[] data = new float[count * input[0] * input[1] * input[2]];
        for (int i = 0; i < data.length; i++) {
            data[i] = 2 * random.nextFloat() - 1;
        }
        return data;
    }

    /** NHWC to NCHW. */
    static float[] nchw(float[] nhwc, int count, int h, int w, int c) {
        float[] out = new float[nhwc.length];
        for (int n = 0; n < count; n++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int k = 0; k < c; k++) {
                        out[((n * c + k) * h + y) * w + x] = nhwc[((n * h + y) * w + x) * c + k];
                    }
                }
            }
        }
        return out;
    }
}
