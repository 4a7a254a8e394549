package clipbench.upsamplers;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ImageToImage;
import clipbench.api.spi.Plugins;
import clipbench.api.spi.Upsampler;
import clipbench.api.spi.UpsamplerProvider;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code sr-model:DIR[@BACKEND]}: a super-resolution network run by a backend plugin (default {@code onnx}).
 *
 * <p>{@code DIR} is a model directory whose {@code model-card.json} has {@code scale} (2..8), an optional
 * {@code value_range} {@code [0, MAX]} (the network's pixel range, default [0, 1]; UpscalerJS's RDN networks: 255),
 * {@code image_size} (the tile size) and an artifact of role {@code model} for the backend's format, e.g.
 * {@code "artifacts": {"onnx": {"model": "sr.onnx"}}}. An optional {@code tile_overlap} (pixels of context
 * on each side of a tile) overrides the default {@link SrModelUpsampler#defaultOverlap(int) tile/4}. The
 * network is opened once, with the run's backend options ({@link BackendOptions#defaults()} through
 * {@link #create(String)}), through {@code Plugins.backend(BACKEND).openImageToImage(card, options)}. See {@link SrModelUpsampler} for what
 * happens to an image.
 *
 * <p>The argument is split at its last {@code @} unless the whole argument names an existing folder, so
 * {@code models/x4@2024} still works when that folder exists; the backend id may not contain {@code /}.
 */
public final class SrModelUpsamplerProvider implements UpsamplerProvider {
    public static final String ID = "sr-model";
    public static final String DEFAULT_BACKEND = "onnx";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "super-resolution network: sr-model:DIR[@backend] (model-card.json with scale and image_size = tile),"
                + " tiled, then PIL bicubic to the exact size";
    }

    /** The parsed argument. */
    public record Spec(Path directory, String backend) {
    }

    /** Splits {@code DIR[@BACKEND]}. */
    public static Spec parse(String argument) {
        if (argument == null || argument.isBlank()) {
            throw new IllegalArgumentException("upsampler sr-model: give the model folder, e.g. "
                    + "sr-model:models/espcn-x4 or sr-model:models/espcn-x4@onnx");
        }
        String arg = argument.strip();
        int at = arg.lastIndexOf('@');
        if (at < 0 || Files.isDirectory(Path.of(arg))) {
            return new Spec(Path.of(arg), DEFAULT_BACKEND);
        }
        String backend = arg.substring(at + 1);
        if (backend.isEmpty() || backend.contains("/") || backend.contains("\\")) {
            return new Spec(Path.of(arg), DEFAULT_BACKEND);
        }
        if (at == 0) {
            throw new IllegalArgumentException("upsampler sr-model: no model folder before '@" + backend + "'");
        }
        return new Spec(Path.of(arg.substring(0, at)), backend);
    }

    /**
     * @throws IOException              naming the file when the folder, card or artifact is missing or invalid
     * @throws IllegalArgumentException for a bad argument, an unknown backend or a bad {@code scale}
     */
    @Override
    public Upsampler create(String argument) throws IOException {
        return create(argument, BackendOptions.defaults());
    }

    @Override
    public Upsampler create(String argument, BackendOptions options) throws IOException {
        Spec spec = parse(argument);
        Path dir = spec.directory().toAbsolutePath().normalize();
        Path cardFile = dir.resolve(ModelCards.CARD_FILE);
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "sr-model: model folder not found");
        }
        if (!Files.isRegularFile(cardFile)) {
            throw new NoSuchFileException(cardFile.toString(), null,
                    "sr-model: needs a model-card.json with scale, image_size and artifacts.<format>.model");
        }
        ModelCard card = ModelCards.load(dir);
        JsonNode root;
        try {
            root = JSON.readTree(cardFile.toFile());
        } catch (IOException e) {
            throw new IOException(cardFile + ": not valid JSON: " + e.getMessage(), e);
        }
        JsonNode scaleNode = root.get("scale");
        if (scaleNode == null || !scaleNode.canConvertToInt()
                || scaleNode.asInt() < 2 || scaleNode.asInt() > 8) {
            throw new IOException(cardFile + ": field 'scale' must be an integer 2..8, got " + scaleNode);
        }
        int scale = scaleNode.asInt();
        float valueMax = 1f;
        JsonNode range = root.get("value_range");
        if (range != null) {
            if (!(range.isArray() && range.size() == 2 && range.get(0).isNumber() && range.get(1).isNumber()
                    && range.get(0).asDouble() == 0 && range.get(1).asDouble() > 0)) {
                throw new IOException(cardFile + ": field 'value_range' must be [0, MAX] with MAX > 0 (e.g. [0, 1]"
                        + " or [0, 255]), got " + range);
            }
            valueMax = (float) range.get(1).asDouble();
        }
        int tile = card.preprocess().imageSize();
        int overlap = SrModelUpsampler.defaultOverlap(tile);
        JsonNode overlapNode = root.get("tile_overlap");
        if (overlapNode != null) {
            if (!overlapNode.canConvertToInt() || overlapNode.asInt() < 0 || 2 * overlapNode.asInt() >= tile) {
                throw new IOException(cardFile + ": field 'tile_overlap' must be an integer in 0.."
                        + ((tile - 1) / 2) + " (less than half of image_size " + tile + "), got " + overlapNode);
            }
            overlap = overlapNode.asInt();
        }
        BackboneProvider backend = Plugins.backend(spec.backend());
        ImageToImage network = backend.openImageToImage(card, options);
        return new SrModelUpsampler(network, scale, tile, overlap, valueMax,
                ID + ":" + card.directory().toAbsolutePath().normalize() + "@" + backend.id());
    }
}
