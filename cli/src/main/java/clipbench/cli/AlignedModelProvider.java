package clipbench.cli;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Device;
import clipbench.api.spi.Plugins;
import clipbench.checkpoint.Safetensors;
import clipbench.protocol.align.AlignedBackbone;
import clipbench.protocol.align.AlignedProjections;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Opens a folder written by {@code clipbench align} ({@link AlignedModelFolder}) as an {@link AlignedBackbone}: the
 * image tower on the chosen backend, the text tower on the backend its card names (ONNX Runtime), and the
 * projections. It stands in for the chosen backend's provider (same id), so cache keys and results rows name that
 * backend; the model hash covers both towers' files and the projections.
 */
final class AlignedModelProvider implements BackboneProvider {
    private final BackboneProvider image;

    private AlignedModelProvider(BackboneProvider image) {
        this.image = image;
    }

    /** {@code chosen} itself, or, for an aligned model's card, the provider that composes it on {@code chosen}. */
    static BackboneProvider forCard(BackboneProvider chosen, ModelCard card) {
        return AlignedModelFolder.FAMILY.equals(card.family()) ? new AlignedModelProvider(chosen) : chosen;
    }

    /** An aligned model's two towers: their cards and the backend of the text tower. */
    private record Towers(ModelCard image, ModelCard text, BackboneProvider textProvider) {
        static Towers of(ModelCard card) throws IOException {
            Path file = card.directory().resolve(ModelCards.CARD_FILE);
            JsonNode towers = ModelCards.readJson(file).path("towers");
            return new Towers(ModelCards.load(path(file, towers, "image")), ModelCards.load(path(file, towers, "text")),
                    Plugins.backend(towers.path("text").path("backend").asText(AlignCommand.TEXT_BACKEND)));
        }

        private static Path path(Path file, JsonNode towers, String which) throws IOException {
            String p = towers.path(which).path("path").asText("");
            if (p.isBlank()) {
                throw new IOException(file + ": an aligned model's card must name towers." + which + ".path");
            }
            return file.getParent().resolve(p);
        }
    }

    @Override
    public String id() {
        return image.id();
    }

    @Override
    public String description() {
        return image.description();
    }

    @Override
    public String artifactFormat() {
        return image.artifactFormat();
    }

    @Override
    public String runtimeVersion() {
        return image.runtimeVersion();
    }

    @Override
    public void checkSettings(Map<String, String> settings) {
        image.checkSettings(settings);
    }

    @Override
    public List<Path> artifactFiles(ModelCard card) throws IOException {
        Towers towers = Towers.of(card);
        List<Path> files = new ArrayList<>(image.artifactFiles(towers.image()));
        files.addAll(towers.textProvider().artifactFiles(towers.text()));
        files.add(card.directory().resolve(AlignedModelFolder.PROJECTIONS));
        return files;
    }

    @Override
    public Backbone open(ModelCard card, BackendOptions options) throws IOException {
        Towers towers = Towers.of(card);
        AlignedProjections projections = projections(card.directory().resolve(AlignedModelFolder.PROJECTIONS));
        BackboneProvider textProvider = towers.textProvider();
        BackendOptions textOptions = textProvider.id().equals(image.id()) ? options
                : new BackendOptions(options.intraOpThreads(), Device.CPU);
        Backbone imageTower = image.open(towers.image(), options);
        try {
            Backbone textTower = textProvider.open(towers.text(), textOptions);
            try {
                return new AlignedBackbone(card, imageTower, textTower, projections);
            } catch (RuntimeException e) {
                textTower.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            imageTower.close();
            throw e;
        }
    }

    /** The projections and temperature of {@link AlignedModelFolder#PROJECTIONS}. */
    static AlignedProjections projections(Path file) throws IOException {
        Safetensors st = Safetensors.open(file);
        long[] wi = st.shape(AlignedModelFolder.IMAGE_PROJECTION);
        long[] wt = st.shape(AlignedModelFolder.TEXT_PROJECTION);
        if (wi.length != 2 || wt.length != 2 || wi[0] != wt[0]) {
            throw new IOException(file + ": expected image_projection [dim, di] and text_projection [dim, dt], got "
                    + Arrays.toString(wi) + " and " + Arrays.toString(wt));
        }
        return new AlignedProjections((int) wi[0], (int) wi[1], (int) wt[1], st.floats(AlignedModelFolder.IMAGE_PROJECTION),
                st.floats(AlignedModelFolder.TEXT_PROJECTION), st.floats(AlignedModelFolder.LOG_LOGIT_SCALE)[0]);
    }
}
