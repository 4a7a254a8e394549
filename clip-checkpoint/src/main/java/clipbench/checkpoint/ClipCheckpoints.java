package clipbench.checkpoint;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Opens the CLIP checkpoint a model card names ({@code artifacts.safetensors.checkpoint}) the same way for every
 * runtime, so that one folder gives the same network on ONNX Runtime, DJL and TensorFlow.
 */
public final class ClipCheckpoints {
    /** The card's artifact format and role naming the checkpoint file. */
    public static final String FORMAT = "safetensors";
    public static final String ROLE = "checkpoint";
    /** The role of the layout's config file ({@code config.json}, {@code open_clip_config.json}), if the card names it. */
    public static final String CONFIG_ROLE = "config";
    /** Layouts: an OpenAI state dict, open_clip's (OpenAI names + open_clip_config.json), transformers' CLIPModel. */
    public static final String OPENAI = "openai";
    public static final String OPEN_CLIP = "open_clip";
    public static final String TRANSFORMERS = "transformers";
    public static final List<String> LAYOUTS = List.of(OPENAI, OPEN_CLIP, TRANSFORMERS);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClipCheckpoints() {
    }

    /** The checkpoint file the card names, if any. */
    public static Optional<Path> file(ModelCard card) {
        return card.artifact(FORMAT, ROLE);
    }

    /**
     * Reads the header and infers the architecture; tensor data is read when a runtime asks for it. The card's
     * image size and context length must agree with the checkpoint's shapes (errors name both).
     */
    public static ClipCheckpoint open(ModelCard card) throws IOException {
        return open(card, card.requireArtifact(FORMAT, ROLE));
    }

    /**
     * {@link #open(ModelCard)} on a checkpoint file the card names in another role. The layout is the card's
     * {@code layout} field if it has one, else read from the file: Hugging Face key names are {@code transformers}
     * (its {@code config.json} required), OpenAI key names are {@code open_clip} when an
     * {@code open_clip_config.json} is found, else {@code openai}. The config file is the card's
     * {@code artifacts.safetensors.config}, else the layout's file name beside the checkpoint. The card's
     * {@code architecture} block overrides what the config says.
     */
    public static ClipCheckpoint open(ModelCard card, Path file) throws IOException {
        Safetensors st = Safetensors.open(file);
        JsonNode cardJson = cardJson(card);
        try {
            String layout = layout(card, cardJson, st, file);
            Optional<Path> config = config(card, file, layout);
            Checkpoint weights = layout.equals(TRANSFORMERS) ? TransformersCheckpoint.of(st) : st;
            JsonNode configJson = config.isPresent() ? ModelCards.readJson(config.get()) : null;
            ObjectNode arch = layout.equals(TRANSFORMERS) ? CheckpointConfigs.transformers(config.get(), configJson)
                    : configJson != null ? CheckpointConfigs.openClip(config.get(), configJson)
                    : JSON.createObjectNode();
            JsonNode cardArch = cardJson == null ? null : cardJson.path("architecture");
            if (cardArch != null && cardArch.isObject()) {
                if (cardArch.has("activation")) { // the card's one activation is for both towers
                    arch.remove(List.of("vision_activation", "text_activation"));
                }
                arch.setAll((ObjectNode) cardArch);
            }
            ObjectNode merged = JSON.createObjectNode();
            merged.set("architecture", arch);
            ClipArchitecture architecture = ClipArchitecture.infer(weights, merged);
            if (configJson != null) {
                CheckpointConfigs.check(config.get(), layout.equals(TRANSFORMERS)
                        ? CheckpointConfigs.transformersSizes(config.get(), configJson, architecture)
                        : CheckpointConfigs.openClipSizes(config.get(), configJson, architecture), weights);
            }
            ClipShapes.check(weights, architecture);
            checkCard(card, file, architecture);
            List<Path> files = config.isPresent() ? List.of(file, config.get()) : List.of(file);
            return new ClipCheckpoint(weights, architecture, layout, files, st.storedTypes());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * The files a checkpoint's network is made of, for the model hash: the checkpoint and its layout's config (which
     * sets activation and pooling), so that editing the config makes a new cache block. Reads only the header.
     */
    public static List<Path> files(ModelCard card, Path file) throws IOException {
        Safetensors st = Safetensors.open(file);
        try {
            Optional<Path> config = config(card, file, layout(card, cardJson(card), st, file));
            return config.isPresent() ? List.of(file, config.get()) : List.of(file);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static void checkCard(ModelCard card, Path file, ClipArchitecture arch) throws IOException {
        int size = card.preprocess().imageSize();
        if (arch.imageResolution() != size) {
            throw new IOException(file + ": the checkpoint's image tower takes " + arch.imageResolution() + "x"
                    + arch.imageResolution() + " images but the model card says image_size " + size);
        }
        if (arch.text() != null && card.contextLength() > 0 && arch.text().contextLength() != card.contextLength()) {
            throw new IOException(file + ": the checkpoint's text tower takes " + arch.text().contextLength()
                    + " tokens but the model card says context_length " + card.contextLength());
        }
    }

    private static String layout(ModelCard card, JsonNode cardJson, Checkpoint st, Path file) {
        String named = cardJson == null ? null : cardJson.path("layout").asText(null);
        boolean hf = TransformersCheckpoint.matches(st);
        if (named == null) {
            return hf ? TRANSFORMERS : config(card, file, OPEN_CLIP).isPresent() ? OPEN_CLIP : OPENAI;
        }
        if (!LAYOUTS.contains(named)) {
            throw new IllegalArgumentException(card.directory().resolve(ModelCards.CARD_FILE) + ": layout '" + named
                    + "' is not one of " + LAYOUTS);
        }
        if (hf != named.equals(TRANSFORMERS)) {
            throw new IllegalArgumentException(file + ": the model card says layout '" + named + "' but the tensors"
                    + " are named as in " + (hf ? "transformers (vision_model.*)" : "OpenAI's state dict (visual.*)"));
        }
        return named;
    }

    /** The layout's config file: the card's {@code safetensors.config}, else the usual name beside the checkpoint. */
    private static Optional<Path> config(ModelCard card, Path file, String layout) {
        if (layout.equals(OPENAI)) {
            return Optional.empty();
        }
        Optional<Path> named = card.artifact(FORMAT, CONFIG_ROLE);
        if (named.isPresent()) {
            return named;
        }
        Path beside = file.resolveSibling(layout.equals(TRANSFORMERS) ? "config.json" : "open_clip_config.json");
        if (Files.isRegularFile(beside)) {
            return Optional.of(beside);
        }
        if (layout.equals(TRANSFORMERS)) {
            throw new IllegalArgumentException(file + ": a transformers checkpoint needs its config.json (looked for "
                    + beside + "; or name it as artifacts.safetensors.config in " + ModelCards.CARD_FILE + ")");
        }
        return Optional.empty();
    }

    /** The card's {@code model-card.json} as JSON (for its {@code architecture} block), or null without one. */
    public static JsonNode cardJson(ModelCard card) throws IOException {
        Path file = card.directory().resolve(ModelCards.CARD_FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        return ModelCards.readJson(file);
    }
}
