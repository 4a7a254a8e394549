package clipbench.keras;

import clipbench.api.io.AtomicFiles;

import ai.onnx.proto.OnnxMl.AttributeProto;
import clipbench.onnx.OnnxAttributes;
import clipbench.onnx.OnnxGraphBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link KerasModel} as an ONNX model that computes exactly what the Keras model computes, in float32.
 *
 * <p>Conventions (clipbench's): one input {@value #INPUT}, float32 {@code [N, C, H, W]} (NCHW, N symbolic
 * {@code "N"}, C/H/W from {@link KerasModel#inputShape()}); one output {@value #OUTPUT}, the output of
 * {@link KerasModel#output()} in Keras's own shape with the batch first: {@code [N, D]} for a vector, and
 * {@code [N, H, W, C]} (channels last, as Keras) when the output layer is a feature map. Inside, the graph
 * stays NCHW: kernels are transposed once here (Conv2D {@code [kh,kw,in,out] -> [out,in,kh,kw]}, DepthwiseConv2D
 * {@code [kh,kw,in,mult] -> [in*mult,1,kh,kw]} with {@code group=in}); channel-axis operations use axis 1;
 * {@code Flatten} of a feature map larger than 1x1 transposes to NHWC first so its order is Keras's.
 *
 * <p>Padding "same" is TensorFlow's: the odd pixel goes bottom/right. It is written as explicit {@code pads}
 * computed from the static input size (never {@code auto_pad}); an average pool with "same" padding
 * excludes the padding from the mean ({@code count_include_pad=0}), as TensorFlow does.
 *
 * <p>The model is built with ONNX's generated protobuf classes ({@link OnnxGraphBuilder}, module onnx-export).
 *
 * <p>Unsupported configurations (data_format channels_first, padding "causal", unknown activations, ReLU
 * threshold, ...) throw {@link IllegalArgumentException} naming the layer and the field.
 */
public final class OnnxExport {
    /** The graph input: float32 NCHW image batch. */
    public static final String INPUT = "image";
    /** The graph output: the output of {@link KerasModel#output()}. */
    public static final String OUTPUT = "embedding";

    private static final int REQUIRED = Integer.MIN_VALUE;
    private static final String PRODUCER = "clipbench-keras-import";
    private static final String PRODUCER_VERSION = "0.1";

    /** A layer's output: the ONNX tensor holding it, and its Keras shape without the batch (H, W, C) or (D). */
    private record Value(String tensor, int[] shape) {
        int rank() {
            return shape.length + 1;
        }
    }

    private final KerasModel model;
    private final OnnxGraphBuilder g = new OnnxGraphBuilder();
    private final Map<String, Value> values = new HashMap<>();
    private final Map<Float, String> scalars = new HashMap<>();
    private int[] outputShape;

    /** True when only shapes are wanted: initializers are named but not encoded. */
    private final boolean shapesOnly;
    /** True for an image-to-image network: a feature-map output stays NCHW, like the input. */
    private final boolean imageOutput;

    private OnnxExport(KerasModel model, boolean shapesOnly) {
        this(model, shapesOnly, false);
    }

    private OnnxExport(KerasModel model, boolean shapesOnly, boolean imageOutput) {
        this.model = model;
        this.shapesOnly = shapesOnly;
        this.imageOutput = imageOutput;
    }

    /**
     * Writes {@code model} as ONNX to {@code file} (replaced atomically: written beside it, then moved).
     *
     * @throws IllegalArgumentException for a layer or configuration that cannot be translated
     */
    public static void write(KerasModel model, Path file) throws IOException {
        OnnxExport e = new OnnxExport(model, false);
        e.build();
        AtomicFiles.writeBytes(file, e::writeTo);
    }

    /**
     * Writes an image-to-image {@code model} (e.g. super-resolution) as ONNX: as {@link #write}, but the output
     * {@value #OUTPUT} is NCHW {@code [N, C, H, W]} like the input, for {@code openImageToImage}.
     */
    public static void writeImageToImage(KerasModel model, Path file) throws IOException {
        OnnxExport e = new OnnxExport(model, false, true);
        e.build();
        AtomicFiles.writeBytes(file, e::writeTo);
    }

    /** The same ONNX model as {@link #write}, in memory. */
    public static byte[] toBytes(KerasModel model) {
        OnnxExport e = new OnnxExport(model, false);
        e.build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            e.writeTo(out);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return out.toByteArray();
    }

    /**
     * The shape of the ONNX output {@value #OUTPUT} without the batch: {@code [D]}, or {@code [H, W, C]} for a
     * feature map (what Keras outputs). Computed statically, without writing anything.
     */
    public static int[] outputShape(KerasModel model) {
        OnnxExport e = new OnnxExport(model, true);
        e.build();
        return e.outputShape.clone();
    }

    private void writeTo(OutputStream out) throws IOException {
        String doc = "Keras model '" + model.name() + "' (output layer '" + model.output() + "'), exported by "
                + "clipbench OnnxExport: input " + INPUT + " float32 NCHW, output " + OUTPUT + " "
                + (outputShape.length != 3 ? "[N, D]" : imageOutput ? "float32 NCHW" : "NHWC as Keras");
        g.writeModel(out, model.name(), PRODUCER, PRODUCER_VERSION, doc);
    }

    // ---------------------------------------------------------------------------------------------- graph

    private void build() {
        int[] in = model.inputShape();
        if (in.length != 3 || bad(in[0]) || bad(in[1]) || in[2] <= 0) {
            throw new IllegalArgumentException("model " + model.name() + ": input shape " + Arrays.toString(in)
                    + " must be [height, width, channels] (height and width may be open)");
        }
        g.input(INPUT, "N", in[2], dim(in[0], "H"), dim(in[1], "W"));
        g.claim(OUTPUT); // before any layer, so a layer named like it gets another tensor name
        boolean sawInput = false;
        for (KerasLayer l : model.layers()) {
            List<Value> inputs = new ArrayList<>();
            for (String src : l.inbound()) {
                Value v = values.get(src);
                if (v == null) {
                    throw new IllegalArgumentException(where(l) + " has inbound layer '" + src
                            + "' that is not defined before it");
                }
                inputs.add(v);
            }
            if (l.className().equals("InputLayer")) {
                if (sawInput) {
                    throw new IllegalArgumentException(where(l) + ": a second InputLayer (one input is supported)");
                }
                sawInput = true;
                values.put(l.name(), new Value(INPUT, in));
                continue;
            }
            if (inputs.isEmpty()) {
                throw new IllegalArgumentException(where(l) + " has no inbound layer");
            }
            values.put(l.name(), translate(l, inputs));
        }
        Value out = values.get(model.output());
        if (out == null) {
            throw new IllegalArgumentException("model " + model.name() + ": output layer '" + model.output()
                    + "' is not among its layers");
        }
        outputShape = out.shape.clone();
        if (out.shape.length == 3 && imageOutput) {
            g.node("Identity", OUTPUT, List.of(out.tensor), List.of(OUTPUT));
            g.output(OUTPUT, "N", out.shape[2], dim(out.shape[0], "H_out"), dim(out.shape[1], "W_out"));
        } else if (out.shape.length == 3) {
            g.node("Transpose", OUTPUT, List.of(out.tensor), List.of(OUTPUT), OnnxAttributes.ints("perm", 0, 2, 3, 1));
            g.output(OUTPUT, "N", dim(out.shape[0], "H_out"), dim(out.shape[1], "W_out"), out.shape[2]);
        } else {
            g.node("Identity", OUTPUT, List.of(out.tensor), List.of(OUTPUT));
            Object[] dims = new Object[out.shape.length + 1];
            dims[0] = "N";
            for (int k = 0; k < out.shape.length; k++) {
                dims[k + 1] = out.shape[k];
            }
            g.output(OUTPUT, dims);
        }
    }

    private static boolean bad(int length) {
        return length <= 0 && length != KerasModel.ANY;
    }

    /** A static length, or the symbolic {@code name} where the length is open. */
    private static Object dim(int length, String name) {
        return length == KerasModel.ANY ? name : (Object) length;
    }

    private Value translate(KerasLayer l, List<Value> in) {
        return switch (KerasConfig.type(l)) {
            case "Conv2D" -> conv2d(l, one(l, in));
            case "DepthwiseConv2D" -> depthwise(l, one(l, in));
            case "BatchNormalization" -> batchNorm(l, one(l, in));
            case "ReLU" -> relu(l, one(l, in));
            case "Activation" -> {
                Value x = one(l, in);
                yield new Value(activation(l, "activation", str(l, "activation", null), x), x.shape);
            }
            case "ZeroPadding2D" -> zeroPad(l, one(l, in));
            case "Add" -> add(l, in);
            case "Concatenate" -> concat(l, in);
            case "MaxPooling2D" -> pool(l, one(l, in), "MaxPool");
            case "AveragePooling2D" -> pool(l, one(l, in), "AveragePool");
            case "GlobalAveragePooling2D" -> globalAvg(l, one(l, in));
            case "Flatten" -> flatten(l, one(l, in));
            case "Dense" -> dense(l, one(l, in));
            case "Dropout" -> one(l, in);
            case "UpSampling2D" -> upSampling(l, one(l, in));
            case "MultiplyBeta" -> {
                Value x = one(l, in);
                yield new Value(op("Mul", l.name(), List.of(x.tensor, scalar(KerasConfig.multiplyBeta(l)))), x.shape);
            }
            case "PixelShuffle" -> pixelShuffle(l, one(l, in));
            default -> throw new IllegalArgumentException(where(l) + ": unsupported layer type " + l.className());
        };
    }

    // --------------------------------------------------------------------------------------------- layers

    private Value conv2d(KerasLayer l, Value x) {
        rank4(l, x);
        dataFormat(l);
        int[] k = pair(l, "kernel_size", null);
        int[] s = pair(l, "strides", new int[] {1, 1});
        int[] d = pair(l, "dilation_rate", new int[] {1, 1});
        int filters = intField(l, "filters", REQUIRED);
        int groups = intField(l, "groups", 1);
        int cin = x.shape[2];
        if (groups < 1 || cin % groups != 0 || filters % groups != 0) {
            throw new IllegalArgumentException(where(l) + ": field 'groups' = " + groups + " does not divide "
                    + cin + " input channels and " + filters + " filters");
        }
        KerasTensor kernel = weight(l, "kernel", k[0], k[1], cin / groups, filters);
        int[][] p = pads(l, x, k, s, d);
        int kh = k[0];
        int kw = k[1];
        int ci = cin / groups;
        float[] src = kernel.data();
        float[] w = new float[src.length];
        for (int y = 0; y < kh; y++) {
            for (int xx = 0; xx < kw; xx++) {
                for (int i = 0; i < ci; i++) {
                    for (int o = 0; o < filters; o++) {
                        w[((o * ci + i) * kh + y) * kw + xx] = src[((y * kw + xx) * ci + i) * filters + o];
                    }
                }
            }
        }
        List<String> inputs = new ArrayList<>(List.of(x.tensor, init(kernel.name(), new int[] {filters, ci, kh, kw}, w)));
        if (bool(l, "use_bias", true)) {
            inputs.add(init(weight(l, "bias", filters)));
        }
        String y = op("Conv", l.name(), inputs, convAttributes(k, s, d, p, groups));
        int[] shape = {p[1][2], p[2][2], filters};
        return new Value(activation(l, "activation", str(l, "activation", "linear"), new Value(y, shape)), shape);
    }

    private Value depthwise(KerasLayer l, Value x) {
        rank4(l, x);
        dataFormat(l);
        int[] k = pair(l, "kernel_size", null);
        int[] s = pair(l, "strides", new int[] {1, 1});
        int[] d = pair(l, "dilation_rate", new int[] {1, 1});
        int m = intField(l, "depth_multiplier", 1);
        int c = x.shape[2];
        Map<String, KerasTensor> ws = model.weightsOf(l.name());
        String kname = ws.containsKey("depthwise_kernel") ? "depthwise_kernel" : "kernel";
        KerasTensor kernel = weight(l, kname, k[0], k[1], c, m);
        int[][] p = pads(l, x, k, s, d);
        int kh = k[0];
        int kw = k[1];
        float[] src = kernel.data();
        float[] w = new float[src.length];
        for (int y = 0; y < kh; y++) {
            for (int xx = 0; xx < kw; xx++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int j = 0; j < m; j++) {
                        w[((ch * m + j) * kh + y) * kw + xx] = src[((y * kw + xx) * c + ch) * m + j];
                    }
                }
            }
        }
        List<String> inputs = new ArrayList<>(List.of(x.tensor, init(kernel.name(), new int[] {c * m, 1, kh, kw}, w)));
        if (bool(l, "use_bias", true)) {
            inputs.add(init(weight(l, "bias", c * m)));
        }
        String y = op("Conv", l.name(), inputs, convAttributes(k, s, d, p, c));
        int[] shape = {p[1][2], p[2][2], c * m};
        return new Value(activation(l, "activation", str(l, "activation", "linear"), new Value(y, shape)), shape);
    }

    private Value batchNorm(KerasLayer l, Value x) {
        int rank = x.rank();
        JsonNode axisNode = l.config() == null ? null : l.config().get("axis");
        int axis = -1;
        if (axisNode != null && !axisNode.isNull()) {
            if (axisNode.isArray() && axisNode.size() == 1 && axisNode.get(0).canConvertToInt()) {
                axis = axisNode.get(0).asInt();
            } else if (axisNode.canConvertToInt() && axisNode.isIntegralNumber()) {
                axis = axisNode.asInt();
            } else {
                throw new IllegalArgumentException(where(l) + ": field 'axis' = " + axisNode + " (one axis expected)");
            }
        }
        if (axis != -1 && axis != rank - 1) {
            throw new IllegalArgumentException(where(l) + ": field 'axis' = " + axis + " is not the channel axis of a rank-"
                    + rank + " input (only -1 / " + (rank - 1) + ", channels last, is supported)");
        }
        int c = x.shape[x.shape.length - 1];
        double eps = num(l, "epsilon", 1e-3);
        float[] gamma;
        if (bool(l, "scale", true)) {
            gamma = weight(l, "gamma", c).data();
        } else {
            gamma = new float[c];
            Arrays.fill(gamma, 1f);
        }
        float[] beta = bool(l, "center", true) ? weight(l, "beta", c).data() : new float[c];
        String y = op("BatchNormalization", l.name(), List.of(x.tensor,
                        init(l.name() + "/gamma", new int[] {c}, gamma),
                        init(l.name() + "/beta", new int[] {c}, beta),
                        init(weight(l, "moving_mean", c)), init(weight(l, "moving_variance", c))),
                OnnxAttributes.f("epsilon", (float) eps));
        return new Value(y, x.shape);
    }

    private Value relu(KerasLayer l, Value x) {
        double threshold = num(l, "threshold", 0);
        if (threshold != 0) {
            throw new IllegalArgumentException(where(l) + ": field 'threshold' = " + threshold
                    + " is not supported (only 0)");
        }
        double slope = num(l, "negative_slope", 0);
        JsonNode mv = l.config() == null ? null : l.config().get("max_value");
        Double max = null;
        if (mv != null && !mv.isNull()) {
            if (!mv.isNumber()) {
                throw new IllegalArgumentException(where(l) + ": field 'max_value' = " + mv + " is not a number");
            }
            max = mv.asDouble();
        }
        String y;
        if (slope == 0) {
            y = max == null ? op("Relu", l.name(), List.of(x.tensor))
                    : op("Clip", l.name(), List.of(x.tensor, scalar(0f), scalar(max.floatValue())));
        } else {
            y = op("LeakyRelu", max == null ? l.name() : l.name() + "/leaky", List.of(x.tensor),
                    OnnxAttributes.f("alpha", (float) slope));
            if (max != null) {
                y = op("Clip", l.name(), List.of(y, "", scalar(max.floatValue())));
            }
        }
        return new Value(y, x.shape);
    }

    /** Keras activation {@code act} (a fused {@code activation} field or an Activation layer) on x. */
    private String activation(KerasLayer l, String field, String act, Value x) {
        if (act == null) {
            throw new IllegalArgumentException(where(l) + ": field '" + field + "' is missing");
        }
        String base = l.className().equals("Activation") ? l.name() : l.name() + "/" + act;
        return switch (act) {
            case "linear" -> x.tensor;
            case "relu" -> op("Relu", base, List.of(x.tensor));
            case "relu6" -> op("Clip", base, List.of(x.tensor, scalar(0f), scalar(6f)));
            case "sigmoid" -> op("Sigmoid", base, List.of(x.tensor));
            case "tanh" -> op("Tanh", base, List.of(x.tensor));
            // Keras's softmax is over the last axis: channels, i.e. axis 1 in NCHW (and of [N, D])
            case "softmax" -> op("Softmax", base, List.of(x.tensor), OnnxAttributes.i("axis", 1));
            default -> throw new IllegalArgumentException(where(l) + ": field '" + field + "' = '" + act
                    + "' is not supported (linear, relu, relu6, sigmoid, tanh, softmax)");
        };
    }

    /** Keras nearest up-sampling (row i reads floor(i / size)): Resize nearest, asymmetric, floor. */
    private Value upSampling(KerasLayer l, Value x) {
        rank4(l, x);
        int[] size = KerasConfig.upSampling(l);
        String scales = init(l.name() + "/scales", new int[] {4}, new float[] {1f, 1f, size[0], size[1]});
        String y = op("Resize", l.name(), List.of(x.tensor, "", scales),
                OnnxAttributes.s("mode", "nearest"), OnnxAttributes.s("coordinate_transformation_mode", "asymmetric"),
                OnnxAttributes.s("nearest_mode", "floor"));
        return new Value(y, new int[] {KerasShapes.times(x.shape[0], size[0]), KerasShapes.times(x.shape[1], size[1]),
                x.shape[2]});
    }

    /** TF's depthToSpace in NHWC is DCR-ordered; ONNX DepthToSpace mode DCR on NCHW is the same arrangement. */
    private Value pixelShuffle(KerasLayer l, Value x) {
        rank4(l, x);
        int b = KerasConfig.pixelShuffle(l);
        if (x.shape[2] % (b * b) != 0) {
            throw new IllegalArgumentException(where(l) + ": " + x.shape[2] + " channels are not a multiple of "
                    + (b * b));
        }
        String y = op("DepthToSpace", l.name(), List.of(x.tensor), OnnxAttributes.i("blocksize", b),
                OnnxAttributes.s("mode", "DCR"));
        return new Value(y, new int[] {KerasShapes.times(x.shape[0], b), KerasShapes.times(x.shape[1], b),
                x.shape[2] / (b * b)});
    }

    private Value zeroPad(KerasLayer l, Value x) {
        rank4(l, x);
        dataFormat(l);
        JsonNode p = l.config() == null ? null : l.config().get("padding");
        int t;
        int b;
        int le;
        int r;
        if (p == null || p.isNull()) {
            t = b = le = r = 1;
        } else if (p.isIntegralNumber()) {
            t = b = le = r = p.asInt();
        } else if (p.isArray() && p.size() == 2 && p.get(0).isIntegralNumber() && p.get(1).isIntegralNumber()) {
            t = b = p.get(0).asInt();
            le = r = p.get(1).asInt();
        } else if (p.isArray() && p.size() == 2 && isIntPair(p.get(0)) && isIntPair(p.get(1))) {
            t = p.get(0).get(0).asInt();
            b = p.get(0).get(1).asInt();
            le = p.get(1).get(0).asInt();
            r = p.get(1).get(1).asInt();
        } else {
            throw new IllegalArgumentException(where(l) + ": field 'padding' = " + p
                    + " (expected int, [h, w] or [[top, bottom], [left, right]])");
        }
        if (t < 0 || b < 0 || le < 0 || r < 0) {
            throw new IllegalArgumentException(where(l) + ": field 'padding' = " + p + " is negative");
        }
        String pads = g.fresh(l.name() + "/pads");
        g.initializerLongs(pads, new int[] {8}, new long[] {0, 0, t, le, 0, 0, b, r});
        String y = op("Pad", l.name(), List.of(x.tensor, pads), OnnxAttributes.s("mode", "constant"));
        return new Value(y, new int[] {x.shape[0] + t + b, x.shape[1] + le + r, x.shape[2]});
    }

    private Value add(KerasLayer l, List<Value> in) {
        if (in.size() < 2) {
            throw new IllegalArgumentException(where(l) + ": needs at least 2 inputs, has " + in.size());
        }
        List<String> names = new ArrayList<>();
        for (Value v : in) {
            if (!Arrays.equals(v.shape, in.get(0).shape)) {
                throw new IllegalArgumentException(where(l) + ": input shapes differ: "
                        + Arrays.toString(in.get(0).shape) + " vs " + Arrays.toString(v.shape));
            }
            names.add(v.tensor);
        }
        String y = op(in.size() == 2 ? "Add" : "Sum", l.name(), names);
        return new Value(y, in.get(0).shape);
    }

    private Value concat(KerasLayer l, List<Value> in) {
        int rank = in.get(0).rank();
        int axis = intField(l, "axis", -1);
        int a = axis < 0 ? axis + rank : axis;
        if (a <= 0 || a >= rank) {
            throw new IllegalArgumentException(where(l) + ": field 'axis' = " + axis + " is not a non-batch axis of rank "
                    + rank);
        }
        int[] shape = in.get(0).shape.clone();
        shape[a - 1] = 0;
        List<String> names = new ArrayList<>();
        for (Value v : in) {
            if (v.shape.length != shape.length) {
                throw new IllegalArgumentException(where(l) + ": inputs have different ranks");
            }
            for (int k = 0; k < shape.length; k++) {
                if (k != a - 1 && v.shape[k] != shape[k]) {
                    throw new IllegalArgumentException(where(l) + ": input shapes " + Arrays.toString(in.get(0).shape)
                            + " and " + Arrays.toString(v.shape) + " differ off the concatenation axis");
                }
            }
            shape[a - 1] += v.shape[a - 1];
            names.add(v.tensor);
        }
        // NHWC axis -> NCHW axis: 1 (H) -> 2, 2 (W) -> 3, 3 (C) -> 1; vectors keep theirs
        int onnxAxis = rank == 4 ? new int[] {0, 2, 3, 1}[a] : a;
        String y = op("Concat", l.name(), names, OnnxAttributes.i("axis", onnxAxis));
        return new Value(y, shape);
    }

    private Value pool(KerasLayer l, Value x, String opType) {
        rank4(l, x);
        dataFormat(l);
        int[] k = pair(l, "pool_size", new int[] {2, 2});
        int[] s = pair(l, "strides", k);
        int[][] p = pads(l, x, k, s, new int[] {1, 1});
        List<AttributeProto> attrs = new ArrayList<>(List.of(OnnxAttributes.ints("kernel_shape", k),
                OnnxAttributes.ints("strides", s), OnnxAttributes.ints("pads", p[1][0], p[2][0], p[1][1], p[2][1])));
        if (opType.equals("AveragePool")) {
            // TensorFlow averages over the valid (unpadded) pixels only
            attrs.add(OnnxAttributes.i("count_include_pad", 0));
        }
        String y = op(opType, l.name(), List.of(x.tensor), attrs.toArray(new AttributeProto[0]));
        return new Value(y, new int[] {p[1][2], p[2][2], x.shape[2]});
    }

    private Value globalAvg(KerasLayer l, Value x) {
        rank4(l, x);
        dataFormat(l);
        boolean keep = bool(l, "keepdims", false);
        if (keep) {
            String y = op("GlobalAveragePool", l.name(), List.of(x.tensor));
            return new Value(y, new int[] {1, 1, x.shape[2]});
        }
        String pooled = op("GlobalAveragePool", l.name() + "/pool", List.of(x.tensor));
        String y = op("Flatten", l.name(), List.of(pooled), OnnxAttributes.i("axis", 1));
        return new Value(y, new int[] {x.shape[2]});
    }

    private Value flatten(KerasLayer l, Value x) {
        dataFormat(l);
        int n = 1;
        for (int d : x.shape) {
            n *= d;
        }
        if (x.rank() == 2) {
            return x;
        }
        String src = x.tensor;
        if (x.rank() == 4 && x.shape[0] * x.shape[1] > 1) {
            // Keras flattens channels-last: (h, w, c) order
            src = op("Transpose", l.name() + "/nhwc", List.of(src), OnnxAttributes.ints("perm", 0, 2, 3, 1));
        }
        return new Value(op("Flatten", l.name(), List.of(src), OnnxAttributes.i("axis", 1)), new int[] {n});
    }

    private Value dense(KerasLayer l, Value x) {
        int units = intField(l, "units", REQUIRED);
        int din = x.shape[x.shape.length - 1];
        KerasTensor kernel = weight(l, "kernel", din, units);
        boolean bias = bool(l, "use_bias", true);
        String act = str(l, "activation", "linear");
        if (x.rank() == 2) {
            List<String> inputs = new ArrayList<>(List.of(x.tensor, init(kernel)));
            if (bias) {
                inputs.add(init(weight(l, "bias", units)));
            }
            String y = op("Gemm", l.name(), inputs);
            int[] shape = {units};
            return new Value(activation(l, "activation", act, new Value(y, shape)), shape);
        }
        if (x.rank() != 4) {
            throw new IllegalArgumentException(where(l) + ": input of rank " + x.rank() + " is not supported");
        }
        // Keras applies Dense to the last (channel) axis of a feature map
        String nhwc = op("Transpose", l.name() + "/nhwc", List.of(x.tensor), OnnxAttributes.ints("perm", 0, 2, 3, 1));
        String y = op("MatMul", bias ? l.name() + "/matmul" : l.name() + "/dense", List.of(nhwc, init(kernel)));
        if (bias) {
            y = op("Add", l.name() + "/bias_add", List.of(y, init(weight(l, "bias", units))));
        }
        y = op("Transpose", l.name(), List.of(y), OnnxAttributes.ints("perm", 0, 3, 1, 2));
        int[] shape = {x.shape[0], x.shape[1], units};
        return new Value(activation(l, "activation", act, new Value(y, shape)), shape);
    }

    // -------------------------------------------------------------------------------------------- helpers

    /**
     * Pads and output sizes for a 2-D window op: {@code [1] = {top, bottom, outH}, [2] = {left, right, outW}}
     * ({@code [0]} unused). "same" is TensorFlow's: total = max((out-1)*s + (k-1)*d + 1 - in, 0), the smaller half
     * before (top/left), the odd pixel after (bottom/right).
     */
    private int[][] pads(KerasLayer l, Value x, int[] k, int[] s, int[] d) {
        String padding = str(l, "padding", "valid").toLowerCase(java.util.Locale.ROOT);
        if (!padding.equals("valid") && !padding.equals("same")) {
            throw new IllegalArgumentException(where(l) + ": field 'padding' = '" + padding
                    + "' is not supported (valid, same)");
        }
        for (int a = 0; a < 2; a++) {
            if (k[a] < 1 || s[a] < 1 || d[a] < 1) {
                throw new IllegalArgumentException(where(l) + ": window " + Arrays.toString(k) + ", strides "
                        + Arrays.toString(s) + ", dilation " + Arrays.toString(d) + " must be positive");
            }
        }
        int[][] out = new int[3][];
        for (int a = 0; a < 2; a++) {
            int in = x.shape[a];
            int eff = (k[a] - 1) * d[a] + 1;
            if (in == KerasModel.ANY) {
                // an open size: "same" pads depend on it unless the stride is 1 (then they are the window less one)
                if (padding.equals("same") && s[a] != 1) {
                    throw new IllegalArgumentException(where(l) + ": stride " + s[a] + " with padding same on an open"
                            + " input size is not supported (the pads would depend on the size)");
                }
                int total = padding.equals("same") ? eff - 1 : 0;
                out[a + 1] = new int[] {total / 2, total - total / 2, KerasModel.ANY};
                continue;
            }
            if (padding.equals("valid")) {
                if (in < eff) {
                    throw new IllegalArgumentException(where(l) + ": input " + in + " is smaller than the window "
                            + eff + " (padding valid)");
                }
                out[a + 1] = new int[] {0, 0, (in - eff) / s[a] + 1};
            } else {
                int o = (in + s[a] - 1) / s[a];
                int total = Math.max((o - 1) * s[a] + eff - in, 0);
                out[a + 1] = new int[] {total / 2, total - total / 2, o};
            }
        }
        return out;
    }

    /** Conv's attributes; {@code p} as {@link #pads} returns it ([1 + axis] = before, after, size). */
    private static AttributeProto[] convAttributes(int[] k, int[] s, int[] d, int[][] p, int group) {
        return new AttributeProto[] {OnnxAttributes.ints("kernel_shape", k), OnnxAttributes.ints("strides", s),
            OnnxAttributes.ints("dilations", d), OnnxAttributes.ints("pads", p[1][0], p[2][0], p[1][1], p[2][1]),
            OnnxAttributes.i("group", group)};
    }

    private String op(String opType, String base, List<String> inputs, AttributeProto... attrs) {
        String y = g.fresh(base);
        g.node(opType, y, inputs, List.of(y), attrs);
        return y;
    }

    private String init(KerasTensor t) {
        return init(t.name(), t.shape(), t.data());
    }

    private String init(String name, int[] dims, float[] data) {
        String n = g.fresh(name);
        if (!shapesOnly) {
            g.initializer(n, dims, data);
        }
        return n;
    }

    private String scalar(float v) {
        return scalars.computeIfAbsent(v, f -> {
            String n = g.fresh("const/" + f);
            g.initializer(n, new int[0], new float[] {f});
            return n;
        });
    }

    private KerasTensor weight(KerasLayer l, String suffix, int... expected) {
        KerasTensor t = model.weightsOf(l.name()).get(suffix);
        if (t == null) {
            throw new IllegalArgumentException(where(l) + ": missing weight " + l.name() + "/" + suffix);
        }
        if (!Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(where(l) + ": weight " + t.name() + " has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(expected));
        }
        return t;
    }

    private String where(KerasLayer l) {
        return "model " + model.name() + ": layer '" + l.name() + "' (" + l.className() + ")";
    }

    private Value one(KerasLayer l, List<Value> in) {
        if (in.size() != 1) {
            throw new IllegalArgumentException(where(l) + ": expects one input, has " + in.size());
        }
        return in.get(0);
    }

    private void rank4(KerasLayer l, Value x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(where(l) + ": expects a feature map [N, H, W, C], got shape [N, "
                    + Arrays.toString(x.shape).replace("[", ""));
        }
    }

    private void dataFormat(KerasLayer l) {
        String f = str(l, "data_format", "channels_last");
        if (!f.equals("channels_last")) {
            throw new IllegalArgumentException(where(l) + ": field 'data_format' = '" + f
                    + "' is not supported (channels_last)");
        }
    }

    private static boolean isIntPair(JsonNode n) {
        return n.isArray() && n.size() == 2 && n.get(0).isIntegralNumber() && n.get(1).isIntegralNumber();
    }

    private JsonNode field(KerasLayer l, String name) {
        JsonNode n = l.config() == null ? null : l.config().get(name);
        return n == null || n.isNull() ? null : n;
    }

    private int[] pair(KerasLayer l, String name, int[] dflt) {
        JsonNode n = field(l, name);
        if (n == null) {
            if (dflt == null) {
                throw new IllegalArgumentException(where(l) + ": field '" + name + "' is missing");
            }
            return dflt.clone();
        }
        if (n.isIntegralNumber()) {
            return new int[] {n.asInt(), n.asInt()};
        }
        if (isIntPair(n)) {
            return new int[] {n.get(0).asInt(), n.get(1).asInt()};
        }
        throw new IllegalArgumentException(where(l) + ": field '" + name + "' = " + n + " (expected int or [h, w])");
    }

    private int intField(KerasLayer l, String name, int dflt) {
        JsonNode n = field(l, name);
        if (n == null) {
            if (dflt == REQUIRED) {
                throw new IllegalArgumentException(where(l) + ": field '" + name + "' is missing");
            }
            return dflt;
        }
        if (n.isArray() && n.size() == 1) {
            n = n.get(0);
        }
        if (!n.isIntegralNumber() && !(n.isNumber() && n.asDouble() == Math.rint(n.asDouble()))) {
            throw new IllegalArgumentException(where(l) + ": field '" + name + "' = " + n + " is not an integer");
        }
        return n.asInt();
    }

    private String str(KerasLayer l, String name, String dflt) {
        JsonNode n = field(l, name);
        if (n == null) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException(where(l) + ": field '" + name + "' = " + n + " is not a string");
        }
        return n.asText();
    }

    private boolean bool(KerasLayer l, String name, boolean dflt) {
        JsonNode n = field(l, name);
        if (n == null) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw new IllegalArgumentException(where(l) + ": field '" + name + "' = " + n + " is not a boolean");
        }
        return n.asBoolean();
    }

    private double num(KerasLayer l, String name, double dflt) {
        JsonNode n = field(l, name);
        if (n == null) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException(where(l) + ": field '" + name + "' = " + n + " is not a number");
        }
        return n.asDouble();
    }
}
