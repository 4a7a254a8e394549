package clipbench.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Reads a TensorFlow.js "layers" model into a {@link KerasModel}: a standard TF.js folder ({@code model.json} plus
 * the binary shards its {@code weightsManifest} names) or nsfwjs's JavaScript wrappers ({@code model.min.js} plus
 * {@code group1-shardNofM.min.js}, see {@link JsWrappers}).
 *
 * <p>The topology is {@code modelTopology.model_config} (Keras H5 converter) or {@code modelTopology} itself
 * (TF.js {@code model.save}); functional models ({@code Model}/{@code Functional}: layers with
 * {@code inbound_nodes}, {@code input_layers}, {@code output_layers}) and {@code Sequential} models are read; layers
 * are sorted topologically (stable: the saved order where possible). Weights are decoded exactly as TF.js does:
 * float32 little endian, or quantised {@code uint8}/{@code uint16} as {@code (float) (q * scale + min)} computed in
 * double, or {@code float16}; they keep the manifest's names ({@code layer/kernel}, ...).
 *
 * <p>Every error is an {@link IOException} whose message starts with the file concerned.
 */
public final class TfjsReader {
    /** Topology file names looked for in a folder, in order. */
    public static final List<String> TOPOLOGY_FILES = List.of("model.json", "model.min.js");

    private static final ObjectMapper JSON = new ObjectMapper();

    private TfjsReader() {
    }

