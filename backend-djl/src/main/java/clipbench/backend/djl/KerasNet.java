package clipbench.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.jni.JniUtils;
import clipbench.api.spi.ImageTensor;
import clipbench.api.spi.TrainableParameter;
import clipbench.keras.KerasConfig;
import clipbench.keras.KerasLayer;
import clipbench.keras.KerasModel;
import clipbench.keras.KerasShapes;
import clipbench.keras.KerasTensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A {@link KerasModel} evaluated on DJL's PyTorch engine: a small interpreter that runs the layer list with libtorch
 * tensor operations, in PyTorch's NCHW layout. The weights are converted once, when the net is built, into NCHW
 * layouts (Conv2D {@code [kh,kw,in,out]} to {@code [out,in,kh,kw]}; DepthwiseConv2D {@code [kh,kw,in,mult]} to
 * {@code [in*mult,1,kh,kw]} run with {@code groups = in}; Dense {@code [in,out]} to {@code [out,in]}).
 *
 * <p>Keras semantics kept exactly: {@code same} padding puts the odd pixel at the bottom / right (an explicit
 * asymmetric pad before a {@code valid} convolution or pooling when the two sides differ); average pooling with
 * {@code same} padding leaves the padding out of the average; max pooling pads with {@code -inf}; {@code Flatten}
 * flattens in Keras's NHWC order; {@code Concatenate} and {@code BatchNormalization} act on the channel axis.
 *
 * <p>Each {@link #run} gets its own native memory scope (freed before it returns), runs without autograd on the
 * caller's thread with the net's intra-op thread count, and frees each intermediate as soon as its last consumer
 * has run.
 */
final class KerasNet implements AutoCloseable {
    /** One compiled layer: its inputs (NCHW, or {@code [n, features]}) to its output. */
    @FunctionalInterface
    private interface Op {
        NDArray apply(NDArray[] in);
    }

    private record Step(KerasLayer layer, int index, int[] inputs, Op op) {
    }

    /**
     * A weight of a trainable net, in Keras's layout, filled per call ({@link #forward(NDArray, List)}):
     * {@code trains} for the parameters, false for state (BatchNormalization statistics, a fixed scale or offset).
     */
    private record Slot(String name, int[] shape, float[] values, boolean trains) {
    }

    final String name;
    final ai.djl.Device device;
    private final int threads;
    private final int[] inputShape;
    private final NDManager params;
    private final int inputIndex;
    private final int outputIndex;
    private final List<Step> steps;
    /** How many times each layer's output is read (by later steps, plus once for the net's output). */
    private final int[] reads;
    private final int layerCount;
    /** Null at inference; a trainable net's weights, read through {@link #current} while a call runs. */
    private final List<Slot> slots;
    private NDArray[] current;

    private KerasNet(KerasModel model, ai.djl.Device device, int threads, boolean trainable) {
        this.name = model.name();
        this.device = device;
        this.threads = threads;
        this.slots = trainable ? new ArrayList<>() : null;
        this.inputShape = model.inputShape();
        DjlRuntime.engine();
        this.params = NDManager.newBaseManager(device, DjlRuntime.ENGINE);
        List<KerasLayer> layers = model.layers();
        this.layerCount = layers.size();
        try {
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < layers.size(); i++) {
                index.put(layers.get(i).name(), i);
            }
            Integer out = index.get(model.output());
            if (out == null) {
                throw new IllegalArgumentException("the output layer '" + model.output()
                        + "' is not one of its layers");
            }
            int input = -1;
            List<Step> compiled = new ArrayList<>();
            int[] counts = new int[layers.size()];
            Set<Integer> needed = needed(model, index, out);
            // a folded convolution's weights are not the file's: a trainable net keeps each layer as it is
            Map<Integer, KerasLayer> folds = trainable ? Map.of() : folds(model, index, needed, out);
            Set<KerasLayer> folded = Collections.newSetFromMap(new IdentityHashMap<>());
            folded.addAll(folds.values());
            Map<String, int[]> shapes = shapes(model);
            for (int i = 0; i < layers.size(); i++) {
                KerasLayer layer = layers.get(i);
                if (!needed.contains(i)) {
                    continue;
                }
                if (layer.className().equals("InputLayer")) {
                    if (input >= 0) {
                        throw new IllegalArgumentException("more than one input ('" + layers.get(input).name()
                                + "', '" + layer.name() + "'); only single-input models run");
                    }
                    input = i;
                    continue;
                }
                int[] inputs = new int[layer.inbound().size()];
                for (int k = 0; k < inputs.length; k++) {
                    Integer from = index.get(layer.inbound().get(k));
                    if (from == null || from >= i) {
                        throw new IllegalArgumentException(where(layer) + ": reads '" + layer.inbound().get(k)
                                + "', which is not an earlier layer");
                    }
                    inputs[k] = from;
                    counts[from]++;
                }
                if (inputs.length == 0) {
                    throw new IllegalArgumentException(where(layer) + ": has no inbound layer");
                }
                Op op = folded.contains(layer) ? in -> in[0] // folded into the convolution before it
                        : compile(model, layer, inputs.length, folds.get(i), shapes.get(layer.inbound().get(0)));
                compiled.add(new Step(layer, i, inputs, op));
            }
            if (input < 0) {
                throw new IllegalArgumentException("no InputLayer feeds '" + model.output() + "'");
            }
            if (inputShape.length != 3) {
                throw new IllegalArgumentException("input shape " + Arrays.toString(inputShape)
                        + " is not [height, width, channels]");
            }
            counts[out]++;
            this.outputIndex = out;
            this.inputIndex = input;
            this.steps = List.copyOf(compiled);
            this.reads = counts;
        } catch (RuntimeException e) {
            params.close();
            throw new IllegalArgumentException("model " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Builds the net, converting every weight once onto {@code device}. Fails with the layer's name on a
     * configuration or weight it cannot run.
     *
     * @param threads libtorch intra-op threads for each call (0: libtorch's default)
     */
    static KerasNet build(KerasModel model, ai.djl.Device device, int threads) {
        return new KerasNet(model, device, threads, false);
    }

    /**
     * Builds the net with its weights as inputs of each call ({@link #forward(NDArray, List)}), nothing folded, so
     * autograd can follow them; its parameters are {@link #parameters()}.
     */
    static KerasNet trainable(KerasModel model, ai.djl.Device device, int threads) {
        return new KerasNet(model, device, threads, true);
    }

    /**
     * A trainable net's parameters in layer order, named {@code layer/weight} in Keras's layouts (Conv2D kernels
     * {@code [kh, kw, in, out]}, DepthwiseConv2D {@code [kh, kw, in, mult]}, Dense {@code [in, out]}; BatchNormalization
     * {@code gamma} and {@code beta}, not its moving statistics).
     */
    List<TrainableParameter> parameters() {
        return slots.stream().filter(Slot::trains).map(s -> new TrainableParameter(s.name, s.shape, s.values)).toList();
    }

    /**
     * A trainable net on {@code input} (NCHW, or {@code [n, features]}) with {@code values} in the order of
     * {@link #parameters()}, in the caller's scope, grad mode and threads; the state it needs is made in the input's
     * manager and type. Returns the output layer's values as {@link #run} does, flattened in Keras's order.
     */
    NDArray forward(NDArray input, List<NDArray> values) {
        NDArray[] filled = new NDArray[slots.size()];
        Iterator<NDArray> given = values.iterator();
        for (int k = 0; k < filled.length; k++) {
            Slot slot = slots.get(k);
            filled[k] = slot.trains ? given.next() : input.getManager().create(slot.values,
                    new Shape(Arrays.stream(slot.shape).asLongStream().toArray())).toType(input.getDataType(), false);
        }
        current = filled;
        try {
            return kerasOrder(forward(input));
        } finally {
            current = null;
        }
    }

    /**
     * A weight as the ops read it: at inference made once from {@code torch} (its values in libtorch's layout); in a
     * trainable net a slot of Keras's {@code tensor}, converted by {@code toTorch} (null: as it is) on each read.
     */
    private Supplier<NDArray> tensor(KerasLayer layer, String suffix, int[] shape, float[] keras, boolean trains,
                                     float[] torch, Shape torchShape, UnaryOperator<NDArray> toTorch) {
        if (slots == null) {
            NDArray constant = params.create(torch, torchShape);
            return () -> constant;
        }
        int k = slots.size();
        slots.add(new Slot(layer.name() + "/" + suffix, shape, keras, trains));
        return toTorch == null ? () -> current[k] : () -> toTorch.apply(current[k]);
    }

    /** A vector weight ({@code [n]}, the same in both layouts). */
    private Supplier<NDArray> vector(KerasLayer layer, String suffix, float[] values, boolean trains) {
        return values == null ? () -> null : tensor(layer, suffix, new int[] {values.length}, values, trains, values,
                new Shape(values.length), null);
    }

    private static Set<Integer> needed(KerasModel model, Map<String, Integer> index, int out) {
        Set<Integer> needed = new HashSet<>();
        Deque<Integer> todo = new ArrayDeque<>(List.of(out));
        while (!todo.isEmpty()) {
            int i = todo.pop();
            if (needed.add(i)) {
                for (String from : model.layers().get(i).inbound()) {
                    Integer j = index.get(from);
                    if (j != null) {
                        todo.push(j);
                    }
                }
            }
        }
        return needed;
    }

    /**
     * The BatchNormalization layers that can be folded into the convolution they read (convolution index to the
     * normalisation): a Conv2D or DepthwiseConv2D without activation, read by nothing else, normalised over its
     * channels. Inference normalisation is {@code x * s + (beta - mean * s)} with {@code s = gamma / sqrt(var + eps)}
     * per channel, so it becomes the convolution's weights times {@code s} and a bias: one pass over the feature map
     * fewer per pair (52 in MobileNetV2, 94 in InceptionV3), equal up to float rounding.
     */
    private static Map<Integer, KerasLayer> folds(KerasModel model, Map<String, Integer> index, Set<Integer> needed,
                                                  int out) {
        List<KerasLayer> layers = model.layers();
        int[] consumers = new int[layers.size()];
        for (int i : needed) {
            for (String from : layers.get(i).inbound()) {
                Integer j = index.get(from);
                if (j != null) {
                    consumers[j]++;
                }
            }
        }
        Map<Integer, KerasLayer> folds = new HashMap<>();
        for (int i : needed) {
            KerasLayer bn = layers.get(i);
            if (!bn.className().equals("BatchNormalization") || bn.inbound().size() != 1) {
                continue;
            }
            Integer j = index.get(bn.inbound().get(0));
            if (j == null || j == out || consumers[j] != 1 || !needed.contains(j)) {
                continue;
            }
            KerasLayer conv = layers.get(j);
            boolean convolution = conv.className().equals("Conv2D") || conv.className().equals("DepthwiseConv2D");
            int axis = batchNormAxis(bn);
            if (convolution && (axis == -1 || axis == 3) && KerasConfig.activation(conv).equals("linear")) {
                folds.put(j, bn);
            }
        }
        return folds;
    }

    /**
     * Runs {@code count} images given in NCHW order and returns one row per image: the output layer's values,
     * flattened in Keras's order (NHWC for a feature map).
     */
    float[][] run(float[] nchw, int count, int height, int width) {
        return call(nchw, count, height, width, out -> rows(kerasOrder(out), count));
    }

    /**
     * Runs {@code count} images given in NCHW order and returns the output feature map as libtorch holds it, NCHW
     * (an image-to-image network's output, without a round trip through Keras's order).
     */
    ImageTensor runImages(float[] nchw, int count, int height, int width) {
        return call(nchw, count, height, width, out -> {
            Shape s = out.getShape();
            if (s.dimension() != 4 || s.get(0) != count) {
                throw new IllegalStateException("model " + name + ": output " + Arrays.toString(s.getShape())
                        + " for " + count + " images is not a feature map");
            }
            return new ImageTensor(count, (int) s.get(1), (int) s.get(2), (int) s.get(3), out.toFloatArray());
        });
    }

    private <T> T call(float[] nchw, int count, int height, int width, Function<NDArray, T> read) {
        int channels = inputShape[2];
        if ((inputShape[0] > 0 && inputShape[0] != height) || (inputShape[1] > 0 && inputShape[1] != width)) {
            throw new IllegalArgumentException("model " + name + ": takes " + inputShape[0] + "x" + inputShape[1]
                    + " images, got " + height + "x" + width);
        }
        if (nchw.length != (long) count * channels * height * width) {
            throw new IllegalArgumentException("model " + name + ": " + count + " images of " + channels + "x"
                    + height + "x" + width + " need " + (long) count * channels * height * width + " floats, got "
                    + nchw.length);
        }
        DjlRuntime.useThreads(threads);
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scope = params.newSubManager(device)) {
            // no copy: the tensor reads the buffer, and the scope frees it (and its views) before the next call;
            // channels-last on the CPU: pools vectorise over channels and oneDNN convolutions skip reordering
            // their input and output (InceptionV3: about 20% less CPU time; MobileNetV2: no change)
            return read.apply(forward(DirectInput.current().images(scope, nchw, count, channels, height, width)));
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    private NDArray forward(NDArray input) {
        NDArray[] values = new NDArray[layerCount];
        Map<NDArray, Integer> pending = new IdentityHashMap<>();
        values[inputIndex] = input;
        pending.merge(input, reads[inputIndex], Integer::sum);
        for (Step step : steps) {
            NDArray[] in = new NDArray[step.inputs.length];
            for (int k = 0; k < in.length; k++) {
                in[k] = values[step.inputs[k]];
            }
            NDArray y;
            try {
                y = step.op.apply(in);
            } catch (RuntimeException e) {
                throw new IllegalStateException("model " + name + ": " + where(step.layer) + ": failed on input "
                        + shapes(in) + ": " + TorchModule.pytorchMessage(e), e);
            }
            values[step.index] = y;
            pending.merge(y, reads[step.index], Integer::sum);
            for (NDArray used : in) {
                // an output may be one of its inputs (Dropout): the count covers both
                int left = pending.merge(used, -1, Integer::sum);
                if (left == 0) {
                    pending.remove(used);
                    used.close();
                }
            }
            if (pending.getOrDefault(y, 0) == 0) {
                pending.remove(y);
                y.close();
            }
        }
        return values[outputIndex];
    }

    // ---------------------------------------------------------------------------------------------------------------
    // layers

    /** Every layer's Keras output shape ({@code [h, w, c]}), or none where Keras shapes cannot be worked out. */
    private static Map<String, int[]> shapes(KerasModel model) {
        try {
            return KerasShapes.outputShapes(model);
        } catch (IllegalArgumentException e) {
            return Map.of(); // the layer that fails fails again, by name, when it is compiled or run
        }
    }

    /**
     * {@code bn}: a BatchNormalization to fold into this convolution ({@link #folds}), else null; {@code input}: the
     * Keras shape of the (first) input, null when unknown.
     */
    private Op compile(KerasModel model, KerasLayer layer, int arity, KerasLayer bn, int[] input) {
        String type = KerasConfig.type(layer);
        if (!type.equals("Add") && !type.equals("Concatenate") && arity != 1) {
            throw new IllegalArgumentException(where(layer) + ": expected one inbound layer, got " + arity);
        }
        KerasConfig.requireChannelsLast(layer);
        Map<String, KerasTensor> w = model.weightsOf(layer.name());
        return switch (type) {
            case "Conv2D" -> conv(layer, w, false, bn == null ? null : normalisation(bn, model.weightsOf(bn.name())));
            case "DepthwiseConv2D" -> conv(layer, w, true,
                    bn == null ? null : normalisation(bn, model.weightsOf(bn.name())));
            case "BatchNormalization" -> batchNorm(layer, w);
            case "ReLU" -> relu(layer);
            case "Activation" -> activationLayer(layer);
            case "ZeroPadding2D" -> zeroPadding(layer);
            case "Add" -> in -> add(in);
            case "Concatenate" -> concatenate(layer);
            case "MaxPooling2D" -> pool(layer, true, input);
            case "AveragePooling2D" -> pool(layer, false, input);
            case "GlobalAveragePooling2D" -> globalAverage(layer);
            case "Flatten" -> in -> kerasOrder(in[0]);
            case "Dense" -> dense(layer, w);
            case "Dropout" -> in -> in[0];
            case "UpSampling2D" -> upSampling(layer);
            case "MultiplyBeta" -> {
                float beta = KerasConfig.multiplyBeta(layer);
                yield in -> in[0].mul(beta);
            }
            case "PixelShuffle" -> pixelShuffle(layer);
            default -> throw new IllegalArgumentException(where(layer) + ": layer type " + type
                    + " is not supported (supported: " + new java.util.TreeSet<>(KerasModel.SUPPORTED) + ")");
        };
    }

    /** {@code bn}: the normalisation after it, folded into its weights and bias; null for none. */
    private Op conv(KerasLayer layer, Map<String, KerasTensor> w, boolean depthwise, Normalisation bn) {
        int[] size = KerasConfig.pair(layer, "kernel_size", null);
        int[] stride = KerasConfig.pair(layer, "strides", new int[] {1, 1});
        int[] dilation = KerasConfig.pair(layer, "dilation_rate", new int[] {1, 1});
        boolean same = KerasConfig.padding(layer).equals("same");
        KerasTensor kernel = weight(layer, w, depthwise ? "depthwise_kernel" : "kernel");
        int[] ks = kernel.shape();
        if (ks.length != 4 || ks[0] != size[0] || ks[1] != size[1]) {
            throw new IllegalArgumentException(where(layer) + ": kernel " + kernel.name() + " has shape "
                    + Arrays.toString(ks) + ", expected [" + size[0] + ", " + size[1] + ", in, out]");
        }
        int groups;
        float[] weightData;
        Shape weightShape;
        int outChannels;
        if (depthwise) {
            int multiplier = KerasConfig.integer(layer, "depth_multiplier", 1);
            if (ks[3] != multiplier) {
                throw new IllegalArgumentException(where(layer) + ": depthwise kernel " + Arrays.toString(ks)
                        + " does not match depth_multiplier " + multiplier);
            }
            groups = ks[2];
            outChannels = ks[2] * ks[3];
            // [kh, kw, in, mult] -> [in * mult, 1, kh, kw]; output channel i * mult + m, as TensorFlow
            weightData = permute(kernel.data(), ks, new int[] {2, 3, 0, 1});
            weightShape = new Shape(outChannels, 1, ks[0], ks[1]);
        } else {
            groups = KerasConfig.integer(layer, "groups", 1);
            int filters = KerasConfig.integer(layer, "filters", ks[3]);
            if (filters != ks[3] || groups < 1 || filters % groups != 0) {
                throw new IllegalArgumentException(where(layer) + ": kernel " + Arrays.toString(ks) + " does not match"
                        + " filters " + filters + " / groups " + groups);
            }
            outChannels = ks[3];
            // [kh, kw, in, out] -> [out, in, kh, kw]
            weightData = permute(kernel.data(), ks, new int[] {3, 2, 0, 1});
            weightShape = new Shape(ks[3], ks[2], ks[0], ks[1]);
        }
        float[] biasData = biasData(layer, w, outChannels);
        if (bn != null) {
            biasData = bn.fold(layer, weightData, biasData, outChannels);
        }
        Shape torchShape = weightShape;
        Supplier<NDArray> weight = tensor(layer, depthwise ? "depthwise_kernel" : "kernel", ks,
                kernel.data(), true, weightData, weightShape, depthwise
                        ? k -> then(k.transpose(2, 3, 0, 1), t -> t.reshape(torchShape)) : k -> k.transpose(3, 2, 0, 1));
        Supplier<NDArray> bias = vector(layer, "bias", biasData, true);
        UnaryOperator<NDArray> activation = activation(layer, KerasConfig.activation(layer));
        Shape strides = new Shape(stride[0], stride[1]);
        Shape dilations = new Shape(dilation[0], dilation[1]);
        return in -> {
            NDArray x = in[0];
            Shape padding = new Shape(0, 0);
            NDArray padded = null;
            if (same) {
                int[] ph = KerasConfig.samePadding(height(x), size[0], stride[0], dilation[0]);
                int[] pw = KerasConfig.samePadding(width(x), size[1], stride[1], dilation[1]);
                if (ph[0] == ph[1] && pw[0] == pw[1]) {
                    padding = new Shape(ph[0], pw[0]);
                } else {
                    padded = x.pad(new Shape(pw[0], pw[1], ph[0], ph[1]), 0);
                    x = padded;
                }
            }
            NDArray y = Conv2d.conv2d(x, weight.get(), bias.get(), strides, padding, dilations, groups)
                    .singletonOrThrow();
            if (padded != null) {
                padded.close();
            }
            return then(y, activation);
        };
    }

    /** Keras's normalisation axis ({@code -1} when absent); a one-element list is that element. */
    private static int batchNormAxis(KerasLayer layer) {
        JsonNode axisNode = layer.config().path("axis");
        if (axisNode.isArray()) {
            if (axisNode.size() != 1) {
                throw new IllegalArgumentException(where(layer) + ": normalises over axes " + axisNode
                        + "; only the channel axis is supported");
            }
            axisNode = axisNode.get(0);
        }
        return axisNode.asInt(-1);
    }

    /** A BatchNormalization's inference constants, per channel. */
    private record Normalisation(KerasLayer layer, int axis, float epsilon, float[] mean, float[] variance,
                                 float[] gamma, float[] beta) {
        int channels() {
            return mean.length;
        }

        /** {@code gamma / sqrt(variance + epsilon)} for channel {@code c}. */
        double scale(int c) {
            return gamma[c] / Math.sqrt((double) variance[c] + epsilon);
        }

        /**
         * Scales {@code weight} ({@code [out, ...]}) in place per output channel and returns the new bias
         * ({@code bias} may be null: none).
         */
        float[] fold(KerasLayer conv, float[] weight, float[] bias, int outChannels) {
            if (channels() != outChannels) {
                throw new IllegalArgumentException(where(layer) + ": has " + channels() + " channels, but "
                        + where(conv) + " gives " + outChannels);
            }
            int block = weight.length / outChannels;
            float[] folded = new float[outChannels];
            for (int c = 0; c < outChannels; c++) {
                double s = scale(c);
                for (int k = c * block; k < (c + 1) * block; k++) {
                    weight[k] = (float) (weight[k] * s);
                }
                double b = bias == null ? 0 : bias[c];
                folded[c] = (float) ((b - mean[c]) * s + beta[c]);
            }
            return folded;
        }
    }

    private Normalisation normalisation(KerasLayer layer, Map<String, KerasTensor> w) {
        int axis = batchNormAxis(layer);
        float epsilon = (float) KerasConfig.number(layer, "epsilon", 1e-3);
        boolean center = KerasConfig.flag(layer, "center", true);
        boolean scale = KerasConfig.flag(layer, "scale", true);
        KerasTensor mean = weight(layer, w, "moving_mean");
        int channels = mean.data().length;
        float[] gamma = new float[channels];
        Arrays.fill(gamma, 1f);
        return new Normalisation(layer, axis, epsilon, values(layer, mean, channels),
                values(layer, weight(layer, w, "moving_variance"), channels),
                scale ? values(layer, weight(layer, w, "gamma"), channels) : gamma,
                center ? values(layer, weight(layer, w, "beta"), channels) : new float[channels]);
    }

    private Op batchNorm(KerasLayer layer, Map<String, KerasTensor> w) {
        Normalisation bn = normalisation(layer, w);
        int axis = bn.axis();
        Supplier<NDArray> movingMean = vector(layer, "moving_mean", bn.mean(), false);
        Supplier<NDArray> movingVariance = vector(layer, "moving_variance", bn.variance(), false);
        Supplier<NDArray> gamma = vector(layer, "gamma", bn.gamma(), KerasConfig.flag(layer, "scale", true));
        Supplier<NDArray> beta = vector(layer, "beta", bn.beta(), KerasConfig.flag(layer, "center", true));
        return in -> {
            NDArray x = in[0];
            int rank = x.getShape().dimension();
            int kerasAxis = axis < 0 ? rank + axis : axis;
            if (kerasAxis != rank - 1) {
                throw new IllegalArgumentException("normalises over Keras axis " + axis + " of a rank-" + rank
                        + " tensor; only the channel (last) axis is supported");
            }
            return BatchNorm.batchNorm(x, movingMean.get(), movingVariance.get(), gamma.get(), beta.get(), 1, 0.99f,
                    bn.epsilon(), false).singletonOrThrow();
        };
    }

    private Op relu(KerasLayer layer) {
        double max = KerasConfig.optionalNumber(layer, "max_value");
        Float maxValue = Double.isNaN(max) ? null : (float) max;
        float slope = (float) KerasConfig.number(layer, "negative_slope", 0);
        float threshold = (float) KerasConfig.number(layer, "threshold", 0);
        return in -> relu(in[0], maxValue, slope, threshold);
    }

    /** Keras's {@code backend.relu(x, alpha, max_value, threshold)}. */
    private static NDArray relu(NDArray x, Float maxValue, float slope, float threshold) {
        if (slope == 0 && threshold == 0) {
            return maxValue == null ? Activation.relu(x) : x.clip(0f, maxValue);
        }
        NDArray y;
        if (threshold != 0) {
            try (NDArray above = x.gt(threshold); NDArray mask = above.toType(DataType.FLOAT32, false)) {
                y = x.mul(mask);
            }
        } else {
            y = x.maximum(0f);
        }
        if (maxValue != null) {
            y = then(y, v -> v.clip(0f, maxValue));
        }
        if (slope != 0) {
            try (NDArray negated = x.neg(); NDArray shifted = negated.add(threshold);
                 NDArray negative = shifted.maximum(0f); NDArray scaled = negative.mul(slope)) {
                y = then(y, v -> v.sub(scaled));
            }
        }
        return y;
    }

    private Op activationLayer(KerasLayer layer) {
        UnaryOperator<NDArray> f = activation(layer, KerasConfig.activation(layer));
        return f == null ? in -> in[0] : in -> f.apply(in[0]);
    }

    /** A Keras activation by name; null for {@code linear}. Softmax is over the channel (Keras's last) axis. */
    private static UnaryOperator<NDArray> activation(KerasLayer layer, String activation) {
        return switch (activation) {
            case "linear" -> null;
            case "relu" -> Activation::relu;
            case "relu6" -> x -> x.clip(0f, 6f);
            case "sigmoid" -> Activation::sigmoid;
            case "tanh" -> NDArray::tanh;
            case "softmax" -> x -> x.softmax(1);
            default -> throw new IllegalArgumentException(where(layer) + ": activation '" + activation
                    + "' is not supported (linear, relu, relu6, sigmoid, tanh, softmax)");
        };
    }

    private Op zeroPadding(KerasLayer layer) {
        int[] pads = KerasConfig.zeroPadding(layer); // top, bottom, left, right
        Shape shape = new Shape(pads[2], pads[3], pads[0], pads[1]);
        return in -> in[0].pad(shape, 0);
    }

    /** Keras nearest up-sampling: every pixel repeated rows x cols times (repeat_interleave on H, then W). */
    private static Op upSampling(KerasLayer layer) {
        int[] size = KerasConfig.upSampling(layer);
        return in -> then(in[0].repeat(2, size[0]), r -> r.repeat(3, size[1]));
    }

    /**
     * TF's depthToSpace (DCR): channel {@code (i*b + j) * C + c} goes to pixel offset (i, j) of channel c. Torch's
     * pixel_shuffle is CRD ({@code c*b*b + i*b + j}), so this reshapes to {@code [N, b, b, C, H, W]} and permutes.
     */
    private static Op pixelShuffle(KerasLayer layer) {
        int b = KerasConfig.pixelShuffle(layer);
        return in -> {
            Shape s = in[0].getShape(); // NCHW
            long c = s.get(1) / ((long) b * b);
            NDArray split = in[0].reshape(s.get(0), b, b, c, s.get(2), s.get(3));
            return then(then(split, t -> t.transpose(0, 3, 4, 1, 5, 2)),
                    t -> t.reshape(s.get(0), c, s.get(2) * b, s.get(3) * b));
        };
    }

    private static NDArray add(NDArray[] in) {
        NDArray sum = in[0].add(in[1]);
        for (int k = 2; k < in.length; k++) {
            NDArray next = in[k];
            sum = then(sum, s -> s.add(next));
        }
        return sum;
    }

    private Op concatenate(KerasLayer layer) {
        int axis = KerasConfig.integer(layer, "axis", -1);
        return in -> {
            int rank = in[0].getShape().dimension();
            int kerasAxis = axis < 0 ? rank + axis : axis;
            if (kerasAxis < 0 || kerasAxis >= rank) {
                throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
            }
            // Keras [n, h, w, c] -> NCHW: channels (last) to 1, spatial axes one later
            int axisNchw = kerasAxis == 0 ? 0 : kerasAxis == rank - 1 ? 1 : kerasAxis + 1;
            return NDArrays.concat(new NDList(in), axisNchw);
        };
    }

    /** {@code input}: the Keras input shape when known, to make an average's rescaling once instead of per call. */
    private Op pool(KerasLayer layer, boolean max, int[] input) {
        int[] size = KerasConfig.pair(layer, "pool_size", new int[] {2, 2});
        int[] stride = KerasConfig.pair(layer, "strides", size);
        boolean same = KerasConfig.padding(layer).equals("same");
        Shape kernel = new Shape(size[0], size[1]);
        Shape strides = new Shape(stride[0], stride[1]);
        NDArray knownScale = null;
        if (!max && same && input != null && input.length == 3 && input[0] > 0 && input[1] > 0) {
            int[] ph = KerasConfig.samePadding(input[0], size[0], stride[0], 1);
            int[] pw = KerasConfig.samePadding(input[1], size[1], stride[1], 1);
            if (ph[0] + ph[1] + pw[0] + pw[1] > 0) {
                knownScale = windowScale(params, input[0], input[1], size, stride, ph[0], pw[0],
                        (input[0] + stride[0] - 1) / stride[0], (input[1] + stride[1] - 1) / stride[1]);
            }
        }
        NDArray scaleForInput = knownScale;
        return in -> {
            NDArray x = in[0];
            if (x.getShape().dimension() != 4) {
                throw new IllegalArgumentException("pools a rank-" + x.getShape().dimension() + " tensor");
            }
            int h = height(x);
            int w = width(x);
            int[] ph = same ? KerasConfig.samePadding(h, size[0], stride[0], 1) : new int[2];
            int[] pw = same ? KerasConfig.samePadding(w, size[1], stride[1], 1) : new int[2];
            boolean symmetric = ph[0] == ph[1] && pw[0] == pw[1];
            NDArray padded = null;
            Shape padding = new Shape(ph[0], pw[0]);
            if (!symmetric) {
                // libtorch pads symmetrically only: the odd pixel goes bottom / right by hand
                padded = x.pad(new Shape(pw[0], pw[1], ph[0], ph[1]), max ? Double.NEGATIVE_INFINITY : 0);
                padding = new Shape(0, 0);
            }
            try {
                NDArray in0 = padded == null ? x : padded;
                if (max) {
                    // libtorch's own padding never wins a max, like -inf
                    return Pool.maxPool2d(in0, kernel, strides, padding, false);
                }
                // DJL's avgPool2d always counts padding in (count_include_pad); Keras leaves it out: rescale
                NDArray mean = Pool.avgPool2d(in0, kernel, strides, padding, false, true);
                if (ph[0] + ph[1] + pw[0] + pw[1] == 0) {
                    return mean;
                }
                int outH = (int) mean.getShape().get(2);
                int outW = (int) mean.getShape().get(3);
                if (scaleForInput != null && scaleForInput.getShape().equals(new Shape(outH, outW))
                        && h == input[0] && w == input[1]) {
                    return then(mean, m -> m.mul(scaleForInput));
                }
                try (NDArray rescale = windowScale(x.getManager(), h, w, size, stride, ph[0], pw[0], outH, outW)) {
                    return then(mean, m -> m.mul(rescale));
                }
            } finally {
                if (padded != null) {
                    padded.close();
                }
            }
        };
    }

    /** {@code kh * kw / (pixels of the window inside the image)}: turns a zero-padded average into Keras's. */
    private static NDArray windowScale(NDManager manager, int h, int w, int[] size, int[] stride, int top, int left,
                                       int outH, int outW) {
        float[] scale = new float[outH * outW];
        for (int oy = 0; oy < outH; oy++) {
            int y0 = oy * stride[0] - top;
            int rows = Math.min(y0 + size[0], h) - Math.max(y0, 0);
            for (int ox = 0; ox < outW; ox++) {
                int x0 = ox * stride[1] - left;
                int cols = Math.min(x0 + size[1], w) - Math.max(x0, 0);
                scale[oy * outW + ox] = (float) ((double) size[0] * size[1] / ((double) rows * cols));
            }
        }
        return manager.create(scale, new Shape(outH, outW));
    }

    private Op globalAverage(KerasLayer layer) {
        boolean keep = KerasConfig.flag(layer, "keepdims", false);
        return in -> {
            if (in[0].getShape().dimension() != 4) {
                throw new IllegalArgumentException("pools a rank-" + in[0].getShape().dimension() + " tensor");
            }
            Shape s = in[0].getShape();
            NDArray pooled = Pool.globalAvgPool2d(in[0]); // [n, c]
            return keep ? then(pooled, p -> p.reshape(s.get(0), s.get(1), 1, 1)) : pooled;
        };
    }

    private Op dense(KerasLayer layer, Map<String, KerasTensor> w) {
        KerasTensor kernel = weight(layer, w, "kernel");
        int[] ks = kernel.shape();
        int units = KerasConfig.integer(layer, "units", ks.length == 2 ? ks[1] : -1);
        if (ks.length != 2 || ks[1] != units) {
            throw new IllegalArgumentException(where(layer) + ": kernel " + kernel.name() + " has shape "
                    + Arrays.toString(ks) + ", expected [in, " + units + "]");
        }
        Supplier<NDArray> weight = tensor(layer, "kernel", ks, kernel.data(), true,
                permute(kernel.data(), ks, new int[] {1, 0}), new Shape(ks[1], ks[0]), k -> k.transpose(1, 0));
        Supplier<NDArray> bias = vector(layer, "bias", biasData(layer, w, units), true);
        UnaryOperator<NDArray> activation = activation(layer, KerasConfig.activation(layer));
        return in -> {
            NDArray x = in[0];
            int rank = x.getShape().dimension();
            NDArray y;
            if (rank == 2) {
                y = Linear.linear(x, weight.get(), bias.get()).singletonOrThrow();
            } else if (rank == 4) {
                // Keras applies Dense to the last (channel) axis
                try (NDArray nhwc = x.transpose(0, 2, 3, 1); NDArray z = Linear.linear(nhwc, weight.get(), bias.get())
                        .singletonOrThrow()) {
                    y = z.transpose(0, 3, 1, 2);
                }
            } else {
                throw new IllegalArgumentException("Dense on a rank-" + rank + " tensor");
            }
            return then(y, activation);
        };
    }

    // ---------------------------------------------------------------------------------------------------------------
    // helpers

    /**
     * An NCHW tensor as Keras would see it flattened: NHWC order, {@code [n, h*w*c]}; {@code [n, d]} unchanged.
     */
    private static NDArray kerasOrder(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() <= 2) {
            return x;
        }
        long n = s.get(0);
        if (s.size() / n / s.get(1) == 1) {
            return x.reshape(n, -1);
        }
        int[] axes = new int[s.dimension()];
        axes[0] = 0;
        for (int k = 1; k < axes.length - 1; k++) {
            axes[k] = k + 1;
        }
        axes[axes.length - 1] = 1;
        try (NDArray channelsLast = x.transpose(axes)) {
            return channelsLast.reshape(n, -1);
        }
    }

    private static float[][] rows(NDArray out, int n) {
        Shape shape = out.getShape();
        if (shape.dimension() != 2 || shape.get(0) != n) {
            throw new IllegalStateException("output " + Arrays.toString(shape.getShape()) + " for " + n + " images");
        }
        float[] flat = out.toFloatArray();
        int d = (int) shape.get(1);
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
        return rows;
    }

    /** Applies {@code f} (null: nothing) and frees {@code x} when {@code f} made a new array. */
    private static NDArray then(NDArray x, UnaryOperator<NDArray> f) {
        if (f == null) {
            return x;
        }
        NDArray y = f.apply(x);
        if (y != x) {
            x.close();
        }
        return y;
    }

    /** Reorders a row-major tensor: output axis {@code k} is input axis {@code order[k]}. */
    static float[] permute(float[] data, int[] shape, int[] order) {
        int rank = shape.length;
        int[] outShape = new int[rank];
        for (int k = 0; k < rank; k++) {
            outShape[k] = shape[order[k]];
        }
        int[] inStrides = new int[rank];
        int stride = 1;
        for (int k = rank - 1; k >= 0; k--) {
            inStrides[k] = stride;
            stride *= shape[k];
        }
        int[] strideOfOut = new int[rank];
        for (int k = 0; k < rank; k++) {
            strideOfOut[k] = inStrides[order[k]];
        }
        float[] out = new float[data.length];
        int[] idx = new int[rank];
        int src = 0;
        for (int o = 0; o < out.length; o++) {
            out[o] = data[src];
            for (int k = rank - 1; k >= 0; k--) {
                idx[k]++;
                src += strideOfOut[k];
                if (idx[k] < outShape[k]) {
                    break;
                }
                src -= strideOfOut[k] * outShape[k];
                idx[k] = 0;
            }
        }
        return out;
    }

    /** The layer's bias values; null when it has none ({@code use_bias: false}). */
    private static float[] biasData(KerasLayer layer, Map<String, KerasTensor> w, int units) {
        boolean useBias = KerasConfig.flag(layer, "use_bias", true);
        return useBias ? values(layer, weight(layer, w, "bias"), units) : null;
    }

    private static float[] values(KerasLayer layer, KerasTensor t, int length) {
        if (t.data().length != length) {
            throw new IllegalArgumentException(where(layer) + ": weight " + t.name() + " has " + t.data().length
                    + " values, expected " + length);
        }
        return t.data();
    }

    private static KerasTensor weight(KerasLayer layer, Map<String, KerasTensor> w, String suffix) {
        KerasTensor t = w.get(suffix);
        if (t == null) {
            throw new IllegalArgumentException(where(layer) + ": weight '" + layer.name() + "/" + suffix
                    + "' is missing (the layer has " + new java.util.TreeSet<>(w.keySet()) + ")");
        }
        return t;
    }

    private static int height(NDArray x) {
        return (int) x.getShape().get(2);
    }

    private static int width(NDArray x) {
        return (int) x.getShape().get(3);
    }

    private static String shapes(NDArray[] in) {
        StringBuilder b = new StringBuilder();
        for (NDArray x : in) {
            b.append(b.length() == 0 ? "" : ", ").append(Arrays.toString(x.getShape().getShape()));
        }
        return b.toString();
    }

    private static String where(KerasLayer layer) {
        return "layer '" + layer.name() + "' (" + layer.className() + ")";
    }

    /** Native arrays held by the net's weights (for leak tests): constant once built. */
    int liveArrays() {
        return ((ai.djl.ndarray.BaseNDManager) params).getManagedArrays().size();
    }

    @Override
    public void close() {
        params.close();
    }
}
