package clipbench.backend.onnx;

import clipbench.api.model.ModelCard;
import clipbench.checkpoint.ClipCheckpoint;
import clipbench.checkpoint.ClipCheckpoints;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The ONNX files that run a CLIP card. The card's ONNX towers ({@code artifacts.onnx.image}, optional {@code text})
 * win when it lists them, as before checkpoints were read; a card that lists none but has
 * {@code artifacts.safetensors.checkpoint} runs both towers written from the checkpoint by {@link ClipOnnxWriter}
 * and kept in {@link CheckpointGraphCache}. An {@code onnx} role may also name a {@code .safetensors} file (as
 * TensorFlow's {@code savedmodel} roles may): it is written as ONNX, the text tower only when the card has a
 * {@code text} role. {@code onnx.source=export|checkpoint} forces the ONNX roles or the checkpoint.
 *
 * @param text null without a text tower
 */
record OnnxSource(Path image, Path text) {
    /** The {@code onnx.source} setting. */
    enum Choice { AUTO, EXPORT, CHECKPOINT }

    static OnnxSource resolve(ModelCard card, OrtSettings settings) throws IOException {
        boolean fromCheckpoint = fromCheckpoint(card, settings.source());
        Path image = fromCheckpoint ? card.requireArtifact(ClipCheckpoints.FORMAT, ClipCheckpoints.ROLE)
                : card.requireArtifact(OnnxBackboneProvider.ID, "image");
        Path text = card.artifact(OnnxBackboneProvider.ID, "text").orElse(null);
        if (fromCheckpoint || isSafetensors(image)) {
            ClipCheckpoint checkpoint = ClipCheckpoints.open(card, image);
            CheckpointGraphCache.Graphs g = new CheckpointGraphCache(settings.checkpointCache()).graphs(checkpoint);
            // A card with context_length 0 is an image tower, whatever the checkpoint holds.
            boolean withText = card.contextLength() > 0 && (fromCheckpoint || text != null);
            return new OnnxSource(g.image(), withText ? g.text() : null);
        }
        OrtSessions.requireFile(image);
        if (text != null) {
            OrtSessions.requireFile(text);
        }
        return new OnnxSource(image, text);
    }

    /** Whether the card runs from {@code artifacts.safetensors.checkpoint} under this choice. */
    static boolean fromCheckpoint(ModelCard card, Choice choice) {
        return switch (choice) {
            case CHECKPOINT -> true;
            case EXPORT -> false;
            case AUTO -> card.artifact(OnnxBackboneProvider.ID, "image").isEmpty()
                    && ClipCheckpoints.file(card).isPresent();
        };
    }

    /** The checkpoint files when the card runs from its checkpoint by default, else null (its ONNX roles). */
    static List<Path> checkpointFiles(ModelCard card) throws IOException {
        return fromCheckpoint(card, Choice.AUTO) ? ClipCheckpoints.open(card).files() : null;
    }

    private static boolean isSafetensors(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors");
    }
}
