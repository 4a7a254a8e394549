package clipbench.backend.tensorflow;

import clipbench.checkpoint.ClipCheckpoint;
import clipbench.checkpoint.ClipCheckpoints;
import clipbench.api.model.ModelCard;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.FineTunable;
import clipbench.api.spi.TwoTowerBackbone;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.ConfigProto;

/**
 * A CLIP model on TensorFlow Java: SavedModel signatures, or CLIP built from a safetensors checkpoint (see
 * {@link ModelSources} for which). Each batch is one signature call.
 */
public final class TfBackbone extends TwoTowerBackbone {
    private final List<TfModel> models;
    /** The image tower's checkpoint when CLIP is built from one (it can then be fine-tuned), else null. */
    private final Path checkpoint;
    private final ConfigProto config;

    private TfBackbone(ModelCard card, List<TfModel> models, ImageTower image, TextTower text, int dim,
                       boolean gpu, Path checkpoint, ConfigProto config) {
        super(card, image, text, dim, gpu, checkpoint != null ? Set.of(Capability.FINE_TUNE) : Set.of());
        this.models = models;
        this.checkpoint = checkpoint;
        this.config = config;
    }

    static TfBackbone open(ModelCard card, BackendOptions options) throws IOException {
        ModelSources sources = ModelSources.resolve(card);
        boolean gpu = TfRuntime.useGpu(options);
        ConfigProto config = TfRuntime.config(options, gpu);
        Map<Path, TfModel> models = new LinkedHashMap<>();
        try {
            int size = card.preprocess().imageSize();
            boolean textHere = sources.image().equals(sources.text());
            TfModel imageModel = load(card, sources.image(), textHere, config);
            models.put(sources.image(), imageModel);
            ImageTower image = ImageTower.find(imageModel, size, card.contextLength());
            TextTower text = null;
            if (sources.text() != null) {
                TfModel textModel = models.get(sources.text());
                if (textModel == null) {
                    textModel = load(card, sources.text(), true, config);
                    models.put(sources.text(), textModel);
                }
                text = TextTower.find(textModel, card.contextLength(), size);
                if (text == null) {
                    throw new IOException(textModel.source + ": no text signature: expected '" + ClipGraph.TEXT_SIGNATURE
                            + "' (input '" + ClipGraph.TEXT_INPUT + "' int64 [N, context] -> '" + ClipGraph.OUTPUT
                            + "') or Hugging Face's '" + TfTower.HF_SIGNATURE + "' with " + TfTower.HF_IDS + " -> "
                            + TfTower.HF_TEXT_OUT + ", as the model card's context_length " + card.contextLength()
                            + " asks; found " + textModel.describe());
                }
            }
            int dim = embeddingDim(card, image, text);
            Path checkpoint = ModelSources.isCheckpoint(sources.image()) ? sources.image() : null;
            return new TfBackbone(card, List.copyOf(models.values()), image, text, dim, gpu, checkpoint, config);
        } catch (IOException | RuntimeException e) {
            models.values().forEach(m -> {
                try {
                    m.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            });
            throw e;
        }
    }

    /** A SavedModel directory, or CLIP built from a checkpoint (with its text tower when asked). */
    private static TfModel load(ModelCard card, Path source, boolean withText, ConfigProto config) throws IOException {
        if (!ModelSources.isCheckpoint(source)) {
            return TfModel.loadSavedModel(source, config);
        }
        ClipCheckpoint checkpoint = ClipCheckpoints.open(card, source);
        return TfModel.build(checkpoint.weights(), checkpoint.architecture(), withText, config);
    }

    /** CLIP built from a checkpoint, cut by {@link ClipGraphCut}; a SavedModel's graph is not rebuilt. */
    @Override
    public FineTunable fineTunable() {
        if (checkpoint == null) {
            throw new UnsupportedOperationException("model " + card().name() + ": a SavedModel image tower cannot"
                    + " be fine-tuned (TensorFlow trains towers it builds from a safetensors checkpoint)");
        }
        try {
            ClipCheckpoint c = ClipCheckpoints.open(card(), checkpoint);
            return new ClipGraphCut(c.weights(), c.architecture(), config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected String missingTextTower() {
        return "no TensorFlow text tower (the model card lists no savedmodel text role or has context_length 0)";
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (TfModel model : models) {
            try {
                model.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
