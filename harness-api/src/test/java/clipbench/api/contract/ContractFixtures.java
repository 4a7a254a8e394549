package clipbench.api.contract;

import clipbench.api.spi.ImageBatch;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the test fixtures are and how to read them; shared by every backend's tests through the
 * harness-api test jar.
 */
public final class ContractFixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ContractFixtures() {
    }

    /** The checkout: {@code -Dclipbench.root}, else the first folder up from here that holds testdata/. */
    public static Path root() {
        String configured = System.getProperty("clipbench.root");
        if (configured != null && !configured.isBlank() && Files.isDirectory(Path.of(configured, "testdata"))) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path here = Path.of("").toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("testdata"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no testdata/ folder in " + here + " or above; set -Dclipbench.root");
    }

    /** The read-only companions: {@code -Dclipbench.shared}, else {@code <root>/../shared}. */
    public static Path shared() {
        String configured = System.getProperty("clipbench.shared");
        if (configured != null && !configured.isBlank() && Files.isDirectory(Path.of(configured, "golden"))) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path fallback = root().resolve("../shared").normalize();
        if (!Files.isDirectory(fallback.resolve("golden"))) {
            throw new IllegalStateException("shared folder not found at " + fallback + "; set -Dclipbench.shared");
        }
        return fallback;
    }

    /** A fixture under {@code testdata/}, which must exist. */
    public static Path testdata(String relative) {
        Path path = root().resolve("testdata").resolve(relative);
        if (!Files.exists(path)) {
            throw new IllegalStateException(path + ": test fixture missing (see testdata/models/GENERATION.txt)");
        }
        return path;
    }

    /** OpenAI's reference inputs and outputs ({@code shared/golden/openai-clip-reference.json}). */
    public static JsonNode golden() {
        return readJson(shared().resolve("golden/openai-clip-reference.json"));
    }

    public static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read JSON", e);
        }
    }

    /** A JSON array of numbers. */
    public static float[] floats(JsonNode row) {
        float[] out = new float[row.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = row.get(i).floatValue();
        }
        return out;
    }

    /** A JSON array of integers. */
    public static int[] ints(JsonNode row) {
        int[] out = new int[row.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = row.get(i).intValue();
        }
        return out;
    }

    /** A JSON array of arrays of numbers. */
    public static float[][] floats2d(JsonNode rows) {
        float[][] out = new float[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = floats(rows.get(i));
        }
        return out;
    }

    /** A JSON array of arrays of integers. */
    public static int[][] ints2d(JsonNode rows) {
        int[][] out = new int[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = ints(rows.get(i));
        }
        return out;
    }

    /**
     * The token rows of the golden file's {@code tokenizer} entry, {@code [3][1][77]} read as {@code [3][77]}.
     */
    public static int[][] goldenTokens() {
        JsonNode cases = golden().path("tokenizer");
        int[][] rows = new int[cases.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = ints(cases.get(i).get(0));
        }
        return rows;
    }

    /** The golden file's {@code vit_input}, stored NHWC {@code [1, size, size, 3]}, as the NCHW floats towers take. */
    public static float[] goldenVitInputNchw() {
        JsonNode nhwc = golden().path("vit_input").get(0);
        int size = nhwc.size();
        float[] nchw = new float[3 * size * size];
        for (int h = 0; h < size; h++) {
            for (int w = 0; w < size; w++) {
                for (int c = 0; c < 3; c++) {
                    nchw[c * size * size + h * size + w] = nhwc.get(h).get(w).get(c).floatValue();
                }
            }
        }
        return nchw;
    }

    /**
     * A model card JSON for the golden {@code vit_weights} as a model folder would give it: heads (which shapes
     * cannot show) and the rest of {@code vit_config}, for the checkpoint readers' cross-checks.
     */
    public static JsonNode goldenVitCard() {
        JsonNode cfg = golden().path("vit_config");
        com.fasterxml.jackson.databind.node.ObjectNode card = new ObjectMapper().createObjectNode();
        card.putObject("architecture").put("vision_heads", cfg.path("heads").asInt())
                .put("vision_width", cfg.path("width").asInt()).put("vision_layers", cfg.path("layers").asInt())
                .put("vision_patch_size", cfg.path("patch_size").asInt())
                .put("image_resolution", cfg.path("input_resolution").asInt())
                .put("embed_dim", cfg.path("output_dim").asInt());
        return card;
    }

    /** One tensor of a golden state dict. */
    public record GoldenTensor(long[] shape, float[] values) {
    }

    /** A golden state dict ({@code vit_weights}, {@code attn_weights}: nested lists) by tensor name, in file order. */
    public static java.util.Map<String, GoldenTensor> goldenStateDict(String key) {
        java.util.Map<String, GoldenTensor> out = new java.util.LinkedHashMap<>();
        golden().path(key).fields().forEachRemaining(e -> {
            java.util.List<Long> dims = new java.util.ArrayList<>();
            for (JsonNode n = e.getValue(); n.isArray(); n = n.get(0)) {
                dims.add((long) n.size());
            }
            out.put(e.getKey(), new GoldenTensor(dims.stream().mapToLong(Long::longValue).toArray(),
                    flatten(e.getValue())));
        });
        return out;
    }

    /** The Java form of the expected.json image formula for images of this size, as the file writes it. */
    public static String sineFormula(int size) {
        return "(float) Math.sin(0.001 * (c * " + size * size + " + h * " + size + " + w) + 0.5 * n)";
    }

    /**
     * Images {@code first .. first+count-1} of the expected.json input: {@link #sineFormula}, NCHW,
     * where {@code n} is the image's index.
     */
    public static ImageBatch sineImages(int first, int count, int size) {
        float[] data = new float[count * ImageBatch.CHANNELS * size * size];
        int k = 0;
        for (int n = first; n < first + count; n++) {
            for (int c = 0; c < ImageBatch.CHANNELS; c++) {
                for (int h = 0; h < size; h++) {
                    for (int w = 0; w < size; w++) {
                        data[k++] = (float) Math.sin(0.001 * (c * size * size + h * size + w) + 0.5 * n);
                    }
                }
            }
        }
        return new ImageBatch(count, size, data);
    }

    /** Largest absolute difference; fails when the shapes differ. */
    public static double maxAbsDiff(float[][] actual, float[][] expected) {
        if (actual.length != expected.length) {
            throw new AssertionError("expected " + expected.length + " rows, got " + actual.length);
        }
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            if (actual[i].length != expected[i].length) {
                throw new AssertionError("row " + i + ": expected " + expected[i].length + " values, got "
                        + actual[i].length);
            }
            for (int j = 0; j < actual[i].length; j++) {
                double d = Math.abs((double) actual[i][j] - expected[i][j]);
                if (Double.isNaN(d)) {
                    return Double.NaN;
                }
                max = Math.max(max, d);
            }
        }
        return max;
    }

    /** Every number of a nested JSON array, in row-major order (golden tensors of any rank). */
    public static float[] flatten(JsonNode node) {
        java.util.List<Float> values = new java.util.ArrayList<>();
        collect(node, values);
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static void collect(JsonNode node, java.util.List<Float> values) {
        if (node.isArray()) {
            node.forEach(child -> collect(child, values));
        } else {
            values.add(node.floatValue());
        }
    }
}
