package clipbench.cli;

import clipbench.api.io.AtomicFiles;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.checkpoint.SafetensorsWriter;
import clipbench.protocol.align.AlignedProjections;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The model directory {@code clipbench align} writes: {@value #PROJECTIONS} (F32 {@code image_projection [dim, di]},
 * {@code text_projection [dim, dt]}, scalar {@code log_logit_scale}), a {@code model-card.json} of family
 * {@value #FAMILY} naming both tower folders (absolute paths) with the image tower's preprocessing, and
 * {@value #PROVENANCE}. Written into a temporary sibling folder and published by one rename, so a folder at
 * {@code out} is always complete; a non-empty {@code out} is refused.
 */
final class AlignedModelFolder {
    static final String FAMILY = "aligned";
    static final String PROJECTIONS = "projections.safetensors";
    static final String PROVENANCE = "provenance.json";
    static final String IMAGE_PROJECTION = "image_projection";
    static final String TEXT_PROJECTION = "text_projection";
    static final String LOG_LOGIT_SCALE = "log_logit_scale";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A tower the aligned model embeds through: its folder and the backend that runs it. */
    record Tower(ModelCard card, String backend) {
        Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", card.directory().toAbsolutePath().normalize().toString());
            m.put("name", card.name());
            m.put("backend", backend);
            m.put("embed_dim", card.embedDim());
            return m;
        }
    }

    private AlignedModelFolder() {
    }

    /** Fails, naming {@code out}, when it is a file or a non-empty folder (checked before any work). */
    static void requireFree(Path out) throws IOException {
        if (Files.isRegularFile(out)) {
            throw new IOException(out + ": --out is a file; give a new folder");
        }
        if (Files.isDirectory(out)) {
            try (Stream<Path> s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new DirectoryNotEmptyException(out + " (--out must be new or empty)");
                }
            }
        }
    }

    /** The card of the aligned model: a CLIP-like card whose artifacts are the projections. */
    static Map<String, Object> card(String name, Tower image, Tower text, AlignedProjections p) {
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("name", name);
        card.put("family", FAMILY);
        card.put("preprocess", image.card().preprocess().mode());
        card.put("image_size", image.card().preprocess().imageSize());
        card.put("mean", image.card().preprocess().mean());
        card.put("std", image.card().preprocess().std());
        card.put("context_length", text.card().contextLength());
        card.put("embed_dim", p.dim());
        card.put("logit_scale", p.logitScale());
        card.put("towers", Map.of("image", image.describe(), "text", text.describe()));
        card.put("artifacts", Map.of(FAMILY, Map.of("projections", PROJECTIONS)));
        return card;
    }

    /** Writes the folder at {@code out} (see the class comment); returns it. */
    static Path write(Path out, Map<String, Object> card, AlignedProjections p, Map<String, Object> provenance)
            throws IOException {
        requireFree(out);
        Path target = out.toAbsolutePath().normalize();
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".");
        try {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            Map<String, float[]> values = new LinkedHashMap<>();
            shapes.put(IMAGE_PROJECTION, new long[] {p.dim(), p.imageWidth()});
            values.put(IMAGE_PROJECTION, p.image());
            shapes.put(TEXT_PROJECTION, new long[] {p.dim(), p.textWidth()});
            values.put(TEXT_PROJECTION, p.text());
            shapes.put(LOG_LOGIT_SCALE, new long[0]);
            values.put(LOG_LOGIT_SCALE, new float[] {(float) p.logScale()});
            SafetensorsWriter.write(tmp.resolve(PROJECTIONS), shapes, values, false);
            Files.write(tmp.resolve(PROVENANCE), JSON.writeValueAsBytes(provenance));
            Files.write(tmp.resolve(ModelCards.CARD_FILE), JSON.writeValueAsBytes(card));
            ModelCards.load(tmp); // the card must read back as any model's
            if (Files.isDirectory(target)) {
                Files.delete(target); // empty (checked above)
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            AtomicFiles.deleteTree(tmp);
        }
        return target;
    }
}
