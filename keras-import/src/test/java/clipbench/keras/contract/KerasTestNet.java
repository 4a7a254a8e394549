package clipbench.keras.contract;

import clipbench.keras.KerasLayer;
import clipbench.keras.KerasModel;
import clipbench.keras.KerasTensor;
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

/**
 * Builds a small {@link KerasModel} by hand with seeded random weights: layers with JSON configs (single quotes
 * allowed), weights named {@code layer/kernel} etc. as TF.js stores them.
 */
public final class KerasTestNet {
    static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final int[] input;
    private final Random rnd;
    private final List<KerasLayer> layers = new ArrayList<>();
    private final Map<String, KerasTensor> weights = new LinkedHashMap<>();

    public KerasTestNet(String name, int h, int w, int c, long seed) {
        this.name = name;
        this.input = new int[] {h, w, c};
        this.rnd = new Random(seed);
        layer("InputLayer", "input", "{\"batch_input_shape\":[null," + h + "," + w + "," + c + "]}");
    }

    /** Adds a layer; {@code cfg} is JSON, single quotes allowed for brevity. */
    public String layer(String cls, String lname, String cfg, String... inbound) {
        ObjectNode node;
        try {
            node = (ObjectNode) JSON.readTree(cfg.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(cfg, e);
        }
        node.put("name", lname);
        layers.add(new KerasLayer(lname, cls, node, List.of(inbound)));
        return lname;
    }

    public void weight(String wname, float lo, float hi, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * rnd.nextFloat();
        }
        weights.put(wname, new KerasTensor(wname, shape, v));
    }

    /** Conv2D with {@code cin} input channels; kernel and bias from the config's filters, kernel_size, use_bias. */
    public String conv(String lname, String in, int cin, String cfg) {
        layer("Conv2D", lname, cfg, in);
        JsonNode c = last().config();
        int[] k = KerasReference.pair(c, "kernel_size", null);
        int f = c.get("filters").asInt();
        weight(lname + "/kernel", -0.5f, 0.5f, k[0], k[1], cin / c.path("groups").asInt(1), f);
        if (c.path("use_bias").asBoolean(true)) {
            weight(lname + "/bias", -0.5f, 0.5f, f);
        }
        return lname;
    }

    public String depthwise(String lname, String in, int cin, String cfg) {
        layer("DepthwiseConv2D", lname, cfg, in);
        JsonNode c = last().config();
        int[] k = KerasReference.pair(c, "kernel_size", null);
        int m = c.path("depth_multiplier").asInt(1);
        weight(lname + "/depthwise_kernel", -0.5f, 0.5f, k[0], k[1], cin, m);
        if (c.path("use_bias").asBoolean(true)) {
            weight(lname + "/bias", -0.5f, 0.5f, cin * m);
        }
        return lname;
    }

    public String bn(String lname, String in, int ch, String cfg) {
        layer("BatchNormalization", lname, cfg, in);
        JsonNode c = last().config();
        if (c.path("scale").asBoolean(true)) {
            weight(lname + "/gamma", 0.5f, 1.5f, ch);
        }
        if (c.path("center").asBoolean(true)) {
            weight(lname + "/beta", -0.5f, 0.5f, ch);
        }
        weight(lname + "/moving_mean", -0.5f, 0.5f, ch);
        weight(lname + "/moving_variance", 0.5f, 1.5f, ch);
        return lname;
    }

    public String dense(String lname, String in, int din, String cfg) {
        layer("Dense", lname, cfg, in);
        JsonNode c = last().config();
        int u = c.get("units").asInt();
        weight(lname + "/kernel", -0.5f, 0.5f, din, u);
        if (c.path("use_bias").asBoolean(true)) {
            weight(lname + "/bias", -0.5f, 0.5f, u);
        }
        return lname;
    }

    private KerasLayer last() {
        return layers.get(layers.size() - 1);
    }

    public KerasModel build(String output) {
        return new KerasModel(name, input, layers, output, weights);
    }

    public KerasModel build() {
        return build(last().name());
    }

    /**
     * Saves {@code model} as a TF.js layers model: {@code model.json} (topology, one float32 weight group) and
     * {@code weights.bin}, in {@code dir}. Returns {@code dir}.
     */
    public static Path saveTfjs(KerasModel model, Path dir) throws IOException {
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
            buf.asFloatBuffer().put(t.data());
            bytes.write(buf.array());
        }
        JSON.writeValue(dir.resolve("model.json").toFile(), json);
        Files.write(dir.resolve("weights.bin"), bytes.toByteArray());
        return dir;
    }
}
