package clipbench.checkpoint;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    /** {@link #open(ModelCard)} on a checkpoint file the card names in another role. */
    public static ClipCheckpoint open(ModelCard card, Path file) throws IOException {
        Safetensors st = Safetensors.open(file);
        ClipArchitecture arch;
        try {
            arch = ClipArchitecture.infer(st, cardJson(card));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        int size = card.preprocess().imageSize();
        if (arch.imageResolution() != size) {
            throw new IOException(file + ": the checkpoint's image tower takes " + arch.imageResolution() + "x"
                    + arch.imageResolution() + " images but the model card says image_size " + size);
        }
        if (arch.text() != null && card.contextLength() > 0 && arch.text().contextLength() != card.contextLength()) {
            throw new IOException(file + ": the checkpoint's text tower takes " + arch.text().contextLength()
                    + " tokens but the model card says context_length " + card.contextLength());
        }
        return new ClipCheckpoint(st, arch, "openai", List.of(file), st.storedTypes());
    }

    /** The card's {@code model-card.json} as JSON (for its {@code architecture} block), or null without one. */
    public static JsonNode cardJson(ModelCard card) throws IOException {
        Path file = card.directory().resolve(ModelCards.CARD_FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }
}
