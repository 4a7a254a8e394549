package clipbench.backend.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import clipbench.api.model.ModelCard;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.TwoTowerBackbone;
import java.io.IOException;
import java.nio.file.Path;

/** A CLIP model run by ONNX Runtime: an image session and, when the card lists one, a text session. */
public final class OnnxBackbone extends TwoTowerBackbone {
    static final String CUDA_UNAVAILABLE = OrtSessions.CUDA_UNAVAILABLE;

    private final ImageTower image;
    /** Null without a text artifact. */
    private final TextTower text;

    private OnnxBackbone(ModelCard card, ImageTower image, TextTower text, boolean gpu) throws IOException {
        super(card, image, text, embeddingDim(card, image, text), gpu);
        this.image = image;
        this.text = text;
    }

    /** Opens the card's exported towers, or graphs written from its checkpoint (see {@link OnnxSource}). */
    static OnnxBackbone open(ModelCard card, BackendOptions options) throws IOException {
        new OnnxBackboneProvider().checkPrecision(card, options.precision());
        OnnxSource source = OnnxSource.resolve(card, OrtSettings.parse(options.settings()));
        return OrtSessions.onDevice(options.device(), gpu -> open(card, options, gpu, source.image(), source.text()));
    }

    private static OnnxBackbone open(ModelCard card, BackendOptions options, boolean gpu, Path imageFile,
                                     Path textFile) throws IOException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int size = card.preprocess().imageSize();
        ImageTower image = tower(env, options, gpu, imageFile, s -> new ImageTower(env, imageFile, s, size));
        TextTower text = null;
        try {
            if (textFile != null) {
                text = tower(env, options, gpu, textFile, s -> new TextTower(env, textFile, s, card.contextLength()));
            }
            return new OnnxBackbone(card, image, text, gpu);
        } catch (IOException | RuntimeException e) {
            image.close();
            if (text != null) {
                text.close();
            }
            throw e;
        }
    }

    private interface TowerMaker<T extends OnnxTower<?>> {
        T make(OrtSession session) throws IOException;
    }

    /** Loads one model file and finds its inputs; the session is closed if they do not fit. */
    private static <T extends OnnxTower<?>> T tower(OrtEnvironment env, BackendOptions options, boolean gpu,
                                                 Path file, TowerMaker<T> maker) throws IOException {
        OrtSession session = OrtSessions.create(env, file, options, gpu);
        try {
            return maker.make(session);
        } catch (IOException | RuntimeException e) {
            OrtSessions.closeQuietly(session, e);
            throw e;
        }
    }

    @Override
    protected String missingTextTower() {
        return "the model card lists no ONNX text tower (and its checkpoint, if any, has none)";
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