    /**
     * One entry of the weights manifest, with where its bytes lie in the concatenation of all shards.
     *
     * @param quantization {@code uint8}, {@code uint16}, {@code float16} or null (stored as {@code dtype})
     * @param min          dequantisation offset (uint8/uint16)
     * @param scale        dequantisation step (uint8/uint16)
     * @param offset       byte offset in {@link Artifacts#weightData()}
     * @param byteLength   bytes it occupies there
     * @param spec         the manifest entry as saved
     */
    public record WeightSpec(String name, int[] shape, String dtype, String quantization, double min, double scale,
                             long offset, long byteLength, JsonNode spec) {
        public WeightSpec {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        public long size() {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /**
     * A TF.js model as saved: its parsed {@code model.json}, where it came from and the raw (still quantised) bytes.
     *
     * @param topologyFile the {@code model.json} / {@code model.min.js} read
     * @param jsWrapped    whether the files were nsfwjs JavaScript wrappers
     * @param modelJson    the whole model.json object ({@code modelTopology}, {@code weightsManifest}, ...)
     * @param weights      the manifest's entries in order (all groups)
     * @param shardFiles   the shard files read, in order
     * @param weightData   all shards concatenated, exactly as stored
     */
    public record Artifacts(Path topologyFile, boolean jsWrapped, JsonNode modelJson, List<WeightSpec> weights,
                            List<Path> shardFiles, byte[] weightData) {
        public Artifacts {
            weights = List.copyOf(weights);
            shardFiles = List.copyOf(shardFiles);
        }

        public JsonNode modelTopology() {
            return modelJson.get("modelTopology");
        }

        /** The quantisation types in use, e.g. {@code [uint8]} ({@code float32} for unquantised weights). */
        public List<String> storageTypes() {
            return weights.stream().map(w -> w.quantization() == null ? w.dtype() : w.quantization()).distinct()
                    .sorted().toList();
        }
    }

    /** The parsed topology. */
    public record Topology(String configName, int[] inputShape, List<KerasLayer> layers, String output) {
        public Topology {
            inputShape = inputShape.clone();
            layers = List.copyOf(layers);
        }

        @Override
        public int[] inputShape() {
            return inputShape.clone();
        }
    }

    /** Reads the model in a folder (or from its topology file), named after the folder. */
    public static KerasModel read(Path dirOrTopologyFile) throws IOException {
        Path topology = topologyFile(dirOrTopologyFile);
        Path parent = topology.toAbsolutePath().getParent();
        return read(topology, parent.getFileName() == null ? "model" : parent.getFileName().toString());
    }

    /** Reads the model in a folder (or from its topology file) under the given name. */
    public static KerasModel read(Path dirOrTopologyFile, String name) throws IOException {
        return toModel(readArtifacts(dirOrTopologyFile), name);
    }

    /**
     * The topology file: the argument itself if it is a file, else {@code model.json} or {@code model.min.js} in the
     * folder.
     */
    public static Path topologyFile(Path dirOrTopologyFile) throws IOException {
        if (Files.isRegularFile(dirOrTopologyFile)) {
            return dirOrTopologyFile;
        }
        if (!Files.isDirectory(dirOrTopologyFile)) {
            throw new NoSuchFileException(dirOrTopologyFile.toString(), null, "no TF.js model folder or file here");
        }
        for (String name : TOPOLOGY_FILES) {
            Path p = dirOrTopologyFile.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new NoSuchFileException(dirOrTopologyFile.toString(), null,
                "no TF.js model topology in this folder (looked for " + TOPOLOGY_FILES + ")");
    }

    /** Whether a file is a JavaScript wrapper ({@code .js}) rather than JSON / raw bytes. */
    public static boolean isJsWrapper(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".js") || n.endsWith(".mjs") || n.endsWith(".cjs");
    }

    /** The model.json object of a topology file: plain JSON, or the object literal of a JavaScript wrapper. */
    public static JsonNode readModelJson(Path topologyFile) throws IOException {
        JsonNode json;
        if (isJsWrapper(topologyFile)) {
            json = JsWrappers.readModelJson(topologyFile);
        } else {
            try {
                json = JSON.readTree(topologyFile.toFile());
            } catch (IOException e) {
                throw new IOException(topologyFile + ": not valid JSON: " + e.getMessage(), e);
            }
        }
        if (json == null || !json.isObject() || !json.path("modelTopology").isObject()) {
            throw new IOException(topologyFile + ": no 'modelTopology' object (not a TF.js layers model.json)");
        }
        if ("graph-model".equals(json.path("format").asText())) {
            throw new IOException(topologyFile + ": a TF.js graph model (format 'graph-model'); only layers models "
                    + "(Keras topologies) can be imported");
        }
        return json;
    }

    /**
     * The shard files a model.json names, resolved in its folder: the path itself, else (for nsfwjs) the path with
     * {@code .min.js} or {@code .js} appended. Fails naming every missing file.
     */
    public static List<Path> shardFiles(Path topologyFile, JsonNode modelJson) throws IOException {
        List<Path> files = new ArrayList<>();
        Path dir = topologyFile.toAbsolutePath().getParent();
        for (JsonNode group : manifest(topologyFile, modelJson)) {
            for (JsonNode p : group.path("paths")) {
                files.add(resolveShard(topologyFile, dir, p.asText()));
            }
        }
        return files;
    }

    private static Path resolveShard(Path topologyFile, Path dir, String path) throws IOException {
        List<String> tried = new ArrayList<>();
        for (String candidate : path.endsWith(".js") ? List.of(path) : List.of(path, path + ".min.js", path + ".js")) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
            tried.add(p.toString());
        }
        throw new NoSuchFileException(tried.get(0), null, "weight shard '" + path + "' named in " + topologyFile
                + " is missing (looked for " + tried + ")");
    }

    private static JsonNode manifest(Path topologyFile, JsonNode modelJson) throws IOException {
        JsonNode m = modelJson.get("weightsManifest");
        if (m == null || m.isNull()) {
            return JsonNodeFactory.instance.arrayNode();
        }
        if (!m.isArray()) {
            throw new IOException(topologyFile + ": 'weightsManifest' must be a list of weight groups");
        }
        for (JsonNode group : m) {
            if (!group.path("paths").isArray() || !group.path("weights").isArray()) {
                throw new IOException(topologyFile + ": every weightsManifest group needs 'paths' and 'weights' lists");
            }
        }
        return m;
    }

    /** Reads the topology file, the manifest and every shard, checking that the shards hold exactly the weights. */
    public static Artifacts readArtifacts(Path dirOrTopologyFile) throws IOException {
        Path topology = topologyFile(dirOrTopologyFile);
        JsonNode json = readModelJson(topology);
        List<WeightSpec> specs = new ArrayList<>();
        List<Path> allShards = new ArrayList<>();
        List<byte[]> blobs = new ArrayList<>();
        Path dir = topology.toAbsolutePath().getParent();
        long offset = 0;
        for (JsonNode group : manifest(topology, json)) {
            List<Path> shards = new ArrayList<>();
            List<Long> shardEnds = new ArrayList<>();
            long groupStart = offset;
            long have = 0;
            for (JsonNode p : group.path("paths")) {
                Path file = resolveShard(topology, dir, p.asText());
                byte[] bytes = isJsWrapper(file) ? JsWrappers.readShard(file) : Files.readAllBytes(file);
                shards.add(file);
                blobs.add(bytes);
                have += bytes.length;
                shardEnds.add(have);
            }
            long need = 0;
            for (JsonNode w : group.path("weights")) {
                WeightSpec spec = spec(topology, w, groupStart + need);
                if (need + spec.byteLength() > have) {
                    int shard = 0;
                    while (shard < shardEnds.size() - 1 && shardEnds.get(shard) <= need) {
                        shard++;
                    }
                    String where = shards.isEmpty() ? "the group has no shard files"
                            : "the shards " + names(shards) + " hold only " + have + " bytes; "
                            + shards.get(shard) + " looks truncated";
                    throw new IOException(topology + ": weight '" + spec.name() + "' needs bytes " + need + ".."
                            + (need + spec.byteLength()) + " of its weight group but " + where);
                }
                need += spec.byteLength();
                specs.add(spec);
            }
            if (have != need) {
                throw new IOException(topology + ": the weights manifest describes " + need + " bytes but the shards "
                        + names(shards) + " hold " + have + " (" + shards.get(shards.size() - 1)
                        + " has extra data; wrong shard files?)");
            }
            allShards.addAll(shards);
            offset += have;
        }
        byte[] data = new byte[Math.toIntExact(offset)];
        int at = 0;
        for (byte[] b : blobs) {
            System.arraycopy(b, 0, data, at, b.length);
            at += b.length;
        }
        Map<String, Integer> seen = new HashMap<>();
        for (WeightSpec s : specs) {
            if (seen.merge(s.name(), 1, Integer::sum) > 1) {
                throw new IOException(topology + ": weight '" + s.name() + "' appears twice in the weights manifest");
            }
        }
        return new Artifacts(topology, isJsWrapper(topology), json, specs, allShards, data);
    }

    private static String names(List<Path> files) {
        return files.stream().map(p -> p.getFileName().toString()).toList().toString();
    }

    private static WeightSpec spec(Path topology, JsonNode w, long offset) throws IOException {
        String name = w.path("name").asText(null);
        if (name == null || name.isEmpty()) {
            throw new IOException(topology + ": a weights manifest entry has no name: " + w);
        }
        JsonNode shapeNode = w.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new IOException(topology + ": weight '" + name + "' has no shape");
        }
        int[] shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!shapeNode.get(i).isIntegralNumber() || shapeNode.get(i).asInt() < 0) {
                throw new IOException(topology + ": weight '" + name + "' has an invalid shape " + shapeNode);
            }
            shape[i] = shapeNode.get(i).asInt();
        }
        String dtype = w.path("dtype").asText("float32");
        JsonNode q = w.get("quantization");
        String quant = null;
        double min = 0;
        double scale = 1;
        if (q != null && !q.isNull()) {
            quant = q.path("dtype").asText("");
            switch (quant) {
                case "uint8", "uint16" -> {
                    if (!q.path("min").isNumber() || !q.path("scale").isNumber()) {
                        throw new IOException(topology + ": weight '" + name + "' is quantised to " + quant
                                + " without numeric 'min' and 'scale'");
                    }
                    min = q.get("min").asDouble();
                    scale = q.get("scale").asDouble();
                }
                case "float16" -> {
                    if (!dtype.equals("float32")) {
                        throw new IOException(topology + ": weight '" + name + "' is float16-quantised but has dtype "
                                + dtype);
                    }
                }
                default -> throw new IOException(topology + ": weight '" + name + "' has unknown quantization dtype '"
                        + quant + "' (TF.js knows uint8, uint16, float16)");
            }
            if (!dtype.equals("float32") && !dtype.equals("int32")) {
                throw new IOException(topology + ": weight '" + name + "' has dtype " + dtype
                        + "; only float32 and int32 weights can be dequantised");
            }
        } else if (!dtype.equals("float32") && !dtype.equals("int32")) {
            throw new IOException(topology + ": weight '" + name + "' has dtype " + dtype
                    + "; only float32 (and int32) weights are supported");
        }
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        int bytesPer = quant == null ? 4 : quant.equals("uint8") ? 1 : 2;
        return new WeightSpec(name, shape, dtype, quant, min, scale, offset, n * bytesPer, w);
    }

    /** Dequantises every weight as TF.js does ({@code (float) (q * scale + min)} in double for uint8/uint16). */
    public static Map<String, KerasTensor> decodeWeights(List<WeightSpec> specs, byte[] data) {
        Map<String, KerasTensor> out = new LinkedHashMap<>();
        ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (WeightSpec s : specs) {
            int n = Math.toIntExact(s.size());
            float[] v = new float[n];
            int at = Math.toIntExact(s.offset());
            boolean intType = s.dtype().equals("int32");
            if (s.quantization() == null) {
                for (int i = 0; i < n; i++) {
                    v[i] = intType ? buf.getInt(at + 4 * i) : buf.getFloat(at + 4 * i);
                }
            } else if (s.quantization().equals("float16")) {
                for (int i = 0; i < n; i++) {
                    v[i] = halfToFloat(buf.getShort(at + 2 * i) & 0xffff);
                }
            } else {
                boolean u8 = s.quantization().equals("uint8");
                for (int i = 0; i < n; i++) {
                    int q = u8 ? data[at + i] & 0xff : buf.getShort(at + 2 * i) & 0xffff;
                    double x = q * s.scale() + s.min();
                    v[i] = intType ? (float) Math.round(x) : (float) x;
                }
            }
            out.put(s.name(), new KerasTensor(s.name(), s.shape(), v));
        }
        return out;
    }

    /** IEEE 754 binary16 to float (exact; subnormals, infinities and NaN included). */
    public static float halfToFloat(int h) {
        int sign = (h >>> 15) & 1;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        float v;
        if (exp == 0) {
            v = mant * 0x1p-24f;
        } else if (exp == 31) {
            v = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            v = Float.intBitsToFloat(((exp - 15 + 127) << 23) | (mant << 13));
        }
        return sign == 1 ? -v : v;
    }

    /** Builds the {@link KerasModel}, checking layer types, weight names and shapes (see {@link KerasShapes}). */
    public static KerasModel toModel(Artifacts a, String name) throws IOException {
        Path origin = a.topologyFile();
        Topology t = topology(a.modelTopology(), origin.toString());
        Map<String, KerasTensor> weights = decodeWeights(a.weights(), a.weightData());
        java.util.Set<String> layerNames = new java.util.HashSet<>();
        t.layers().forEach(l -> layerNames.add(l.name()));
        for (String w : weights.keySet()) {
            int slash = w.lastIndexOf('/');
            if (slash <= 0 || !layerNames.contains(w.substring(0, slash))) {
                throw new IOException(origin + ": weight '" + w + "' belongs to no layer (weights are named "
                        + "'<layer>/<kind>')");
            }
        }
        try {
            KerasModel model = new KerasModel(name, t.inputShape(), t.layers(), t.output(), weights);
            KerasShapes.outputShapes(model);
            return model;
        } catch (IllegalArgumentException e) {
            throw new IOException(origin + ": " + e.getMessage(), e);
        }
    }

    /** Parses a {@code modelTopology} (or a bare {@code model_config}) into layers in topological order. */
    public static Topology topology(JsonNode modelTopology, String origin) throws IOException {
        JsonNode cfg = modelTopology.has("model_config") ? modelTopology.get("model_config") : modelTopology;
        String cls = cfg.path("class_name").asText("");
        JsonNode config = cfg.get("config");
        if (config == null) {
            throw new IOException(origin + ": the model topology has no 'config' (class '" + cls + "')");
        }
        return switch (cls) {
            case "Model", "Functional" -> functional(config, origin);
            case "Sequential" -> sequential(config, origin);
            default -> throw new IOException(origin + ": model class '" + cls
                    + "' is not supported (expected Model, Functional or Sequential)");
        };
    }

    private static Topology functional(JsonNode config, String origin) throws IOException {
        JsonNode layersNode = config.path("layers");
        if (!layersNode.isArray() || layersNode.isEmpty()) {
            throw new IOException(origin + ": the model config has no 'layers'");
        }
        List<KerasLayer> layers = new ArrayList<>();
        for (JsonNode l : layersNode) {
            String name = layerName(l, origin);
            String cls = l.path("class_name").asText("");
            JsonNode nodes = l.path("inbound_nodes");
            if (nodes.size() > 1) {
                throw new IOException(origin + ": layer '" + name + "' is called " + nodes.size()
                        + " times (shared layers are not supported)");
            }
            List<String> inbound = new ArrayList<>();
            if (nodes.size() == 1) {
                collectInbound(nodes.get(0), name, origin, inbound);
            }
            if (inbound.isEmpty() && !cls.equals("InputLayer")) {
                throw new IOException(origin + ": layer '" + name + "' (" + cls + ") has no inbound layer");
            }
            layers.add(new KerasLayer(name, cls, l.path("config"), inbound));
        }
        String input = single(config.path("input_layers"), "input_layers", origin);
        String output = single(config.path("output_layers"), "output_layers", origin);
        List<KerasLayer> sorted = sort(layers, origin);
        KerasLayer in = sorted.stream().filter(l -> l.name().equals(input)).findFirst().orElseThrow(() ->
                new IOException(origin + ": input layer '" + input + "' is not among the layers"));
        if (sorted.stream().noneMatch(l -> l.name().equals(output))) {
            throw new IOException(origin + ": output layer '" + output + "' is not among the layers");
        }
        for (KerasLayer l : sorted) {
            if (l.className().equals("InputLayer") && !l.name().equals(input)) {
                throw new IOException(origin + ": more than one InputLayer ('" + input + "', '" + l.name()
                        + "'); only single-input models are supported");
            }
        }
        return new Topology(config.path("name").asText(""), inputShape(in, origin), sorted, output);
    }

    private static String layerName(JsonNode l, String origin) throws IOException {
        String name = l.path("name").asText(l.path("config").path("name").asText(""));
        if (name.isEmpty()) {
            throw new IOException(origin + ": a layer has no name: " + abbreviate(l));
        }
        return name;
    }

    /** Keras 2: [[name, node, tensor, kwargs], ...]; Keras 3: {"args": [... keras_history ...], "kwargs": ...}. */
    private static void collectInbound(JsonNode node, String layer, String origin, List<String> out)
            throws IOException {
        if (node.isArray() && node.size() >= 3 && node.get(0).isTextual() && node.get(1).isNumber()) {
            add(node, layer, origin, out);
            return;
        }
        if (node.isObject() && node.has("keras_history")) {
            add(node.get("keras_history"), layer, origin, out);
            return;
        }
        if (node.isObject()) {
            for (JsonNode child : node.path("args").isMissingNode() ? node : node.get("args")) {
                collectInbound(child, layer, origin, out);
            }
            return;
        }
        if (node.isArray()) {
            for (JsonNode child : node) {
                collectInbound(child, layer, origin, out);
            }
        }
    }

    private static void add(JsonNode ref, String layer, String origin, List<String> out) throws IOException {
        if (ref.get(1).asInt() != 0 || ref.get(2).asInt() != 0) {
            throw new IOException(origin + ": layer '" + layer + "' reads output " + ref.get(2).asInt() + " of call "
                    + ref.get(1).asInt() + " of '" + ref.get(0).asText()
                    + "'; only the first output of single-call layers is supported");
        }
        out.add(ref.get(0).asText());
    }

    private static String single(JsonNode list, String field, String origin) throws IOException {
        if (!list.isArray() || list.isEmpty()) {
            throw new IOException(origin + ": the model config has no '" + field + "'");
        }
        if (list.size() > 1) {
            throw new IOException(origin + ": the model has " + list.size() + " " + field
                    + "; only single-input single-output models are supported");
        }
        JsonNode ref = list.get(0);
        return ref.isArray() ? ref.get(0).asText() : ref.asText();
    }

    private static Topology sequential(JsonNode config, String origin) throws IOException {
        JsonNode layersNode = config.isArray() ? config : config.path("layers");
        if (!layersNode.isArray() || layersNode.isEmpty()) {
            throw new IOException(origin + ": the Sequential config has no layers");
        }
        List<KerasLayer> layers = new ArrayList<>();
        String previous = null;
        for (JsonNode l : layersNode) {
            String cls = l.path("class_name").asText("");
            JsonNode lc = l.path("config");
            String name = layerName(l, origin);
            if (previous == null && !cls.equals("InputLayer")) {
                JsonNode shape = lc.has("batch_input_shape") ? lc.get("batch_input_shape") : lc.get("batch_shape");
                if (shape == null) {
                    throw new IOException(origin + ": the first layer of the Sequential model, '" + name
                            + "', has no batch_input_shape");
                }
                ObjectNode ic = JsonNodeFactory.instance.objectNode();
                ic.set("batch_input_shape", shape);
                ic.put("dtype", lc.path("dtype").asText("float32"));
                ic.put("name", name + "_input");
                previous = name + "_input";
                layers.add(new KerasLayer(previous, "InputLayer", ic, List.of()));
            }
            layers.add(new KerasLayer(name, cls, lc, previous == null ? List.of() : List.of(previous)));
            previous = name;
        }
        return new Topology(config.isArray() ? "" : config.path("name").asText(""),
                inputShape(layers.get(0), origin), layers, previous);
    }

    private static int[] inputShape(KerasLayer input, String origin) throws IOException {
        JsonNode c = input.config();
        JsonNode shape = c.has("batch_input_shape") ? c.get("batch_input_shape") : c.get("batch_shape");
        if (shape == null || !shape.isArray() || shape.size() < 2) {
            throw new IOException(origin + ": input layer '" + input.name()
                    + "' has no batch_input_shape [batch, height, width, channels]");
        }
        int[] out = new int[shape.size() - 1];
        for (int i = 1; i < shape.size(); i++) {
            // height and width may be left open (null: any size, e.g. a super-resolution network), read as -1
            if (shape.get(i).isNull() && shape.size() == 4 && i < 3) {
                out[i - 1] = KerasModel.ANY;
                continue;
            }
            if (!shape.get(i).isIntegralNumber() || shape.get(i).asInt() <= 0) {
                throw new IOException(origin + ": input layer '" + input.name() + "' has shape " + shape
                        + "; every dimension but the batch, height and width must be fixed");
            }
            out[i - 1] = shape.get(i).asInt();
        }
        return out;
    }

    /** Kahn's algorithm, taking the earliest saved layer whose inputs are ready. */
    static List<KerasLayer> sort(List<KerasLayer> layers, String origin) throws IOException {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            if (index.put(layers.get(i).name(), i) != null) {
                throw new IOException(origin + ": two layers are named '" + layers.get(i).name() + "'");
            }
        }
        int[] missing = new int[layers.size()];
        List<List<Integer>> consumers = new ArrayList<>();
        layers.forEach(l -> consumers.add(new ArrayList<>()));
        for (int i = 0; i < layers.size(); i++) {
            for (String in : layers.get(i).inbound()) {
                Integer j = index.get(in);
                if (j == null) {
                    throw new IOException(origin + ": layer '" + layers.get(i).name() + "' takes input from '" + in
                            + "', which is not a layer of the model");
                }
                missing[i]++;
                consumers.get(j).add(i);
            }
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < layers.size(); i++) {
            if (missing[i] == 0) {
                ready.add(i);
            }
        }
        List<KerasLayer> out = new ArrayList<>();
        while (!ready.isEmpty()) {
            int i = ready.poll();
            out.add(layers.get(i));
            for (int c : consumers.get(i)) {
                if (--missing[c] == 0) {
                    ready.add(c);
                }
            }
        }
        if (out.size() != layers.size()) {
            List<String> stuck = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                if (missing[i] > 0) {
                    stuck.add(layers.get(i).name());
                }
            }
            throw new IOException(origin + ": the layers " + stuck + " form a cycle");
        }
        return out;
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    /** A copy of a weights manifest entry list (for writing a new manifest). */
    static ArrayNode specsAsJson(List<WeightSpec> specs) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (WeightSpec s : specs) {
            out.add(s.spec().deepCopy());
        }
        return out;
    }

    static String describeShape(int[] shape) {
        return Arrays.toString(shape);
    }
}
