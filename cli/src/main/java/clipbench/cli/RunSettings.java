package clipbench.cli;

import clipbench.protocol.Shots;
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

/**
 * The settings of {@code clipbench run}, from the command line and/or a YAML or JSON config file with
 * the same keys (command line wins). Immutable and validated once; errors name the key.
 *
 * @param cache embedding cache folder, or null for none
 */
record RunSettings(List<String> backends, Path model, String dataset, List<String> protocols,
                   List<String> upsamplers, String templates, List<Integer> ks, int seeds, List<String> heads,
                   int validationPerClass, int confusedPairs, int downscale, int testPerClass, Path cache,
                   Path shotsFrom, Path out,
                   boolean resume, int threads, String device, int batchSize) {

    /** Every key a config file may hold, each with its default (null: required or unset). */
    static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("backend", null);
        d.put("model", null);
        d.put("dataset", null);
        d.put("protocol", "zero-shot");
        d.put("upsampler", "bicubic");
        d.put("templates", "clip7");
        d.put("k", "1,2,4,8,16,all");
        d.put("seeds", "3");
        d.put("heads", "lite,pro");
        d.put("val-per-class", "8");
        d.put("confusions", "20");
        d.put("downscale", "0");
        d.put("test-per-class", "0");
        d.put("cache", Path.of(System.getProperty("user.home"), ".cache", "clipbench", "embeddings").toString());
        d.put("shots-from", null);
        d.put("out", null);
        d.put("resume", "false");
        d.put("threads", "0");
        d.put("device", "cpu");
        d.put("batch-size", "32");
        return java.util.Collections.unmodifiableMap(d);
    }

    RunSettings {
        require(!backends.isEmpty(), "backend", "at least one backend id");
        require(model != null, "model", "a model directory");
        require(dataset != null && !dataset.isBlank(), "dataset", "ID[:LOCATION], e.g. imagefolder:PATH");
        require(!protocols.isEmpty(), "protocol", "at least one protocol");
        require(!upsamplers.isEmpty(), "upsampler", "at least one upsampler");
        require(out != null, "out", "an output directory");
        require(seeds > 0, "seeds", "a positive number");
        require(validationPerClass >= 0, "val-per-class", "a number >= 0");
        require(confusedPairs >= 0, "confusions", "a number >= 0");
        require(downscale >= 0, "downscale", "a size in pixels (0 = off)");
        require(testPerClass >= 0, "test-per-class", "a number of test images per class (0 = all)");
        require(threads >= 0, "threads", "a number >= 0");
        require(batchSize > 0, "batch-size", "a positive number");
    }

    private static void require(boolean ok, String key, String what) {
        if (!ok) {
            throw new IllegalArgumentException("run setting '" + key + "': expected " + what);
        }
    }

    /** Reads a config file into raw key/value pairs, rejecting unknown keys by name. */
    static Map<String, String> readConfig(Path file) throws IOException {
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
        Map<String, String> values = new LinkedHashMap<>();
        for (var it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!DEFAULTS.containsKey(e.getKey())) {
                throw new IOException(file + ": unknown key '" + e.getKey() + "'; known keys: " + DEFAULTS.keySet());
            }
            values.put(e.getKey(), e.getValue().isArray() ? joined(e.getValue()) : e.getValue().asText());
        }
        return values;
    }

    private static String joined(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return String.join(",", out);
    }

    /** Builds validated settings from raw values (missing keys take their defaults). */
    static RunSettings from(Map<String, String> given) {
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        given.forEach((k, value) -> {
            if (value != null) {
                v.put(k, value);
            }
        });
        String cache = v.get("cache");
        return new RunSettings(list(v, "backend"), path(v, "model"), v.get("dataset"), list(v, "protocol"),
                list(v, "upsampler"), v.get("templates"), shots(v.get("k")), integer(v, "seeds"), list(v, "heads"),
                integer(v, "val-per-class"), integer(v, "confusions"), integer(v, "downscale"),
                integer(v, "test-per-class"),
                cache == null || cache.equals("none") ? null : Path.of(cache), path(v, "shots-from"),
                path(v, "out"), Boolean.parseBoolean(v.get("resume")), integer(v, "threads"), v.get("device"),
                integer(v, "batch-size"));
    }

    /** The settings as written to run.json. */
    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backend", backends);
        m.put("model", model.toAbsolutePath().toString());
        m.put("dataset", dataset);
        datasetRoot().ifPresent(root -> m.put("dataset_root", root));
        m.put("protocol", protocols);
        m.put("upsampler", upsamplers);
        m.put("templates", templates);
        m.put("k", ks.stream().map(Shots::label).toList());
        m.put("seeds", seeds);
        m.put("heads", heads);
        m.put("val-per-class", validationPerClass);
        m.put("confusions", confusedPairs);
        m.put("downscale", downscale);
        m.put("test-per-class", testPerClass);
        m.put("cache", cache == null ? "none" : cache.toAbsolutePath().toString());
        m.put("threads", threads);
        m.put("device", device);
        m.put("batch-size", batchSize);
        return m;
    }

    /** The dataset's location as an absolute path, when it is one (the report's gallery reads images there). */
    java.util.Optional<String> datasetRoot() {
        if (!dataset.contains(":")) {
            return java.util.Optional.empty();
        }
        String location = dataset.substring(dataset.indexOf(':') + 1);
        int query = location.indexOf('?');
        Path p = Path.of(query >= 0 && !Files.exists(Path.of(location)) ? location.substring(0, query) : location);
        return Files.exists(p) ? java.util.Optional.of(p.toAbsolutePath().normalize().toString())
                : java.util.Optional.empty();
    }

    private static List<String> list(Map<String, String> v, String key) {
        String joined = v.get(key);
        return joined == null ? List.of() : Arrays.stream(joined.split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).toList();
    }

    static List<Integer> shots(String text) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            if (p.equalsIgnoreCase("all")) {
                out.add(Shots.ALL);
                continue;
            }
            try {
                int k = Integer.parseInt(p);
                require(k > 0, "k", "positive shot counts or 'all', got '" + p + "'");
                out.add(k);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("run setting 'k': expected positive shot counts or 'all', got '"
                        + p + "'");
            }
        }
        return List.copyOf(out);
    }

    private static Path path(Map<String, String> v, String key) {
        String t = v.get(key);
        return t == null ? null : Path.of(t);
    }

    private static int integer(Map<String, String> v, String key) {
        String t = v.get(key);
        try {
            return Integer.parseInt(t.strip());
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("run setting '" + key + "': expected a whole number, got '" + t + "'");
        }
    }
}
