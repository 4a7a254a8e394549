package clipbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings of {@code clipbench run}, from the command line and/or a YAML or JSON config file with
 * the same keys (command line wins). Immutable and validated once; errors name the key.
 */
record RunSettings(List<String> backends, Path model, String dataset, List<String> protocols,
                   List<String> upsamplers, String templates, Path out, boolean resume, int threads,
                   String device, int batchSize) {

    static final Set<String> KEYS = Set.of("backend", "model", "dataset", "protocol", "upsampler", "templates",
            "out", "resume", "threads", "device", "batch-size");

    RunSettings {
        require(!backends.isEmpty(), "backend", "at least one backend id");
        require(model != null, "model", "a model directory");
        require(dataset != null && dataset.contains(":"), "dataset", "ID:LOCATION, e.g. imagefolder:PATH");
        require(!protocols.isEmpty(), "protocol", "at least one protocol");
        require(!upsamplers.isEmpty(), "upsampler", "at least one upsampler");
        require(out != null, "out", "an output directory");
        require(threads >= 0, "threads", "a number >= 0");
        require(batchSize > 0, "batch-size", "a positive number");
    }

    private static void require(boolean ok, String key, String what) {
        if (!ok) {
            throw new IllegalArgumentException("run setting '" + key + "': expected " + what);
        }
    }

    /** Reads a config file into raw key/value pairs, rejecting unknown keys by name. */
    static Map<String, Object> readConfig(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": config file not found");
        }
        ObjectMapper mapper = file.toString().endsWith(".json") ? new ObjectMapper()
                : new ObjectMapper(new YAMLFactory());
        JsonNode root;
        try {
            root = mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": cannot parse config: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": config must be a mapping of run settings");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (var it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!KEYS.contains(e.getKey())) {
                throw new IOException(file + ": unknown key '" + e.getKey() + "'; known keys: " + KEYS);
            }
            values.put(e.getKey(), e.getValue().isArray() ? listOf(e.getValue()) : e.getValue().asText());
        }
        return values;
    }

    private static List<String> listOf(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Builds validated settings from merged raw values. */
    static RunSettings from(Map<String, Object> v) {
        return new RunSettings(list(v, "backend", null), path(v, "model"), text(v, "dataset", null),
                list(v, "protocol", "zero-shot"), list(v, "upsampler", "bicubic"), text(v, "templates", "clip7"),
                path(v, "out"), Boolean.parseBoolean(text(v, "resume", "false")),
                integer(v, "threads", 0), text(v, "device", "cpu"), integer(v, "batch-size", 32));
    }

    /** The settings as written to run.json. */
    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backend", backends);
        m.put("model", model.toString());
        m.put("dataset", dataset);
        m.put("protocol", protocols);
        m.put("upsampler", upsamplers);
        m.put("templates", templates);
        m.put("threads", threads);
        m.put("device", device);
        m.put("batch-size", batchSize);
        return m;
    }

    private static String text(Map<String, Object> v, String key, String fallback) {
        Object o = v.get(key);
        return o == null ? fallback : o instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf)
                .toList()) : o.toString();
    }

    private static List<String> list(Map<String, Object> v, String key, String fallback) {
        String joined = text(v, key, fallback);
        return joined == null ? List.of() : Arrays.stream(joined.split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).toList();
    }

    private static Path path(Map<String, Object> v, String key) {
        String t = text(v, key, null);
        return t == null ? null : Path.of(t);
    }

    private static int integer(Map<String, Object> v, String key, int fallback) {
        String t = text(v, key, null);
        try {
            return t == null ? fallback : Integer.parseInt(t.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("run setting '" + key + "': expected a whole number, got '" + t + "'");
        }
    }
}
