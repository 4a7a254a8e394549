package clipbench.backend.tensorflow;

import clipbench.api.model.ModelCard;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.Embeddings;
import clipbench.api.spi.ImageBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.ConfigProto;

/**
 * A CLIP model on TensorFlow Java: SavedModel signatures, or CLIP built from a safetensors checkpoint (see
 * {@link ModelSources} for which). Each batch is one signature call.
 */
public final class TfBackbone implements Backbone {
    private final ModelCard card;
    private final List<TfModel> models;
    private final ImageTower image;
    /** Null without a text tower. */
    private final TextTower text;
    private final int dim;
    private final Set<Capability> capabilities;

    private TfBackbone(ModelCard card, List<TfModel> models, ImageTower image, TextTower text, int dim,
                       boolean gpu) {
        this.card = card;
        this.models = models;
        this.image = image;
        this.text = text;
        this.dim = dim;
        Set<Capability> caps = EnumSet.noneOf(Capability.class);
        if (text != null) {
            caps.add(Capability.TEXT_TOWER);
        }
        if (gpu) {
            caps.add(Capability.GPU);
        }
        this.capabilities = Set.copyOf(caps);
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
            return new TfBackbone(card, List.copyOf(models.values()), image, text, dim, gpu);
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
        Safetensors checkpoint = Safetensors.open(source);
        try {
            ClipArchitecture arch = ClipArchitecture.infer(checkpoint, ModelSources.cardJson(card));
            int size = card.preprocess().imageSize();
            if (arch.imageResolution() != size) {
                throw new IOException(source + ": the checkpoint's image tower takes " + arch.imageResolution() + "x"
                        + arch.imageResolution() + " images but the model card says image_size " + size);
            }
            if (withText && arch.text() != null && card.contextLength() > 0
                    && arch.text().contextLength() != card.contextLength()) {
                throw new IOException(source + ": the checkpoint's text tower takes " + arch.text().contextLength()
                        + " tokens but the model card says context_length " + card.contextLength());
            }
            return TfModel.build(checkpoint, arch, withText, config);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The card's embed_dim, checked against what the towers declare; found by a trial run if none says. */
    private static int embeddingDim(ModelCard card, ImageTower image, TextTower text) throws IOException {
        long dim = card.embedDim();
        List<TfTower> towers = new ArrayList<>(List.of(image));
        if (text != null) {
            towers.add(text);
        }
        for (TfTower tower : towers) {
            if (tower.declaredDim <= 0) {
                continue;
            }
            if (dim > 0 && tower.declaredDim != dim) {
                throw new IOException(tower.where() + ": output '" + tower.output + "' has " + tower.declaredDim
                        + " values per row, but " + (card.embedDim() > 0 ? "the model card says embed_dim "
                        + card.embedDim() : image.where() + " gives " + dim));
            }
            dim = tower.declaredDim;
        }
        if (dim > 0) {
            return (int) dim;
        }
        int size = card.preprocess().imageSize();
        return image.embed(new ImageBatch(1, size, new float[ImageBatch.CHANNELS * size * size]))[0].length;
    }

    @Override
    public ModelCard card() {
        return card;
    }

    @Override
    public int embeddingDim() {
        return dim;
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public float[][] embedImages(ImageBatch batch) {
        return checked(image, image.embed(batch));
    }

    @Override
    public float[][] embedTokens(int[][] tokenIds) {
        if (text == null) {
            throw new UnsupportedOperationException(card.directory() + ": no TensorFlow text tower (the model card"
                    + " lists no savedmodel text role or has context_length 0), so this model cannot embed text");
        }
        return checked(text, text.embed(tokenIds));
    }

    private float[][] checked(TfTower tower, float[][] rows) {
        return Embeddings.requireWidth(rows, dim, tower.where() + ": output '" + tower.output + "'");
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
