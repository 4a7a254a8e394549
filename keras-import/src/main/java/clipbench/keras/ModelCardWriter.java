package clipbench.keras;

import clipbench.api.io.AtomicFiles;

import clipbench.api.model.ModelCards;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Writes and amends {@code model-card.json} files as JSON (keeping fields the harness's {@code ModelCard} does not
 * model, such as {@code feature_layer}), replacing the file atomically. A later step adds its artifact with
 * {@link #addArtifact}, e.g. {@code addArtifact(dir, "onnx", "image", "model.onnx")}.
 */
public final class ModelCardWriter {
    /** The {@code task} of an image-to-image network's card. */
    public static final String IMAGE_TO_IMAGE = "image-to-image";

    /** Pretty-printing mapper used for cards. */
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelCardWriter() {
    }

    /** The card of a model directory (or the card file itself) as a mutable JSON object. */
    public static ObjectNode read(Path modelDirOrCard) throws IOException {
        Path file = cardFile(modelDirOrCard);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no model card");
        }
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IOException(file + ": a model card must be a JSON object");
        }
        return (ObjectNode) n;
    }

    /** Writes the card (to a temporary file, then moved over the old one); returns the card file. */
    public static Path write(Path modelDirOrCard, ObjectNode card) throws IOException {
        Path file = cardFile(modelDirOrCard);
        AtomicFiles.write(file, out -> JSON.writeValue(out, card));
        return file;
    }

    /**
     * Adds (or replaces) {@code artifacts.<format>.<role> = file} in a model directory's card; the file must exist
     * in the directory. Returns the card file.
     */
    public static Path addArtifact(Path modelDir, String format, String role, String file) throws IOException {
        if (!Files.isRegularFile(modelDir.resolve(file))) {
            throw new NoSuchFileException(modelDir.resolve(file).toString(), null,
                    "artifact to add to the model card does not exist");
        }
        ObjectNode card = read(modelDir);
        ObjectNode artifacts = card.has("artifacts") && card.get("artifacts").isObject()
                ? (ObjectNode) card.get("artifacts") : card.putObject("artifacts");
        ObjectNode roles = artifacts.has(format) && artifacts.get(format).isObject()
                ? (ObjectNode) artifacts.get(format) : artifacts.putObject(format);
        roles.put(role, file);
        return write(modelDir, card);
    }

    /**
     * A card for a Keras (TF.js layers) model: {@code family keras}, {@code preprocess scale01} (pixels / 255, no
     * mean or std), no text tower.
     */
    public static ObjectNode kerasCard(String name, int imageSize, int embedDim, String featureLayer,
                                       String topology, String weights, String source) {
        ObjectNode card = JSON.createObjectNode();
        card.put("name", name);
        card.put("family", "keras");
        card.put("preprocess", "scale01");
        card.put("image_size", imageSize);
        card.put("embed_dim", embedDim);
        card.put("context_length", 0);
        card.put("feature_layer", featureLayer);
        ObjectNode keras = card.putObject("artifacts").putObject("keras");
        keras.put("topology", topology);
        keras.put("weights", weights);
        card.put("source", source);
        return card;
    }

    /**
     * A card for a Keras image-to-image network (e.g. super-resolution): {@code family keras},
     * {@code task image-to-image}, {@code scale} (output = scale x input), {@code image_size} (the tile size a
     * runner feeds), {@code value_range [0, max]} for input and output pixels, no embedding and no text tower.
     */
    public static ObjectNode kerasImageToImageCard(String name, int scale, int tile, double valueMax, String topology,
                                                   String weights, String source) {
        ObjectNode card = JSON.createObjectNode();
        card.put("name", name);
        card.put("family", "keras");
        card.put("task", IMAGE_TO_IMAGE);
        card.put("scale", scale);
        card.put("image_size", tile);
        card.put("preprocess", "scale01"); // pixels / 255 ... times value_range[1]: see value_range
        card.putArray("value_range").add(0).add(valueMax);
        card.put("embed_dim", 0);
        card.put("context_length", 0);
        card.put("layout", "Keras NHWC inside; backends take and give NCHW images");
        ObjectNode keras = card.putObject("artifacts").putObject("keras");
        keras.put("topology", topology);
        keras.put("weights", weights);
        card.put("source", source);
        return card;
    }

    /** True when the card says {@code task image-to-image}. */
    public static boolean isImageToImage(JsonNode card) {
        return card != null && IMAGE_TO_IMAGE.equals(card.path("task").asText(""));
    }

    private static Path cardFile(Path modelDirOrCard) {
        return Files.isDirectory(modelDirOrCard) ? modelDirOrCard.resolve(ModelCards.CARD_FILE) : modelDirOrCard;
    }
}
