package clipbench.cli;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A run config file (YAML, or JSON by its {@code .json} name), bound to {@link RunSpec.Builder}'s keys.
 * Either one run's settings, or a study: shared settings plus a {@code runs} mapping of NAME to the settings
 * that differ, each run writing to {@code OUT/NAME}. Text values may use {@code ${data}} (clipbench's data
 * folder, default {@code ~/.cache/clipbench}; the demo's {@code --data}) and {@code ${root}} (the clipbench
 * checkout, from {@code clipbench.root}, else the current directory).
 *
 * @param file   where it was read from (named in every error)
 * @param shared the settings every run starts from
 * @param runs   a study's runs by name, in file order; empty for a single run
 */
record RunConfig(Path file, ObjectNode shared, Map<String, ObjectNode> runs) {
    /** The key holding a study's runs. */
    static final String RUNS = "runs";
    static final Path DEFAULT_DATA = Path.of(System.getProperty("user.home"), ".cache", "clipbench");

    /**
     * Binds strictly: no coercion ({@code threads: 2.5} is not 2, {@code seeds: "3"} or {@code seeds: ~} is not
     * a number), so a value of the wrong shape stops the run naming the key. Paths bind as {@code Path.of(text)},
     * as on the command line (Jackson's default reads "a:b" as a URI).
     */
    private static final ObjectMapper BINDER = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .addModule(new SimpleModule().addDeserializer(Path.class, new FromStringDeserializer<>(Path.class) {
                @Override
                protected Path _deserialize(String value, DeserializationContext ctxt) {
                    return Path.of(value);
                }
            })).build();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

    RunConfig {
        runs = Collections.unmodifiableMap(new LinkedHashMap<>(runs));
    }

    /** No file: a single run from the command line alone. */
    static RunConfig none() {
        return new RunConfig(null, new ObjectMapper().createObjectNode(), Map.of());
    }

    /** The placeholders run configs may use, with {@code data} as given. */
    static Map<String, String> placeholders(Path data) {
        return Map.of("data", data.toString(), "root", Cli.root().toString());
    }

    /** Reads {@code file}, resolving placeholders; unknown keys are rejected later, by {@link #specs}. */
    static RunConfig read(Path file, Map<String, String> placeholders) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": config file not found");
        }
        ObjectMapper mapper = file.toString().endsWith(".json") ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
        JsonNode root;
        try {
            root = mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": cannot parse config: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": config must be a mapping of run settings");
        }
        ObjectNode shared = (ObjectNode) resolve(root, placeholders, file);
        JsonNode runsNode = shared.remove(RUNS);
        Map<String, ObjectNode> runs = new LinkedHashMap<>();
        if (runsNode != null) {
            if (!runsNode.isObject() || runsNode.isEmpty()) {
                throw new IOException(file + ": '" + RUNS + "' must map each run's name to its settings");
            }
            for (var it = runsNode.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getKey().matches("[A-Za-z0-9._-]+") || !e.getValue().isObject()) {
                    throw new IOException(file + ": run '" + e.getKey() + "' needs a folder-safe name"
                            + " (letters, digits, . _ -) and a mapping of settings");
                }
                if (e.getValue().has("out")) {
                    throw new IOException(file + ": run '" + e.getKey() + "': 'out' is set once for the study;"
                            + " each run writes to OUT/" + e.getKey());
                }
                runs.put(e.getKey(), (ObjectNode) e.getValue());
            }
        }
        return new RunConfig(file, shared, runs);
    }

    boolean isStudy() {
        return !runs.isEmpty();
    }

    /**
     * The validated specs: the shared settings, then the run's own, then {@code overrides} (the command
     * line); a study's runs write to {@code OUT/NAME}.
     */
    List<RunSpec> specs(Consumer<RunSpec.Builder> overrides) throws IOException {
        if (!isStudy()) {
            return List.of(spec(null, overrides));
        }
        List<RunSpec> specs = new ArrayList<>();
        for (String name : runs.keySet()) {
            specs.add(spec(name, overrides));
        }
        return specs;
    }

    private RunSpec spec(String name, Consumer<RunSpec.Builder> overrides) throws IOException {
        RunSpec.Builder b = RunSpec.builder();
        bind(b, shared);
        if (name != null) {
            bind(b, runs.get(name));
        }
        overrides.accept(b);
        RunSpec spec = b.build();
        return name == null ? spec : spec.toBuilder().out(spec.out().resolve(name)).build();
    }

    private void bind(RunSpec.Builder b, ObjectNode settings) throws IOException {
        try {
            BINDER.readerForUpdating(b).readValue(settings);
        } catch (UnrecognizedPropertyException e) {
            List<String> known = e.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
            throw new IOException(file + ": unknown key '" + e.getPropertyName() + "'; known keys: " + known
                    + (isStudy() ? " and '" + RUNS + "'" : ""), e);
        } catch (JsonMappingException e) {
            String key = e.getPath().isEmpty() ? "?" : e.getPath().get(e.getPath().size() - 1).getFieldName();
            throw new IOException(file + ": run setting '" + key + "': " + e.getOriginalMessage().lines().findFirst()
                    .orElse(""), e);
        }
    }

    /** The tree with {@code ${name}} replaced in every text value; an unknown name is an error. */
    private static JsonNode resolve(JsonNode node, Map<String, String> placeholders, Path file) throws IOException {
        if (node.isTextual()) {
            Matcher m = PLACEHOLDER.matcher(node.asText());
            StringBuilder text = new StringBuilder();
            while (m.find()) {
                String value = placeholders.get(m.group(1));
                if (value == null) {
                    throw new IOException(file + ": unknown placeholder '${" + m.group(1) + "}'; known: "
                            + placeholders.keySet().stream().sorted().map(k -> "${" + k + "}").toList());
                }
                m.appendReplacement(text, Matcher.quoteReplacement(value));
            }
            m.appendTail(text);
            return TextNode.valueOf(text.toString());
        }
        if (node.isObject()) {
            ObjectNode copy = ((ObjectNode) node).objectNode();
            for (var it = node.fields(); it.hasNext(); ) {
                var e = it.next();
                copy.set(e.getKey(), resolve(e.getValue(), placeholders, file));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = ((ArrayNode) node).arrayNode();
            for (JsonNode n : node) {
                copy.add(resolve(n, placeholders, file));
            }
            return copy;
        }
        return node;
    }
}
