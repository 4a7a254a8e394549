package clipbench.backend.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import clipbench.api.model.ModelCard;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Device;
import clipbench.api.spi.ImageTensor;
import clipbench.api.spi.ImageToImage;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An image-to-image network (e.g. super-resolution) run by ONNX Runtime: the model card's
 * {@code artifacts.onnx.model} file, whose single input is a float rank-4 {@code [N, C, H, W]} tensor (any
 * name) and whose output is its first float rank-4 output. Sessions are set up as {@link OnnxBackbone}'s
 * are (intra-op threads from the options, one inter-op thread, all graph optimisations, CUDA for
 * {@link Device#GPU}, and for {@link Device#AUTO} when this build has it).
 *
 * <p>Thread-safe: ONNX Runtime sessions may be run concurrently.
 */
public final class OnnxImageToImage implements ImageToImage {
    /** The model card role naming the file. */
    public static final String ROLE = "model";

    private final OrtEnvironment env;
    private final Path file;
    private final OrtSession session;
    private final String input;
    private final String output;
    /** Static dimensions of the input, -1 where dynamic. */
    private final long[] inputShape;
    private final boolean gpu;

    private OnnxImageToImage(OrtEnvironment env, Path file, OrtSession session, boolean gpu) throws IOException {
        this.env = env;
        this.file = file;
        this.session = session;
        this.gpu = gpu;
        Set<OnnxJavaType> floats = Set.of(OnnxJavaType.FLOAT);
        Map<String, NodeInfo> inputs = OnnxTower.info(file, session, true);
        List<NodeInfo> images = inputs.values().stream().filter(n -> OnnxTower.tensor(n, 4, floats) != null).toList();
        if (images.size() != 1 || inputs.size() != 1) {
            throw new IOException(file + ": expected exactly one input, a float [batch, channels, height, width]"
                    + " image, found " + OnnxTower.describe(inputs));
        }
        this.input = images.get(0).getName();
        this.inputShape = OnnxTower.tensor(images.get(0), 4, floats).getShape();
        Map<String, NodeInfo> outputs = OnnxTower.info(file, session, false);
        this.output = outputs.values().stream().filter(n -> OnnxTower.tensor(n, 4, floats) != null)
                .map(NodeInfo::getName).findFirst().orElseThrow(() -> new IOException(file
                        + ": no image output: expected a float [batch, channels, height, width] output, found "
                        + OnnxTower.describe(outputs)));
    }

    /** Opens {@code artifacts.onnx.model} of the card on the options' device. */
    public static OnnxImageToImage open(ModelCard card, BackendOptions options) throws IOException {
        Path file = card.requireArtifact(OnnxBackboneProvider.ID, ROLE);
        OrtSessions.requireFile(file);
        return OrtSessions.onDevice(options.device(), gpu -> open(file, options, gpu));
    }

    private static OnnxImageToImage open(Path file, BackendOptions options, boolean gpu) throws IOException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = OrtSessions.create(env, file, options, gpu);
        try {
            return new OnnxImageToImage(env, file, session, gpu);
        } catch (IOException | RuntimeException e) {
            OrtSessions.closeQuietly(session, e);
            throw e;
        }
    }

    /** The model file. */
    public Path file() {
        return file;
    }

    /** Whether the session runs on CUDA. */
    public boolean onGpu() {
        return gpu;
    }

    /** The model's input shape, -1 for dynamic dimensions. */
    public long[] inputShape() {
        return inputShape.clone();
    }

    /**
     * Runs the network. A model exported with a fixed batch of one is run image by image; other fixed
     * dimensions must match.
     *
     * @throws IllegalArgumentException when the input does not fit the model's declared shape
     * @throws IllegalStateException    when ONNX Runtime fails or the output is not [count, C, H, W]
     */
    @Override
    public ImageTensor run(ImageTensor in) {
        for (int d = 1; d < 4; d++) {
            long have = d == 1 ? in.channels() : d == 2 ? in.height() : in.width();
            if (inputShape[d] > 0 && inputShape[d] != have) {
                throw new IllegalArgumentException(file + ": input '" + input + "' has shape "
                        + Arrays.toString(inputShape) + ", got " + in.count() + "x" + in.channels() + "x"
                        + in.height() + "x" + in.width());
            }
        }
        int n = in.count();
        if (inputShape[0] == 1 && n > 1) {
            int per = in.channels() * in.height() * in.width();
            ImageTensor first = null;
            float[] all = null;
            for (int i = 0; i < n; i++) {
                ImageTensor one = run(new ImageTensor(1, in.channels(), in.height(), in.width(),
                        Arrays.copyOfRange(in.data(), i * per, (i + 1) * per)));
                if (first == null) {
                    first = one;
                    all = new float[Math.multiplyExact(one.data().length, n)];
                }
                System.arraycopy(one.data(), 0, all, i * one.data().length, one.data().length);
            }
            return new ImageTensor(n, first.channels(), first.height(), first.width(), all);
        }
        if (inputShape[0] > 0 && inputShape[0] != n) {
            throw new IllegalArgumentException(file + ": input '" + input + "' takes batches of exactly "
                    + inputShape[0] + " images, got " + n);
        }
        long[] dims = {n, in.channels(), in.height(), in.width()};
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, DirectInput.current().of(in.data()), dims);
             OrtSession.Result result = session.run(Map.of(input, tensor), Set.of(output))) {
            OnnxValue value = result.get(0);
            if (!(value instanceof OnnxTensor out)) {
                throw new IllegalStateException(file + ": output '" + output + "' is not a tensor");
            }
            long[] shape = ((TensorInfo) out.getInfo()).getShape();
            if (shape.length != 4 || shape[0] != n) {
                throw new IllegalStateException(file + ": output '" + output + "' has shape "
                        + Arrays.toString(shape) + " for a batch of " + n + "; expected [" + n + ", C, H, W]");
            }
            FloatBuffer buffer = out.getFloatBuffer();
            float[] data = new float[buffer.remaining()];
            buffer.get(data);
            return new ImageTensor(n, Math.toIntExact(shape[1]), Math.toIntExact(shape[2]),
                    Math.toIntExact(shape[3]), data);
        } catch (OrtException e) {
            throw new IllegalStateException(file + ": ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(file + ": closing the ONNX session failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "OnnxImageToImage[" + file + ", " + input + " -> " + output + (gpu ? ", CUDA" : "") + "]";
    }
}
