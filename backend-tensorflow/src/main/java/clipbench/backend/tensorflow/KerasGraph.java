package clipbench.backend.tensorflow;

import clipbench.keras.KerasConfig;
import clipbench.keras.KerasLayer;
import clipbench.keras.KerasModel;
import clipbench.keras.KerasTensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.image.ResizeNearestNeighbor;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A {@link KerasModel} written with TensorFlow ops. The image enters NCHW ({@code image} float32
 * {@code [N,3,H,W]}, the harness's layout) and is transposed once to NHWC, Keras's own layout, so every layer
 * is the TF op Keras itself runs on the TensorFlow backend: TF's {@code SAME} padding is Keras's {@code same}
 * (stride-2 convolutions pad more at the bottom/right), {@code AvgPool} with {@code SAME} leaves the padding
 * out of the mean, {@code Flatten} reads NHWC order, and kernels are already HWIO ({@code [kh, kw, in, out]})
 * or {@code [kh, kw, in, multiplier]} for depthwise convolutions. Weights are baked in as constants.
 *
 * <p>The output layer's value is returned as {@code [N, D]}: a rank-4 feature map is flattened (NHWC order).
 * Dense layers multiply one sample at a time (as {@link ClipGraph}'s linear layers do), so a row does not
 * depend on the batch it is in.
 */
final class KerasGraph {
    static final String SIGNATURE = ClipGraph.IMAGE_SIGNATURE;
    static final String INPUT = ClipGraph.IMAGE_INPUT;
    static final String OUTPUT = ClipGraph.OUTPUT;

    /** Values of {@code Activation} layers and fused {@code activation} configs. */
    static final Set<String> ACTIVATIONS = Set.of("linear", "relu", "relu6", "softmax", "sigmoid", "tanh");

    private final Ops tf;
    private final KerasModel model;
    /** Weights read from placeholders instead of constants (a fine-tuning top), or null. */
    private final TopParameters trained;

    KerasGraph(Ops tf, KerasModel model) {
        this(tf, model, null);
    }

    /** The weights {@code trained} lists come from its placeholders; BatchNormalization still runs as at inference. */
    KerasGraph(Ops tf, KerasModel model, TopParameters trained) {
        TfRuntime.ensureNativeDefaults();
        this.tf = tf;
        this.model = model;
        this.trained = trained;
    }

    /**
     * Adds the network with its placeholder and returns signature {@value #SIGNATURE}: {@value #INPUT} float32
     * {@code [N,3,H,W]} → {@value #OUTPUT} float32 {@code [N,D]}.
     */
    Signature signature() {
        return signature(false);
    }

    /**
     * Adds an image-to-image network (e.g. super-resolution) with its placeholder: {@value #INPUT} float32
     * {@code [N,3,H,W]} → {@value #OUTPUT} float32 NCHW {@code [N,3,H',W']}, the output feature map as an image.
     */
    Signature imageSignature() {
        return signature(true);
    }

    private Signature signature(boolean imageOut) {
        int[] in = model.inputShape();
        if (in.length != 3 || in[2] != 3) {
            throw new IllegalArgumentException("model " + model.name() + ": input shape " + Arrays.toString(in)
                    + " is not [height, width, 3] (an RGB image, channels last)");
        }
        Placeholder<TFloat32> image = tf.withName(INPUT).placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(-1, 3, in[0] > 0 ? in[0] : -1, in[1] > 0 ? in[1] : -1)));
        Operand<TFloat32> nhwc = nhwc(image);
        Operand<TFloat32> out = imageOut
                ? tf.withName(OUTPUT).linalg.transpose(apply(nhwc), tf.constant(new int[] {0, 3, 1, 2}))
                : tf.withName(OUTPUT).identity(rows(apply(nhwc)));
        return Signature.builder().key(SIGNATURE).input(INPUT, image).output(OUTPUT, out).build();
    }

    /** NCHW images as NHWC, Keras's layout. */
    Operand<TFloat32> nhwc(Operand<TFloat32> nchw) {
        return tf.withName("nhwc").linalg.transpose(nchw, tf.constant(new int[] {0, 2, 3, 1}));
    }

    /** Runs every layer on {@code nhwc} (the {@code InputLayer}'s value) and returns the output layer's value. */
    Operand<TFloat32> apply(Operand<TFloat32> nhwc) {
        Map<String, Operand<TFloat32>> values = new HashMap<>();
        Ops keras = tf.withSubScope("keras");
        for (KerasLayer layer : model.layers()) {
            List<Operand<TFloat32>> inputs = new ArrayList<>();
            for (String name : layer.inbound()) {
                Operand<TFloat32> value = values.get(name);
                if (value == null) {
                    throw new IllegalArgumentException(where(layer) + ": input '" + name
                            + "' is not an earlier layer (layers must be in topological order)");
                }
                inputs.add(value);
            }
            Operand<TFloat32> out;
            try {
                out = layer(keras.withSubScope(scopeName(layer.name())), layer, inputs, nhwc);
            } catch (RuntimeException e) { // a config we cannot run, or TF's shape inference refusing the op
                throw failure(layer, inputs, e);
            }
            values.put(layer.name(), out);
        }
        return values.get(model.output());
    }

    private Operand<TFloat32> layer(Ops tf, KerasLayer layer, List<Operand<TFloat32>> in, Operand<TFloat32> input) {
        switch (KerasConfig.type(layer)) {
            case "InputLayer":
                return input;
            case "Conv2D":
                return conv2d(tf, layer, one(layer, in));
            case "DepthwiseConv2D":
                return depthwiseConv2d(tf, layer, one(layer, in));
            case "BatchNormalization":
                return batchNorm(tf, layer, one(layer, in));
            case "ReLU":
                return relu(tf, layer, one(layer, in));
            case "Activation":
                return activation(tf, layer, KerasConfig.activation(layer), one(layer, in));
            case "ZeroPadding2D":
                return zeroPadding(tf, layer, one(layer, in));
            case "Add": {
                Operand<TFloat32> sum = atLeastTwo(layer, in).get(0);
                for (int i = 1; i < in.size(); i++) {
                    sum = tf.math.add(sum, in.get(i));
                }
                return sum;
            }
            case "Concatenate":
                return tf.concat(atLeastTwo(layer, in), tf.constant(KerasConfig.integer(layer, "axis", -1)));
            case "MaxPooling2D":
            case "AveragePooling2D":
                return pool(tf, layer, one(layer, in));
            case "GlobalAveragePooling2D":
                KerasConfig.requireChannelsLast(layer);
                return tf.math.mean(one(layer, in), tf.constant(new int[] {1, 2}),
                        Mean.keepDims(KerasConfig.flag(layer, "keepdims", false)));
            case "Flatten":
                KerasConfig.requireChannelsLast(layer);
                return flatten(tf, one(layer, in));
            case "Dense":
                return dense(tf, layer, one(layer, in));
            case "Dropout":
                return one(layer, in);
            case "UpSampling2D":
                return upSampling(tf, layer, one(layer, in));
            case "MultiplyBeta":
                return tf.math.mul(one(layer, in), tf.constant(KerasConfig.multiplyBeta(layer)));
            case "PixelShuffle": // UpscalerJS's tf.depthToSpace(x, N, 'NHWC'), the same op
                return tf.nn.depthToSpace(one(layer, in), (long) KerasConfig.pixelShuffle(layer));
            default:
                throw new IllegalArgumentException("unsupported layer type " + layer.className() + " (supported: "
                        + new TreeSet<>(KerasModel.SUPPORTED) + ")");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Layers

    /**
     * Keras nearest up-sampling to {@code [h * rows, w * cols]} of whatever size comes in; half-pixel centres
     * read input row {@code floor((i + 0.5) / rows) = floor(i / rows)}, far from float rounding at the boundary.
     */
    private Operand<TFloat32> upSampling(Ops tf, KerasLayer layer, Operand<TFloat32> x) {
        int[] size = KerasConfig.upSampling(layer);
        Operand<TInt32> hw = tf.slice(tf.shape(x), tf.constant(new int[] {1}), tf.constant(new int[] {2}));
        return tf.image.resizeNearestNeighbor(x, tf.math.mul(hw, tf.constant(size)),
                ResizeNearestNeighbor.halfPixelCenters(true));
    }

    private Operand<TFloat32> conv2d(Ops tf, KerasLayer layer, Operand<TFloat32> x) {
        KerasConfig.requireChannelsLast(layer);
        if (KerasConfig.integer(layer, "groups", 1) != 1) {
            throw new IllegalArgumentException(where(layer) + ": grouped convolutions (groups "
                    + layer.config().get("groups") + ") are not supported");
        }
        int[] s = KerasConfig.pair(layer, "strides", new int[] {1, 1});
        int[] d = KerasConfig.pair(layer, "dilation_rate", new int[] {1, 1});
        Operand<TFloat32> y = tf.nn.conv2d(x, param(tf, layer, "kernel", 4),
                List.of(1L, (long) s[0], (long) s[1], 1L), padding(layer),
                Conv2d.dilations(1L, (long) d[0], (long) d[1], 1L));
        return activation(tf, layer, KerasConfig.activation(layer), bias(tf, layer, y));
    }

    /** TF's DepthwiseConv2dNative takes Keras's {@code [kh, kw, in, multiplier]} kernel as it is. */
    private Operand<TFloat32> depthwiseConv2d(Ops tf, KerasLayer layer, Operand<TFloat32> x) {
        KerasConfig.requireChannelsLast(layer);
        KerasTensor kernel = weight(layer, "depthwise_kernel", 4);
        int multiplier = KerasConfig.integer(layer, "depth_multiplier", 1);
        if (kernel.shape()[3] != multiplier) {
            throw new IllegalArgumentException(where(layer) + ": depthwise_kernel " + Arrays.toString(kernel.shape())
                    + " does not end with depth_multiplier " + multiplier);
        }
        int[] s = KerasConfig.pair(layer, "strides", new int[] {1, 1});
        int[] d = KerasConfig.pair(layer, "dilation_rate", new int[] {1, 1});
        if (isTrained(kernel) && (d[0] != 1 || d[1] != 1)) {
            throw new UnsupportedOperationException(where(layer) + ": a dilated depthwise kernel cannot train here"
                    + " (its taps are spread with zeros outside the graph)");
        }
        // TF's own CPU kernel refuses dilations ("Current kernel implementation does not support dilations")
        // unless its oneDNN path happens to be on for this CPU: spread the taps with zeros instead, which
        // gives the same sums on every CPU.
        Operand<TFloat32> y = tf.nn.depthwiseConv2dNative(x, isTrained(kernel) ? trained.get(kernel.name())
                        : constant(tf, "depthwise_kernel", dilated(kernel, d)),
                List.of(1L, (long) s[0], (long) s[1], 1L), padding(layer));
        return activation(tf, layer, KerasConfig.activation(layer), bias(tf, layer, y));
    }

    /** A {@code [kh, kw, in, m]} kernel with {@code dilation - 1} zero rows and columns between its taps. */
    static KerasTensor dilated(KerasTensor kernel, int[] dilation) {
        if (dilation[0] == 1 && dilation[1] == 1) {
            return kernel;
        }
        int[] k = kernel.shape();
        int kh = (k[0] - 1) * dilation[0] + 1;
        int kw = (k[1] - 1) * dilation[1] + 1;
        int depth = k[2] * k[3];
        float[] out = new float[kh * kw * depth];
        for (int i = 0; i < k[0]; i++) {
            for (int j = 0; j < k[1]; j++) {
                System.arraycopy(kernel.data(), (i * k[1] + j) * depth, out,
                        (i * dilation[0] * kw + j * dilation[1]) * depth, depth);
            }
        }
        return new KerasTensor(kernel.name(), new int[] {kh, kw, k[2], k[3]}, out);
    }

    /** {@code + bias} when the config says {@code use_bias} (Keras's default). */
    private Operand<TFloat32> bias(Ops tf, KerasLayer layer, Operand<TFloat32> y) {
        if (!KerasConfig.flag(layer, "use_bias", true)) {
            return y;
        }
        return tf.nn.biasAdd(y, param(tf, layer, "bias", 1));
    }

    /**
     * Inference BatchNormalization over the last axis, as TF's fused kernel computes it:
     * {@code (x - moving_mean) * (gamma / sqrt(moving_variance + epsilon)) + beta}; without {@code scale}
     * gamma is 1, without {@code center} beta is 0.
     */
    private Operand<TFloat32> batchNorm(Ops tf, KerasLayer layer, Operand<TFloat32> x) {
        JsonNode axisNode = layer.config().path("axis");
        if (axisNode.isArray() && axisNode.size() == 1) {
            axisNode = axisNode.get(0);
        }
        int rank = x.shape().numDimensions();
        int axis = axisNode.isMissingNode() || axisNode.isNull() ? -1
                : axisNode.isIntegralNumber() ? axisNode.asInt() : Integer.MIN_VALUE;
        if (axis != -1 && axis != rank - 1) {
            throw new IllegalArgumentException(where(layer) + ": axis " + layer.config().path("axis")
                    + " is not the channel axis (-1 or " + (rank - 1) + ")");
        }
        double eps = KerasConfig.number(layer, "epsilon", 1e-3);
        boolean scale = KerasConfig.flag(layer, "scale", true);
        boolean center = KerasConfig.flag(layer, "center", true);
        KerasTensor mean = weight(layer, "moving_mean", 1);
        float[] variance = weight(layer, "moving_variance", 1).data();
        KerasTensor gamma = scale ? weight(layer, "gamma", 1) : null;
        boolean trainedGamma = gamma != null && isTrained(gamma);
        float[] factor = new float[variance.length];
        for (int i = 0; i < factor.length; i++) {
            double inv = 1.0 / Math.sqrt(variance[i] + eps);
            factor[i] = (float) (scale && !trainedGamma ? inv * gamma.data()[i] : inv);
        }
        Operand<TFloat32> f = tf.withName("factor").constant(Shape.of(factor.length), DataBuffers.of(factor, true,
                false));
        if (trainedGamma) { // gamma trains: the same product, in float32 in the graph
            f = tf.math.mul(f, trained.get(gamma.name()));
        }
        Operand<TFloat32> y = tf.math.mul(tf.math.sub(x, constant(tf, "moving_mean", mean)), f);
        return center ? tf.math.add(y, param(tf, layer, "beta", 1)) : y;
    }

    /**
     * Keras's {@code ReLU(max_value, negative_slope, threshold)}: {@code x} above the threshold (capped at
     * {@code max_value}), {@code negative_slope * (x - threshold)} at or below it; {@code ReLU6} when the cap is 6.
     */
    private Operand<TFloat32> relu(Ops tf, KerasLayer layer, Operand<TFloat32> x) {
        double max = KerasConfig.optionalNumber(layer, "max_value");
        float slope = (float) KerasConfig.number(layer, "negative_slope", 0);
        float threshold = (float) KerasConfig.number(layer, "threshold", 0);
        Operand<TFloat32> y;
        if (slope == 0 && threshold == 0) {
            if (max == 6) {
                return tf.nn.relu6(x);
            }
            y = tf.nn.relu(x);
        } else {
            Operand<TFloat32> t = tf.constant(threshold);
            y = tf.select(tf.math.greater(x, t), x, tf.math.mul(tf.constant(slope), tf.math.sub(x, t)));
        }
        return Double.isNaN(max) ? y : tf.math.minimum(y, tf.constant((float) max));
    }

    private Operand<TFloat32> activation(Ops tf, KerasLayer layer, String name, Operand<TFloat32> x) {
        switch (name) {
            case "linear":
                return x;
            case "relu":
                return tf.nn.relu(x);
            case "relu6":
                return tf.nn.relu6(x);
            case "softmax":
                return tf.nn.softmax(x);
            case "sigmoid":
                return tf.math.sigmoid(x);
            case "tanh":
                return tf.math.tanh(x);
            default:
                throw new IllegalArgumentException(where(layer) + ": unsupported activation '" + name
                        + "' (supported: " + new TreeSet<>(ACTIVATIONS) + ")");
        }
    }

    private Operand<TFloat32> zeroPadding(Ops tf, KerasLayer layer, Operand<TFloat32> x) {
        KerasConfig.requireChannelsLast(layer);
        int[] p = KerasConfig.zeroPadding(layer); // top, bottom, left, right
        // int32 paddings: TF's C++ Pad gradient slices with the int32 shape of x
        return tf.pad(x, tf.constant(new int[][] {{0, 0}, {p[0], p[1]}, {p[2], p[3]}, {0, 0}}), tf.constant(0f));
    }

    /** TF's pooling with Keras's {@code padding}: an average over {@code SAME} padding counts only real cells. */
    private Operand<TFloat32> pool(Ops tf, KerasLayer layer, Operand<TFloat32> x) {
        KerasConfig.requireChannelsLast(layer);
        int[] k = KerasConfig.pair(layer, "pool_size", new int[] {2, 2});
        int[] s = KerasConfig.pair(layer, "strides", k);
        String padding = padding(layer);
        if (layer.className().equals("MaxPooling2D")) {
            return tf.nn.maxPool(x, tf.constant(new int[] {1, k[0], k[1], 1}),
                    tf.constant(new int[] {1, s[0], s[1], 1}), padding);
        }
        return tf.nn.avgPool(x, List.of(1L, (long) k[0], (long) k[1], 1L), List.of(1L, (long) s[0], (long) s[1], 1L),
                padding);
    }

    /**
     * {@code x @ kernel [in, out] + bias} on the last axis (of a {@code [N, in]} row, or of every position of a
     * feature map), one product per sample; then the activation.
     */
    private Operand<TFloat32> dense(Ops tf, KerasLayer layer, Operand<TFloat32> x) {
        int rank = x.shape().numDimensions();
        Operand<TFloat32> rows = rank == 2 ? tf.expandDims(x, tf.constant(1)) : x;
        Operand<TFloat32> y = tf.train.batchMatMul(rows, param(tf, layer, "kernel", 2), TFloat32.class);
        if (rank == 2) {
            y = tf.squeeze(y, Squeeze.axis(List.of(1L)));
        }
        return activation(tf, layer, KerasConfig.activation(layer), bias(tf, layer, y));
    }

    // ------------------------------------------------------------------------------------------------

    /** {@code [N, ...]} as {@code [N, D]} in row-major (NHWC) order; unchanged when already rank 2. */
    Operand<TFloat32> rows(Operand<TFloat32> x) {
        return x.shape().numDimensions() == 2 ? x : flatten(tf, x);
    }

    private static Operand<TFloat32> flatten(Ops tf, Operand<TFloat32> x) {
        long[] dims = x.shape().asArray();
        long d = 1;
        for (int i = 1; i < dims.length; i++) {
            d = dims[i] < 0 || d < 0 ? -1 : d * dims[i];
        }
        if (d > 0) {
            return tf.reshape(x, tf.constant(new long[] {-1, d}));
        }
        Operand<TInt64> batch = tf.slice(tf.shape(x, TInt64.class), tf.constant(new int[] {0}),
                tf.constant(new int[] {1}));
        return tf.reshape(x, tf.concat(List.of(batch, tf.constant(new long[] {-1})), tf.constant(0)));
    }

    private KerasTensor weight(KerasLayer layer, String suffix, int rank) {
        KerasTensor t = model.weightsOf(layer.name()).get(suffix);
        if (t == null) {
            throw new IllegalArgumentException("no weight '" + layer.name() + "/" + suffix + "' (the layer has "
                    + model.weightsOf(layer.name()).keySet() + ")");
        }
        if (t.shape().length != rank) {
            throw new IllegalArgumentException("weight '" + t.name() + "' has shape " + Arrays.toString(t.shape())
                    + ", expected rank " + rank);
        }
        return t;
    }

    /** The weight as a constant, or its placeholder when it trains. */
    private Operand<TFloat32> param(Ops tf, KerasLayer layer, String suffix, int rank) {
        KerasTensor t = weight(layer, suffix, rank);
        return isTrained(t) ? trained.get(t.name()) : constant(tf, suffix, t);
    }

    private boolean isTrained(KerasTensor t) {
        return trained != null && trained.has(t.name());
    }

    private static Operand<TFloat32> constant(Ops tf, String name, KerasTensor t) {
        long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
        return tf.withName(name).constant(Shape.of(shape), DataBuffers.of(t.data(), true, false));
    }

    private Operand<TFloat32> one(KerasLayer layer, List<Operand<TFloat32>> in) {
        if (in.size() != 1) {
            throw new IllegalArgumentException(where(layer) + ": expected one input, got " + layer.inbound());
        }
        return in.get(0);
    }

    private List<Operand<TFloat32>> atLeastTwo(KerasLayer layer, List<Operand<TFloat32>> in) {
        if (in.size() < 2) {
            throw new IllegalArgumentException(where(layer) + ": expected two or more inputs, got " + layer.inbound());
        }
        return in;
    }

    /** Keras's {@code same}/{@code valid} as TF's {@code SAME}/{@code VALID}: the same arithmetic. */
    private static String padding(KerasLayer layer) {
        return KerasConfig.padding(layer).toUpperCase(Locale.ROOT);
    }

    /** {@code e} as an error that names the model and the layer once. */
    private IllegalArgumentException failure(KerasLayer layer, List<Operand<TFloat32>> inputs, RuntimeException e) {
        String message = String.valueOf(e.getMessage());
        if (e instanceof IllegalArgumentException iae && message.startsWith("model ")) {
            return iae;
        }
        if (message.startsWith("layer '" + layer.name() + "'")) { // from KerasConfig
            return new IllegalArgumentException("model " + model.name() + ": " + message, e);
        }
        return new IllegalArgumentException(where(layer) + " on input " + shapes(inputs) + ": " + message, e);
    }

    private String where(KerasLayer layer) {
        return "model " + model.name() + ": layer '" + layer.name() + "' (" + layer.className() + ")";
    }

    private static String shapes(List<Operand<TFloat32>> inputs) {
        return inputs.stream().map(o -> o.shape().toString()).toList().toString();
    }

    /** A TF name scope for a layer name: TF accepts letters, digits and {@code _.-}. */
    private static String scopeName(String name) {
        String s = name.replaceAll("[^A-Za-z0-9_.\\-]", "_");
        return s.isEmpty() || !Character.isLetterOrDigit(s.charAt(0)) ? "l" + s : s;
    }
}
