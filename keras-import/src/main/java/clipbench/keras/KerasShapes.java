package clipbench.keras;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Output shapes of a {@link KerasModel}'s layers, per example (no batch dimension; channels last), computed
 * through the graph with Keras's arithmetic, checking every weight's shape against the layer on the way.
 * Every layer type in {@link KerasModel#SUPPORTED} is handled. Errors are {@link IllegalArgumentException}s naming
 * the model and the layer.
 */
public final class KerasShapes {
    private KerasShapes() {
    }

    /**
     * The output shape of one layer, e.g. {@code [7, 7, 1280]} or {@code [1280]}; only the layers it depends on are
     * visited.
     */
    public static int[] outputShape(KerasModel model, String layer) {
        KerasModel upTo = layer.equals(model.output()) ? model : model.cutAt(layer);
        return outputShapes(upTo).get(layer).clone();
    }

    /** The number of values one example produces at {@code layer} (the product of its output shape). */
    public static int featureLength(KerasModel model, String layer) {
        long n = 1;
        for (int d : outputShape(model, layer)) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    /** Every layer's output shape, in the model's (topological) order. */
    public static Map<String, int[]> outputShapes(KerasModel model) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (KerasLayer l : model.layers()) {
            int[][] in = new int[l.inbound().size()][];
            for (int i = 0; i < in.length; i++) {
                in[i] = shapes.get(l.inbound().get(i));
                if (in[i] == null) {
                    throw fail(model, l, "input '" + l.inbound().get(i) + "' is not computed before it "
                            + "(layers must be in topological order)");
                }
            }
            int[] out;
            Set<String> expected = new TreeSet<>();
            try {
                out = shape(model, l, in, expected);
            } catch (IllegalArgumentException e) {
                String m = String.valueOf(e.getMessage());
                if (m.startsWith("model " + model.name() + ":")) {
                    throw e;
                }
                throw new IllegalArgumentException("model " + model.name() + ": " + m, e);
            }
            Set<String> extra = new TreeSet<>(model.weightsOf(l.name()).keySet());
            extra.removeAll(expected);
            if (!extra.isEmpty()) {
                throw fail(model, l, "has weights its config does not use: " + extra + " (expected " + expected
                        + "; check use_bias / center / scale)");
            }
            for (int d : out) {
                if (d <= 0 && d != KerasModel.ANY) {
                    throw fail(model, l, "output shape " + Arrays.toString(out) + " has an empty dimension (input "
                            + (in.length > 0 ? Arrays.toString(in[0]) : "none") + " too small)");
                }
            }
            shapes.put(l.name(), out);
        }
        return shapes;
    }

    private static int[] shape(KerasModel model, KerasLayer l, int[][] in, Set<String> expected) {
        String type = KerasConfig.type(l);
        if (type.equals("InputLayer")) {
            return model.inputShape();
        }
        if (in.length == 0) {
            throw fail(model, l, "has no input");
        }
        int[] x = in[0];
        switch (type) {
            case "Conv2D": {
                one(model, l, in);
                int[] s = spatial(model, l, x);
                KerasConfig.requireChannelsLast(l);
                int filters = KerasConfig.integer(l, "filters", null);
                int[] k = KerasConfig.pair(l, "kernel_size", null);
                // grouped: each group's kernel sees its share of the input channels, as in Keras
                int groups = KerasConfig.integer(l, "groups", 1);
                expect(model, l, expected, "kernel", new int[] {k[0], k[1], s[2] / groups, filters});
                bias(model, l, expected, filters);
                return conv(l, s, k, filters);
            }
            case "DepthwiseConv2D": {
                one(model, l, in);
                int[] s = spatial(model, l, x);
                KerasConfig.requireChannelsLast(l);
                int mult = KerasConfig.integer(l, "depth_multiplier", 1);
                int[] k = KerasConfig.pair(l, "kernel_size", null);
                expect(model, l, expected, "depthwise_kernel", new int[] {k[0], k[1], s[2], mult});
                bias(model, l, expected, s[2] * mult);
                return conv(l, s, k, s[2] * mult);
            }
            case "BatchNormalization": {
                one(model, l, in);
                int axis = KerasConfig.axis(l, "axis", -1);
                if (axis != -1 && axis != x.length) {
                    throw fail(model, l, "normalises axis " + axis + "; only the channel axis (-1 or " + x.length
                            + ") is supported");
                }
                int c = x[x.length - 1];
                if (KerasConfig.flag(l, "scale", true)) {
                    expect(model, l, expected, "gamma", new int[] {c});
                }
                if (KerasConfig.flag(l, "center", true)) {
                    expect(model, l, expected, "beta", new int[] {c});
                }
                expect(model, l, expected, "moving_mean", new int[] {c});
                expect(model, l, expected, "moving_variance", new int[] {c});
                return x.clone();
            }
            case "ReLU", "Activation", "Dropout", "MultiplyBeta": {
                one(model, l, in);
                return x.clone();
            }
            case "ZeroPadding2D": {
                one(model, l, in);
                int[] s = spatial(model, l, x);
                int[] p = KerasConfig.zeroPadding(l);
                return new int[] {s[0] + p[0] + p[1], s[1] + p[2] + p[3], s[2]};
            }
            case "MaxPooling2D", "AveragePooling2D": {
                one(model, l, in);
                int[] s = spatial(model, l, x);
                KerasConfig.requireChannelsLast(l);
                int[] pool = KerasConfig.pair(l, "pool_size", new int[] {2, 2});
                int[] stride = KerasConfig.pair(l, "strides", pool);
                String pad = KerasConfig.padding(l);
                return new int[] {KerasConfig.outputLength(s[0], pool[0], stride[0], 1, pad),
                    KerasConfig.outputLength(s[1], pool[1], stride[1], 1, pad), s[2]};
            }
            case "GlobalAveragePooling2D": {
                one(model, l, in);
                int[] s = spatial(model, l, x);
                return KerasConfig.flag(l, "keepdims", false) ? new int[] {1, 1, s[2]} : new int[] {s[2]};
            }
            case "Flatten": {
                one(model, l, in);
                long n = 1;
                for (int d : x) {
                    n *= d;
                }
                return new int[] {Math.toIntExact(n)};
            }
            case "Dense": {
                one(model, l, in);
                int units = KerasConfig.integer(l, "units", null);
                expect(model, l, expected, "kernel", new int[] {x[x.length - 1], units});
                bias(model, l, expected, units);
                int[] out = x.clone();
                out[out.length - 1] = units;
                return out;
            }
            case "UpSampling2D": {
                one(model, l, in);
                int[] s = spatial(model, l, x);
                int[] size = KerasConfig.upSampling(l);
                return new int[] {times(s[0], size[0]), times(s[1], size[1]), s[2]};
            }
            case "PixelShuffle": {
                one(model, l, in);
                int[] s = spatial(model, l, x);
                int b = KerasConfig.pixelShuffle(l);
                if (s[2] % (b * b) != 0) {
                    throw fail(model, l, "has " + s[2] + " input channels, not a multiple of " + (b * b));
                }
                return new int[] {times(s[0], b), times(s[1], b), s[2] / (b * b)};
            }
            case "Add": {
                for (int[] other : in) {
                    if (!Arrays.equals(other, x)) {
                        throw fail(model, l, "adds tensors of different shapes " + shapes(in));
                    }
                }
                return x.clone();
            }
            case "Concatenate": {
                int axis = KerasConfig.integer(l, "axis", -1);
                int a = axis < 0 ? x.length + 1 + axis : axis; // Keras counts the batch axis
                if (a < 1 || a > x.length) {
                    throw fail(model, l, "concatenation axis " + axis + " is out of range for inputs " + shapes(in));
                }
                int[] out = x.clone();
                out[a - 1] = 0;
                for (int[] s : in) {
                    if (s.length != x.length) {
                        throw fail(model, l, "concatenates tensors of different ranks " + shapes(in));
                    }
                    for (int d = 0; d < s.length; d++) {
                        if (d != a - 1 && s[d] != x[d]) {
                            throw fail(model, l, "inputs differ off the concatenation axis: " + shapes(in));
                        }
                    }
                    out[a - 1] += s[a - 1];
                }
                return out;
            }
            default:
                throw fail(model, l, "has unsupported type " + type);
        }
    }

    private static int[] conv(KerasLayer l, int[] s, int[] k, int channels) {
        int[] stride = KerasConfig.pair(l, "strides", new int[] {1, 1});
        int[] dil = KerasConfig.pair(l, "dilation_rate", new int[] {1, 1});
        String pad = KerasConfig.padding(l);
        return new int[] {KerasConfig.outputLength(s[0], k[0], stride[0], dil[0], pad),
            KerasConfig.outputLength(s[1], k[1], stride[1], dil[1], pad), channels};
    }

    /** {@code length * factor}, or {@link KerasModel#ANY} where the length is open. */
    static int times(int length, int factor) {
        return length == KerasModel.ANY ? KerasModel.ANY : length * factor;
    }

    private static void one(KerasModel model, KerasLayer l, int[][] in) {
        if (in.length != 1) {
            throw fail(model, l, "takes one input, got " + in.length);
        }
    }

    private static int[] spatial(KerasModel model, KerasLayer l, int[] x) {
        if (x.length != 3) {
            throw fail(model, l, "needs a [height, width, channels] input, got " + Arrays.toString(x));
        }
        return x;
    }

    private static void bias(KerasModel model, KerasLayer l, Set<String> expected, int n) {
        if (KerasConfig.flag(l, "use_bias", true)) {
            expect(model, l, expected, "bias", new int[] {n});
        }
    }

    private static void expect(KerasModel model, KerasLayer l, Set<String> expected, String suffix, int[] shape) {
        expected.add(suffix);
        KerasTensor t = model.weights().get(l.name() + "/" + suffix);
        if (t == null) {
            throw fail(model, l, "weight '" + l.name() + "/" + suffix + "' is missing (the layer has "
                    + model.weightsOf(l.name()).keySet() + ")");
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw fail(model, l, "weight '" + t.name() + "' has shape " + Arrays.toString(t.shape()) + ", expected "
                    + Arrays.toString(shape));
        }
    }

    private static String shapes(int[][] in) {
        StringBuilder b = new StringBuilder();
        for (int[] s : in) {
            b.append(b.length() == 0 ? "" : ", ").append(Arrays.toString(s));
        }
        return "[" + b + "]";
    }

    private static IllegalArgumentException fail(KerasModel model, KerasLayer l, String what) {
        return new IllegalArgumentException("model " + model.name() + ": layer '" + l.name() + "' (" + l.className()
                + ") " + what);
    }
}
