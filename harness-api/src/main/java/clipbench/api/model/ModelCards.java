package clipbench.api.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a model directory: our {@code model-card.json}, or one of the common ONNX CLIP export layouts
 * (Immich / clip-server {@code visual.onnx} + {@code textual.onnx}, Immich's {@code visual/model.onnx},
 * transformers.js / Optimum {@code onnx/vision_model.onnx} + {@code text_model.onnx}).
 */
public final class ModelCards {
    public static final String CARD_FILE = "model-card.json";
    /** Hugging Face's tokenizer vocabulary; its merges are {@code merges.txt} beside it. */
    public static final String HF_VOCAB = "vocab.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelCards() {
    }

    public static ModelCard load(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new NoSuchFileException(directory.toString(), null, "model directory not found");
        }
        Path card = directory.resolve(CARD_FILE);
        if (Files.isRegularFile(card)) {
            return parseCard(directory, card);
        }
        return inferFromLayout(directory);
    }

    private static ModelCard parseCard(Path directory, Path file) throws IOException {
        JsonNode root = readJson(file);
        Fields f = new Fields(file, root);
        PreprocessSpec preprocess = f.preprocess(f.integer("image_size"));
        Map<String, Map<String, String>> artifacts = new TreeMap<>();
        JsonNode art = root.path("artifacts");
        if (!art.isObject() || art.isEmpty()) {
            throw new IOException(file + ": field 'artifacts' must map formats to files");
        }
        art.fields().forEachRemaining(e -> {
            Map<String, String> roles = new TreeMap<>();
            e.getValue().fields().forEachRemaining(r -> roles.put(r.getKey(), r.getValue().asText()));
            artifacts.put(e.getKey(), roles);
        });
        String vocab = root.path("tokenizer").path("vocab").asText(null);
        return new ModelCard(directory, f.text("name", directory.getFileName().toString()),
                f.text("family", "clip"), preprocess, f.integer("context_length", 0), f.integer("embed_dim", 0),
                f.number("logit_scale", 100.0), vocab, artifacts);
    }

    /**
     * Builds a card for a directory exported by another tool, reading its config files when present: ONNX exports
     * (artifacts {@code onnx}), and CLIP checkpoints read by layout (artifacts {@code safetensors}: {@code checkpoint}
     * and its {@code config}): transformers' {@code config.json} + {@code model.safetensors}, open_clip's
     * {@code open_clip_config.json} + {@code open_clip_model.safetensors}. A folder may hold both.
     */
    private static ModelCard inferFromLayout(Path dir) throws IOException {
        record Layout(String image, String text) {
        }
        List<Layout> layouts = List.of(
                new Layout("visual.onnx", "textual.onnx"),
                new Layout("visual/model.onnx", "textual/model.onnx"),
                new Layout("onnx/vision_model.onnx", "onnx/text_model.onnx"),
                new Layout("vision_model.onnx", "text_model.onnx"));
        List<Layout> checkpoints = List.of(
                new Layout("model.safetensors", "config.json"),
                new Layout("open_clip_model.safetensors", "open_clip_config.json"));
        Map<String, Map<String, String>> artifacts = new TreeMap<>();
        boolean text = false;
        for (Layout layout : layouts) {
            if (Files.isRegularFile(dir.resolve(layout.image()))) {
                Map<String, String> roles = new LinkedHashMap<>();
                roles.put("image", layout.image());
                if (Files.isRegularFile(dir.resolve(layout.text()))) {
                    roles.put("text", layout.text());
                    text = true;
                }
                artifacts.put("onnx", roles);
                break;
            }
        }
        for (Layout layout : checkpoints) {
            if (Files.isRegularFile(dir.resolve(layout.image())) && Files.isRegularFile(dir.resolve(layout.text()))) {
                artifacts.put("safetensors", Map.of("checkpoint", layout.image(), "config", layout.text()));
                text = true; // both towers are in a CLIPModel / open_clip checkpoint
                break;
            }
        }
        if (artifacts.isEmpty()) {
            throw new IOException(dir + ": no " + CARD_FILE + " and no known export layout (looked for "
                    + layouts.stream().map(Layout::image).toList() + ", and " + checkpoints.stream()
                    .map(l -> l.text() + " + " + l.image()).toList() + ")");
        }
        ExportConfig cfg = ExportConfig.read(dir);
        // transformers' and open_clip's tokenizer files are CLIP's BPE in two files; else OpenAI's gz
        boolean hfTokenizer = Files.isRegularFile(dir.resolve(HF_VOCAB))
                || "config.json".equals(artifacts.getOrDefault("safetensors", Map.of()).get("config"));
        return new ModelCard(dir, dir.getFileName().toString(), "clip", cfg.preprocess(), text ? cfg.contextLength() : 0,
                cfg.embedDim(), cfg.logitScale(), hfTokenizer ? HF_VOCAB : ModelCard.OPENAI_VOCAB, artifacts);
    }

    /** Settings found in the config files that open_clip (Immich) and Hugging Face exports carry. */
    private record ExportConfig(PreprocessSpec preprocess, int contextLength, int embedDim, double logitScale) {
        static ExportConfig read(Path dir) throws IOException {
            int size = 224;
            int context = 77;
            int embed = 0;
            double scale = 100.0;
            float[] mean = PreprocessSpec.CLIP_MEAN;
            float[] std = PreprocessSpec.CLIP_STD;
            Path config = dir.resolve("config.json");
            if (Files.isRegularFile(config)) {
                JsonNode c = readJson(config);
                // open_clip (Immich): embed_dim, vision_cfg.image_size, text_cfg.context_length
                embed = c.path("embed_dim").asInt(c.path("projection_dim").asInt(0));
                size = c.path("vision_cfg").path("image_size").asInt(
                        c.path("vision_config").path("image_size").asInt(size));
                context = c.path("text_cfg").path("context_length").asInt(
                        c.path("text_config").path("max_position_embeddings").asInt(context));
                if (c.has("logit_scale_init_value")) {
                    scale = Math.exp(c.path("logit_scale_init_value").asDouble());
                }
            }
            Path openClip = dir.resolve("open_clip_config.json");
            if (Files.isRegularFile(openClip)) {
                JsonNode root = readJson(openClip);
                JsonNode c = root.path("model_cfg");
                embed = c.path("embed_dim").asInt(embed);
                JsonNode s = c.path("vision_cfg").path("image_size");
                size = s.isArray() ? s.get(0).asInt(size) : s.asInt(size);
                context = c.path("text_cfg").path("context_length").asInt(context);
                Fields f = new Fields(openClip, root.path("preprocess_cfg"));
                mean = f.floats("mean", mean);
                std = f.floats("std", std);
            }
            // a checkpoint's trained logit_scale (ln of the scale) beats the config's initial value
            for (String name : List.of("model.safetensors", "open_clip_model.safetensors")) {
                Path file = dir.resolve(name);
                if (Files.isRegularFile(file)) {
                    Double ln = SafetensorsHeader.scalar(file, "logit_scale");
                    if (ln != null) {
                        scale = Math.exp(ln);
                    }
                    break;
                }
            }
            for (String name : List.of("visual/preprocess_cfg.json", "preprocess_cfg.json",
                    "preprocessor_config.json")) {
                Path p = dir.resolve(name);
                if (Files.isRegularFile(p)) {
                    Fields f = new Fields(p, readJson(p));
                    mean = f.floats(f.root.has("image_mean") ? "image_mean" : "mean", mean);
                    std = f.floats(f.root.has("image_std") ? "image_std" : "std", std);
                    JsonNode crop = f.root.path("crop_size");
                    JsonNode s = f.root.path("size");
                    size = crop.isInt() ? crop.asInt() : crop.path("height").asInt(
                            s.isArray() ? s.get(0).asInt() : s.isInt() ? s.asInt() : size);
                    break;
                }
            }
            return new ExportConfig(new PreprocessSpec("clip", size, mean, std), context, embed, scale);
        }
    }

    /**
     * For provenance: how the card's safetensors checkpoint is stored when that is not float32, e.g.
     * {@code F16 widened to float32} (every runtime building from the checkpoint widens it on load); empty for a
     * float32 checkpoint or a card without one.
     */
    public static java.util.Optional<String> checkpointPrecision(ModelCard card) throws IOException {
        java.util.Optional<Path> file = card.artifact("safetensors", "checkpoint");
        if (file.isEmpty() || !Files.isRegularFile(file.get())) {
            return java.util.Optional.empty();
        }
        java.util.SortedSet<String> types = SafetensorsHeader.storedTypes(file.get());
        types.remove("F32");
        return types.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of(String.join("+", types) + " widened to float32");
    }

    /** SHA-256 over the named files in order: identifies the exact weights a result came from. */
    public static String sha256(List<Path> files) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 16];
        for (Path file : files) {
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
                while (in.read(buffer) >= 0) {
                    // reading feeds the digest
                }
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Reads a JSON file; the error names the file. */
    public static JsonNode readJson(Path file) throws IOException {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Field access whose errors name the file and the field. Strict: a number must be a JSON number (224.9 is
     * not an integer, "0.5" is not a number), so a typo stops the run instead of becoming a silent default.
     */
    private record Fields(Path file, JsonNode root) {
        int integer(String name) throws IOException {
            JsonNode n = root.get(name);
            if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
                throw new IOException(file + ": field '" + name + "' must be an integer, got " + n);
            }
            return n.asInt();
        }

        int integer(String name, int fallback) throws IOException {
            return root.has(name) ? integer(name) : fallback;
        }

        double number(String name, double fallback) throws IOException {
            JsonNode n = root.get(name);
            if (n == null) {
                return fallback;
            }
            if (!n.isNumber() || !Double.isFinite(n.asDouble())) {
                throw new IOException(file + ": field '" + name + "' must be a number, got " + n);
            }
            return n.asDouble();
        }

        String text(String name, String fallback) throws IOException {
            JsonNode n = root.get(name);
            if (n == null || n.isNull()) {
                return fallback;
            }
            if (!n.isTextual()) {
                throw new IOException(file + ": field '" + name + "' must be text, got " + n);
            }
            return n.asText();
        }

        float[] floats(String name, float[] fallback) throws IOException {
            JsonNode n = root.get(name);
            if (n == null) {
                return fallback;
            }
            if (!n.isArray() || n.size() != 3) {
                throw new IOException(file + ": field '" + name + "' must be a list of 3 numbers, got " + n);
            }
            float[] out = new float[3];
            for (int i = 0; i < 3; i++) {
                if (!n.get(i).isNumber() || !Float.isFinite(n.get(i).floatValue())) {
                    throw new IOException(file + ": field '" + name + "' must be a list of 3 numbers, got " + n);
                }
                out[i] = n.get(i).floatValue();
            }
            return out;
        }

        /** The spec (CLIP's mean and std unless given), its own checks (e.g. std > 0) reported with the file. */
        PreprocessSpec preprocess(int imageSize) throws IOException {
            try {
                return new PreprocessSpec(text("preprocess", "clip"), imageSize,
                        floats("mean", PreprocessSpec.CLIP_MEAN), floats("std", PreprocessSpec.CLIP_STD));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
        }
    }
}
