package clipbench.backend.tensorflow;

import clipbench.api.model.ModelCard;
import clipbench.api.spi.AbstractBackbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.FineTunable;
import clipbench.api.spi.ImageBatch;
import clipbench.keras.KerasModel;
import clipbench.keras.KerasModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * A Keras image model on TensorFlow Java: keras-import's {@link KerasModel} for the card (e.g. one of nsfwjs's
 * TF.js models, cut at the card's {@code feature_layer}) built with TF ops by {@link KerasGraph}. Image only:
 * no {@link Capability#TEXT_TOWER}. Each batch is one call of the built signature; threads and device are
 * set as for every TensorFlow model ({@link TfRuntime}).
 */
final class KerasBackbone extends AbstractBackbone {
    static final String FAMILY = "keras";
    static final String FORMAT = "keras";

    private final String source;
    private final Graph graph;
    private final Session session;
    private final SessionFunction function;
    /** Input height and width, or -1 when the model takes any size. */
    private final int height;
    private final int width;
    /** The tower as blocks to fine-tune. */
    private final KerasGraphCut fineTunable;

    private KerasBackbone(ModelCard card, String source, Graph graph, Session session, SessionFunction function,
                          KerasModel model, int dim, boolean gpu, ConfigProto config) {
        super(card, dim, capabilities(false, gpu, Capability.FINE_TUNE));
        this.source = source;
        this.graph = graph;
        this.session = session;
        this.function = function;
        int[] inputShape = model.inputShape();
        this.height = inputShape[0] > 0 ? inputShape[0] : -1;
        this.width = inputShape[1] > 0 ? inputShape[1] : -1;
        int size = card.preprocess().imageSize();
        this.fineTunable = new KerasGraphCut(source, model.openSize() ? model.withInputSize(size, size) : model, size,
                config);
    }

    /**
     * Whether this card is a Keras model: family {@value #FAMILY}, or a {@value #FORMAT} artifact and neither a
     * SavedModel nor a safetensors checkpoint.
     */
    static boolean handles(ModelCard card) {
        Set<String> formats = card.artifacts().keySet();
        return FAMILY.equalsIgnoreCase(card.family()) || (formats.contains(FORMAT)
                && !formats.contains(ModelSources.FORMAT) && !formats.contains("safetensors"));
    }

    /** The files the model is read from (topology and weights), for the provenance hash. */
    static List<Path> files(ModelCard card) throws IOException {
        return KerasModels.files(card);
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

    /** Builds {@code model} (already cut at the feature layer) for this card. */
    static KerasBackbone open(ModelCard card, KerasModel model, BackendOptions options) throws IOException {
        String source = card.directory() + " [keras model " + model.name() + ", output '" + model.output() + "']";
        int[] in = model.inputShape();
        int size = card.preprocess().imageSize();
        if (in.length == 3 && ((in[0] > 0 && in[0] != size) || (in[1] > 0 && in[1] != size))) {
            throw new IOException(source + ": the model takes " + in[0] + "x" + in[1]
                    + " images but the model card says image_size " + size);
        }
        boolean gpu = TfRuntime.useGpu(options);
        ConfigProto config = TfRuntime.config(options, gpu);
        Graph graph = new Graph();
        Session session = null;
        try {
            Signature signature = new KerasGraph(Ops.create(graph), model).signature();
            session = new Session(graph, config);
            SessionFunction function = SessionFunction.create(signature, session);
            long declared = signature.getOutputs().get(KerasGraph.OUTPUT).shape.get(1);
            int dim = declared > 0 ? (int) declared : run(function, source, blankImage(card), -1)[0].length;
            if (card.embedDim() > 0 && card.embedDim() != dim) {
                throw new IOException(source + ": gives " + dim + " values per image, but the model card says"
                        + " embed_dim " + card.embedDim());
            }
            return new KerasBackbone(card, source, graph, session, function, model, dim, gpu, config);
        } catch (IOException | RuntimeException e) {
            if (session != null) {
                session.close();
            }
            graph.close();
            if (e instanceof IllegalArgumentException) {
                throw new IOException(card.directory() + ": " + e.getMessage(), e);
            }
            throw e;
        }
    }

    @Override
    public float[][] embedImages(ImageBatch batch) {
        int size = batch.size();
        if ((height > 0 && height != size) || (width > 0 && width != size)) {
            throw new IllegalArgumentException(source + ": takes " + height + "x" + width + " images, got " + size
                    + "x" + size);
        }
        return run(function, source, batch, embeddingDim());
    }

    /** One call of the signature; the output must be {@code [count, dim]} ({@code dim} -1: any). */
    private static float[][] run(SessionFunction function, String source, ImageBatch batch, int dim) {
        int n = batch.count();
        int size = batch.size();
        Map<String, Tensor> inputs = Map.of(KerasGraph.INPUT,
                TfTower.floats(batch.data(), n, ImageBatch.CHANNELS, size, size));
        try (Result result = function.call(inputs)) {
            TFloat32 values = (TFloat32) result.get(KerasGraph.OUTPUT).orElseThrow();
            int rowLength = (int) values.shape().get(1);
            if (values.shape().get(0) != n || (dim > 0 && rowLength != dim)) {
                throw new IllegalStateException(source + ": output is " + values.shape() + " for a batch of " + n
                        + ", expected [" + n + ", " + dim + "]");
            }
            float[] flat = new float[n * rowLength];
            values.copyTo(DataBuffers.of(flat, false, false));
            float[][] out = new float[n][];
            for (int i = 0; i < n; i++) {
                out[i] = Arrays.copyOfRange(flat, i * rowLength, (i + 1) * rowLength);
            }
            return out;
        } catch (IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalStateException(source + ": TensorFlow failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(Tensor::close);
        }
    }

    @Override
    public FineTunable fineTunable() {
        return fineTunable;
    }

    @Override
    public float[][] embedTokens(int[][] tokenIds) {
        throw noTextTower("a Keras image model (family " + FAMILY + ") has no text tower");
    }

    @Override
    public void close() {
        try {
            session.close();
        } finally {
            graph.close();
        }
    }
}
