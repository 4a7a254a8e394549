package clipbench.backend.tensorflow;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.checkpoint.ClipCheckpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where each tower of a model directory comes from, in this order:
 * <ol>
 *   <li>the card's {@code artifacts.savedmodel}: role {@code model} (one SavedModel with both signatures), or
 *       roles {@code image} and optional {@code text} (may be the same directory);</li>
 *   <li>a {@code savedmodel/} folder holding {@code saved_model.pb} in the model directory;</li>
 *   <li>the card's {@code artifacts.safetensors.checkpoint}, built with TF ops.</li>
 * </ol>
 * A {@code savedmodel} role may also name a {@code .safetensors} file, which is then built. The text tower is
 * wanted only when the card's {@code context_length} is positive (and, with {@code image}/{@code text} roles,
 * when {@code text} is listed).
 *
 * @param image the SavedModel directory or checkpoint of the image tower
 * @param text  that of the text tower, or null
 */
record ModelSources(Path image, Path text) {
    static final String FORMAT = "savedmodel";
    static final String FOLDER = "savedmodel";

    static ModelSources resolve(ModelCard card) throws IOException {
        Map<String, String> roles = card.artifacts().get(FORMAT);
        Path image;
        Path text;
        if (roles != null && (roles.containsKey("image") || roles.containsKey("model"))) {
            image = card.artifact(FORMAT, roles.containsKey("image") ? "image" : "model").orElseThrow();
            text = roles.containsKey("text") ? card.artifact(FORMAT, "text").orElseThrow()
                    : roles.containsKey("image") ? null : image;
        } else if (Files.isRegularFile(card.directory().resolve(FOLDER).resolve("saved_model.pb"))) {
            image = card.directory().resolve(FOLDER);
            text = image;
        } else {
            image = card.artifact("safetensors", "checkpoint").orElseThrow(() -> new NoSuchFileException(
                    card.directory().toString(), null, "no SavedModel (artifacts.savedmodel.model or .image in "
                    + ModelCards.CARD_FILE + ", or a " + FOLDER + "/ folder holding saved_model.pb) and no"
                    + " safetensors checkpoint (artifacts.safetensors.checkpoint)"));
            text = image;
        }
        return new ModelSources(image, card.contextLength() > 0 ? text : null);
    }

    static boolean isCheckpoint(Path source) {
        return source.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors");
    }

    /**
     * The files whose bytes the towers are made of (a checkpoint with its layout's config file, or every file of a
     * SavedModel), sorted.
     */
    List<Path> files(ModelCard card) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path source : text == null || text.equals(image) ? List.of(image) : List.of(image, text)) {
            if (isCheckpoint(source) && Files.isRegularFile(source)) {
                out.addAll(ClipCheckpoints.files(card, source));
            } else if (isCheckpoint(source) || !Files.isDirectory(source)) {
                out.add(source);
            } else {
                try (Stream<Path> walk = Files.walk(source)) {
                    walk.filter(Files::isRegularFile).sorted().forEach(out::add);
                }
            }
        }
        return out;
    }
}
