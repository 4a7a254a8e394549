package clipbench.backend.djl;

import clipbench.api.model.ModelCard;
import clipbench.api.spi.AbstractBackbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.FineTunable;
import clipbench.api.spi.ImageBatch;
import clipbench.keras.KerasModel;
import clipbench.keras.KerasModels;
import clipbench.keras.KerasShapes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A Keras image model (a card with {@code "family": "keras"}, or with {@code artifacts.keras} and no TorchScript)
 * run by DJL's PyTorch engine: {@link KerasModels#load} reads the model (cut at the card's {@code feature_layer}
 * when it names one) and {@link KerasNet} evaluates it with libtorch operations. Image only: no text tower.
 * Images come in as the card's preprocessing makes them (NCHW floats; nsfwjs models: pixels / 255).
 */
final class KerasBackbone extends AbstractBackbone {
    static final String FORMAT = "keras";
    static final String FAMILY = "keras";

    private final KerasNet net;
    /** The model as run, for cutting it ({@link #fineTunable}). */
    private final KerasModel model;
    private final int threads;

    private KerasBackbone(ModelCard card, KerasModel model, KerasNet net, int dim, int threads) {
        // FINE_TUNE: every layer KerasNet runs has a libtorch gradient
        super(card, dim, capabilities(false, net.device.isGpu(), Capability.FINE_TUNE));
        this.net = net;
        this.model = model;
        this.threads = threads;
    }

    /** Whether {@code card} is a Keras model: family {@code keras}, or a {@code keras} artifact and no TorchScript. */
    static boolean handles(ModelCard card) {
        return FAMILY.equalsIgnoreCase(card.family())
                || (card.artifacts().containsKey(FORMAT) && !card.artifacts().containsKey(DjlBackboneProvider.FORMAT));
    }

    /** The files that make the model (topology and weights), hashed for provenance. */
    static List<Path> files(ModelCard card) throws IOException {
        try {
            return KerasModels.files(card);
        } catch (IllegalArgumentException e) {
            throw new IOException(card.directory() + ": " + e.getMessage(), e);
        }
    }

    static KerasBackbone open(ModelCard card, BackendOptions options) throws IOException {
        KerasModel model;
        try {
            model = KerasModels.load(card);
        } catch (IllegalArgumentException e) {
            throw new IOException(card.directory() + ": " + e.getMessage(), e);
        }
        return open(card, model, options);
    }

    /**
     * Builds {@code model} for {@code card}. Fails (naming the card and the layer) when the model does not fit the
     * card's image size or {@code embed_dim}, or has a layer or weight it cannot run; no image is run.
     */
    static KerasBackbone open(ModelCard card, KerasModel model, BackendOptions options) throws IOException {
        int[] input = model.inputShape();
        int size = card.preprocess().imageSize();
        if (input.length != 3 || input[2] != ImageBatch.CHANNELS) {
            throw new IOException(card.directory() + ": model " + model.name() + " takes input "
                    + java.util.Arrays.toString(input) + " (height, width, channels); images have "
                    + ImageBatch.CHANNELS + " channels");
        }
        if (input[0] != size || input[1] != size) {
            throw new IOException(card.directory() + ": model " + model.name() + " takes " + input[0] + "x" + input[1]
                    + " images, but the model card says image_size " + size);
        }
        int dim;
        try {
            dim = KerasShapes.featureLength(model, model.output());
        } catch (IllegalArgumentException e) {
            throw new IOException(card.directory() + ": " + e.getMessage(), e);
        }
        if (card.embedDim() > 0 && card.embedDim() != dim) {
            throw new IOException(card.directory() + ": model " + model.name() + " gives " + dim
                    + " values per image at layer '" + model.output() + "', but the model card says embed_dim "
                    + card.embedDim());
        }
        ai.djl.Device device = DjlRuntime.device(options.device());
        try {
            return new KerasBackbone(card, model, KerasNet.build(model, device, options.intraOpThreads()), dim,
                    options.intraOpThreads());
        } catch (IllegalArgumentException e) {
            throw new IOException(card.directory() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public float[][] embedImages(ImageBatch batch) {
        return requireWidth(net.run(batch.data(), batch.count(), batch.size(), batch.size()),
                "model " + net.name + ": output");
    }

    /** Blocks by the network's names ({@link KerasBlocks}); cuts by count or after a named layer. */
    @Override
    public FineTunable fineTunable() {
        return KerasNetCut.fineTunable(model, net.device, threads);
    }

    @Override
    public float[][] embedTokens(int[][] tokenIds) {
        throw noTextTower(missingTextTower());
    }

    /** Why {@link #embedTokens} fails: a Keras image model has no text tower. */
    String missingTextTower() {
        return card().name() + " is a Keras image model (family keras); it has no text tower";
    }

    /** Native arrays held by the converted weights (for leak tests). */
    int liveArrays() {
        return net.liveArrays();
    }

    @Override
    public void close() {
        net.close();
    }
}
