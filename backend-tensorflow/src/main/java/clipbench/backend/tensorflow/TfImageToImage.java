package clipbench.backend.tensorflow;

import clipbench.checkpoint.ClipCheckpoints;
import clipbench.checkpoint.Safetensors;
import clipbench.api.model.ModelCard;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ImageTensor;
import clipbench.api.spi.ImageToImage;
import clipbench.keras.KerasModel;
import clipbench.keras.KerasModels;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.Signature.TensorDescription;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * An image-to-image network (super-resolution) on TensorFlow: a SavedModel ({@code artifacts.savedmodel.model})
 * whose signature takes one float NCHW image and gives one, or the ESPCN of the card's {@code architecture}
 * block built by {@link SrGraph} from {@code artifacts.safetensors.checkpoint}.
 */
final class TfImageToImage implements ImageToImage {
    private final Path source;
    private final AutoCloseable[] resources;
    private final SessionFunction function;
    private final String input;
    private final String output;

    private TfImageToImage(Path source, SessionFunction function, String input, String output,
                           AutoCloseable... resources) {
        this.source = source;
        this.function = function;
        this.input = input;
        this.output = output;
        this.resources = resources;
    }

    static TfImageToImage open(ModelCard card, BackendOptions options) throws IOException {
        ConfigProto config = TfRuntime.config(options, TfRuntime.useGpu(options));
        if (KerasBackbone.handles(card) && KerasModels.isImageToImage(card)) {
            return openKeras(card, config);
        }
        Optional<Path> saved = card.artifact(ModelSources.FORMAT, "model");
        if (saved.isPresent() && !ModelSources.isCheckpoint(saved.get())) {
            TfModel model = TfModel.loadSavedModel(saved.get(), config);
            for (SessionFunction f : model.functions.values()) {
                String in = only(f.signature().getInputs());
                String out = only(f.signature().getOutputs());
                if (in != null && out != null) {
                    return new TfImageToImage(model.source, f, in, out, model);
                }
            }
            String found = model.describe();
            model.close();
            throw new IOException(saved.get() + ": no signature with one float [N,C,H,W] input and output; found "
                    + found);
        }
        Path file = saved.orElse(card.artifact("safetensors", "checkpoint").orElseThrow(() -> new NoSuchFileException(
                card.directory().toString(), null, "no SavedModel (artifacts.savedmodel.model) and no safetensors"
                + " checkpoint (artifacts.safetensors.checkpoint) for an image-to-image model")));
        Safetensors checkpoint = Safetensors.open(file);
        var cardJson = ClipCheckpoints.cardJson(card);
        Graph graph = new Graph();
        try {
            Ops tf = Ops.create(graph);
            Signature signature = SrGraph.build(tf, GraphParams.constants(tf, checkpoint),
                    cardJson == null ? null : cardJson.get("architecture"));
            Session session = new Session(graph, config);
            return new TfImageToImage(file, SessionFunction.create(signature, session), SrGraph.INPUT, SrGraph.OUTPUT,
                    session, graph);
        } catch (IllegalArgumentException e) {
            graph.close();
            throw new IOException(e.getMessage(), e);
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    /** A Keras image-to-image card's network as a {@link KerasGraph} (weights as constants), NCHW in and out. */
    private static TfImageToImage openKeras(ModelCard card, ConfigProto config) throws IOException {
        KerasModel model = KerasModels.loadImageToImage(card);
        Graph graph = new Graph();
        try {
            Signature signature = new KerasGraph(Ops.create(graph), model).imageSignature();
            Session session = new Session(graph, config);
            return new TfImageToImage(card.directory(), SessionFunction.create(signature, session), KerasGraph.INPUT,
                    KerasGraph.OUTPUT, session, graph);
        } catch (IllegalArgumentException e) {
            graph.close();
            throw new IOException(card.directory() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    /** The name of the single float rank-4 tensor, or null. */
    private static String only(Map<String, TensorDescription> tensors) {
        return tensors.size() == 1 && TfTower.isFloat(tensors.values().iterator().next(), 4)
                ? tensors.keySet().iterator().next() : null;
    }

    @Override
    public ImageTensor run(ImageTensor in) {
        Map<String, Tensor> inputs = Map.of(input, TfTower.floats(in.data(), in.count(), in.channels(), in.height(),
                in.width()));
        try (Result result = function.call(inputs)) {
            TFloat32 out = (TFloat32) result.get(output).orElseThrow();
            long[] s = out.shape().asArray();
            if (s.length != 4 || s[0] != in.count()) {
                throw new IllegalStateException(source + ": output '" + output + "' has shape " + out.shape()
                        + " for a batch of " + in.count());
            }
            float[] data = new float[Math.toIntExact(out.shape().size())];
            out.copyTo(DataBuffers.of(data, false, false));
            return new ImageTensor((int) s[0], (int) s[1], (int) s[2], (int) s[3], data);
        } catch (IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalStateException(source + ": TensorFlow failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(Tensor::close);
        }
    }

    @Override
    public void close() {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                throw new IllegalStateException(source + ": closing TensorFlow resources failed", e);
            }
        }
    }
}
