package clipbench.backend.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import clipbench.api.model.ModelCard;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.Embeddings;
import clipbench.api.spi.ImageBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/** A CLIP model run by ONNX Runtime: an image session and, when the card lists one, a text session. */
public final class OnnxBackbone implements Backbone {
    static final String CUDA_UNAVAILABLE = OrtSessions.CUDA_UNAVAILABLE;

    private final ModelCard card;
    private final ImageTower image;
    /** Null without a text artifact. */
    private final TextTower text;
    private final int dim;
    private final Set<Capability> capabilities;

    private OnnxBackbone(ModelCard card, ImageTower image, TextTower text, boolean gpu) throws IOException {
        this.card = card;
        this.image = image;
        this.text = text;
        this.dim = embeddingDim(card, image, text);
        Set<Capability> caps = EnumSet.noneOf(Capability.class);
        if (text != null) {
            caps.add(Capability.TEXT_TOWER);
        }
        if (gpu) {
            caps.add(Capability.GPU);
        }
        this.capabilities = Set.copyOf(caps);
    }

    static OnnxBackbone open(ModelCard card, BackendOptions options) throws IOException {
        Path imageFile = OrtSessions.requireFile(card.requireArtifact(OnnxBackboneProvider.ID, "image"));
        Path textFile = card.artifact(OnnxBackboneProvider.ID, "text").orElse(null);
        if (textFile != null) {
            OrtSessions.requireFile(textFile);
        }
        return OrtSessions.onDevice(options.device(), gpu -> open(card, options, gpu, imageFile, textFile));
    }

    private static OnnxBackbone open(ModelCard card, BackendOptions options, boolean gpu, Path imageFile,
                                     Path textFile) throws IOException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = OrtSessions.options(options, gpu)) {
            int size = card.preprocess().imageSize();
            ImageTower image = tower(env, so, imageFile, s -> new ImageTower(env, imageFile, s, size));
            TextTower text = null;
            try {
                if (textFile != null) {
                    text = tower(env, so, textFile, s -> new TextTower(env, textFile, s, card.contextLength()));
                }
                return new OnnxBackbone(card, image, text, gpu);
            } catch (IOException | RuntimeException e) {
                image.close();
                if (text != null) {
                    text.close();
                }
                throw e;
            }
        } catch (OrtException e) {
            throw new IOException(card.directory() + ": ONNX Runtime session options: " + e.getMessage(), e);
        }
    }

    private interface TowerMaker<T extends OnnxTower> {
        T make(OrtSession session) throws IOException;
    }

    /** Loads one model file and finds its inputs; the session is closed if they do not fit. */
    private static <T extends OnnxTower> T tower(OrtEnvironment env, OrtSession.SessionOptions so, Path file,
                                                 TowerMaker<T> maker) throws IOException {
        OrtSession session = OrtSessions.create(env, file, so);
        try {
            return maker.make(session);
        } catch (IOException | RuntimeException e) {
            OrtSessions.closeQuietly(session, e);
            throw e;
        }
    }

    private static int embeddingDim(ModelCard card, ImageTower image, TextTower text) throws IOException {
        long dim = card.embedDim();
        for (OnnxTower tower : text == null ? new OnnxTower[] {image} : new OnnxTower[] {image, text}) {
            if (tower.declaredDim <= 0) {
                continue;
            }
            if (dim > 0 && tower.declaredDim != dim) {
                throw new IOException(tower.file + ": output '" + tower.output + "' has " + tower.declaredDim
                        + " values per row, but " + (card.embedDim() > 0 ? "the model card says embed_dim "
                        + card.embedDim() : image.file + " gives " + dim));
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
            throw new UnsupportedOperationException(card.directory() + ": the model card lists no ONNX text"
                    + " tower, so this model cannot embed text");
        }
        return checked(text, text.embed(tokenIds));
    }

    private float[][] checked(OnnxTower tower, float[][] rows) {
        return Embeddings.requireWidth(rows, dim, tower.file + ": output '" + tower.output + "'");
    }

    @Override
    public void close() {
        try {
            if (text != null) {
                text.close();
            }
        } finally {
            image.close();
        }
    }
}
