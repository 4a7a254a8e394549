package clipbench.backend.djl;

import clipbench.keras.KerasLayer;
import clipbench.keras.KerasModel;
import clipbench.keras.KerasTensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A deliberately plain NHWC evaluation of a {@link KerasModel} in double precision, written from Keras's and
 * TensorFlow's definitions (loops, no libraries, no code shared with {@link KerasNet}), to check the libtorch
 * interpreter against. One image at a time; tensors carry no batch axis ({@code [h, w, c]} or {@code [d]}).
 */
final class KerasReference {
    /** A tensor in row-major NHWC order without the batch axis. */
    record T(int[] shape, double[] v) {
        int h() {
            return shape[0];
        }

        int w() {
            return shape[1];
        }

        int c() {
            return shape[shape.length - 1];
        }

        double at(int y, int x, int ch) {
            return v[(y * shape[1] + x) * shape[2] + ch];
        }
    }

    private KerasReference() {
    }

    /** The model's output for one NHWC image ({@code h*w*c} floats), flattened in Keras's order. */
    static double[] run(KerasModel model, float[] nhwc) {
        int[] in = model.inputShape();
        double[] x = new double[nhwc.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = nhwc[i];
        }
        Map<String, T> values = new HashMap<>();
        for (KerasLayer l : model.layers()) {
            T[] inputs = l.inbound().stream().map(values::get).toArray(T[]::new);
            values.put(l.name(), l.className().equals("InputLayer") ? new T(in, x) : eval(model, l, inputs));
            if (l.name().equals(model.output())) {
                break;
            }
        }
        return values.get(model.output()).v();
    }

    private static T eval(KerasModel model, KerasLayer l, T[] in) {
        JsonNode c = l.config();
        Map<String, KerasTensor> w = model.weightsOf(l.name());
        T x = in.length > 0 ? in[0] : null;
        return switch (l.className()) {
            case "Conv2D" -> act(c, conv(c, x, w.get("kernel"), bias(c, w)));
            case "DepthwiseConv2D" -> act(c, depthwise(c, x, w.get("depthwise_kernel"), bias(c, w)));
            case "BatchNormalization" -> batchNorm(c, x, w);
            case "ReLU" -> relu(c, x);
            case "Activation" -> act(c, x);
            case "ZeroPadding2D" -> zeroPad(c, x);
            case "Add" -> add(in);
            case "Concatenate" -> concat(c, in);
            case "MaxPooling2D" -> pool(c, x, true);
            case "AveragePooling2D" -> pool(c, x, false);
            case "GlobalAveragePooling2D" -> globalAverage(x);
            case "Flatten" -> new T(new int[] {x.v().length}, x.v());
            case "Dense" -> act(c, dense(c, x, w.get("kernel"), bias(c, w)));
            case "Dropout" -> x;
            default -> throw new IllegalArgumentException(l.className());
        };
    }

    private static float[] bias(JsonNode c, Map<String, KerasTensor> w) {
        return c.path("use_bias").asBoolean(true) ? w.get("bias").data() : null;
    }

    private static int[] two(JsonNode c, String key, int fallback) {
        JsonNode n = c.path(key);
        if (n.isMissingNode() || n.isNull()) {
            return new int[] {fallback, fallback};
        }
        if (n.isInt()) {
            return new int[] {n.asInt(), n.asInt()};
        }
        return new int[] {n.get(0).asInt(), n.get(1).asInt()};
    }

    /** TensorFlow: {@code same} gives ceil(in / s) outputs and pads floor(total / 2) before, the rest after. */
    private static int[] geometry(String padding, int in, int k, int s, int d) {
        int span = (k - 1) * d + 1;
        if (padding.equals("valid")) {
            return new int[] {(in - span) / s + 1, 0};
        }
        int out = (int) Math.ceil(in / (double) s);
        int total = Math.max(0, (out - 1) * s + span - in);
        return new int[] {out, total / 2};
    }

    private static T conv(JsonNode c, T x, KerasTensor kernel, float[] bias) {
        int[] k = two(c, "kernel_size", 1);
        int[] s = two(c, "strides", 1);
        int[] d = two(c, "dilation_rate", 1);
        String pad = c.path("padding").asText("valid");
        int[] gy = geometry(pad, x.h(), k[0], s[0], d[0]);
        int[] gx = geometry(pad, x.w(), k[1], s[1], d[1]);
        int cin = x.c();
        int cout = kernel.shape()[3];
        float[] kw = kernel.data();
        double[] out = new double[gy[0] * gx[0] * cout];
        for (int oy = 0; oy < gy[0]; oy++) {
            for (int ox = 0; ox < gx[0]; ox++) {
                for (int co = 0; co < cout; co++) {
                    double sum = bias == null ? 0 : bias[co];
                    for (int ky = 0; ky < k[0]; ky++) {
                        int iy = oy * s[0] - gy[1] + ky * d[0];
                        for (int kx = 0; kx < k[1]; kx++) {
                            int ix = ox * s[1] - gx[1] + kx * d[1];
                            if (iy < 0 || iy >= x.h() || ix < 0 || ix >= x.w()) {
                                continue;
                            }
                            for (int ci = 0; ci < cin; ci++) {
                                sum += x.at(iy, ix, ci) * kw[((ky * k[1] + kx) * cin + ci) * cout + co];
                            }
                        }
                    }
                    out[(oy * gx[0] + ox) * cout + co] = sum;
                }
            }
        }
        return new T(new int[] {gy[0], gx[0], cout}, out);
    }

    private static T depthwise(JsonNode c, T x, KerasTensor kernel, float[] bias) {
        int[] k = two(c, "kernel_size", 1);
        int[] s = two(c, "strides", 1);
        int[] d = two(c, "dilation_rate", 1);
        String pad = c.path("padding").asText("valid");
        int[] gy = geometry(pad, x.h(), k[0], s[0], d[0]);
        int[] gx = geometry(pad, x.w(), k[1], s[1], d[1]);
        int cin = x.c();
        int mult = kernel.shape()[3];
        float[] kw = kernel.data();
        double[] out = new double[gy[0] * gx[0] * cin * mult];
        for (int oy = 0; oy < gy[0]; oy++) {
            for (int ox = 0; ox < gx[0]; ox++) {
                for (int ci = 0; ci < cin; ci++) {
                    for (int m = 0; m < mult; m++) {
                        double sum = bias == null ? 0 : bias[ci * mult + m];
                        for (int ky = 0; ky < k[0]; ky++) {
                            int iy = oy * s[0] - gy[1] + ky * d[0];
                            for (int kx = 0; kx < k[1]; kx++) {
                                int ix = ox * s[1] - gx[1] + kx * d[1];
                                if (iy >= 0 && iy < x.h() && ix >= 0 && ix < x.w()) {
                                    sum += x.at(iy, ix, ci) * kw[((ky * k[1] + kx) * cin + ci) * mult + m];
                                }
                            }
                        }
                        out[((oy * gx[0] + ox) * cin + ci) * mult + m] = sum;
                    }
                }
            }
        }
        return new T(new int[] {gy[0], gx[0], cin * mult}, out);
    }

    private static T batchNorm(JsonNode c, T x, Map<String, KerasTensor> w) {
        double eps = c.path("epsilon").asDouble(1e-3);
        boolean center = c.path("center").asBoolean(true);
        boolean scale = c.path("scale").asBoolean(true);
        float[] mean = w.get("moving_mean").data();
        float[] var = w.get("moving_variance").data();
        double[] out = x.v().clone();
        int ch = x.c();
        for (int i = 0; i < out.length; i++) {
            int k = i % ch;
            double y = (out[i] - mean[k]) / Math.sqrt(var[k] + eps);
            if (scale) {
                y *= w.get("gamma").data()[k];
            }
            if (center) {
                y += w.get("beta").data()[k];
            }
            out[i] = y;
        }
        return new T(x.shape(), out);
    }

    /** Keras's {@code relu(x, alpha=negative_slope, max_value, threshold)}, element by element. */
    private static T relu(JsonNode c, T x) {
        JsonNode m = c.path("max_value");
        double max = m.isNumber() ? m.asDouble() : Double.POSITIVE_INFINITY;
        double slope = c.path("negative_slope").asDouble(0);
        double threshold = c.path("threshold").asDouble(0);
        double[] out = new double[x.v().length];
        for (int i = 0; i < out.length; i++) {
            double v = x.v()[i];
            double y;
            if (v >= max) {
                y = max;
            } else if (v > threshold || (threshold == 0 && v >= 0)) {
                y = v;
            } else {
                y = slope * (v - threshold);
            }
            out[i] = y;
        }
        return new T(x.shape(), out);
    }

    private static T act(JsonNode c, T x) {
        String a = c.path("activation").asText("linear");
        double[] v = x.v().clone();
        switch (a) {
            case "linear" -> { }
            case "relu" -> Arrays.setAll(v, i -> Math.max(0, v[i]));
            case "relu6" -> Arrays.setAll(v, i -> Math.min(6, Math.max(0, v[i])));
            case "sigmoid" -> Arrays.setAll(v, i -> 1 / (1 + Math.exp(-v[i])));
            case "tanh" -> Arrays.setAll(v, i -> Math.tanh(v[i]));
            case "softmax" -> {
                int ch = x.c();
                for (int base = 0; base < v.length; base += ch) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < ch; k++) {
                        max = Math.max(max, v[base + k]);
                    }
                    double sum = 0;
                    for (int k = 0; k < ch; k++) {
                        v[base + k] = Math.exp(v[base + k] - max);
                        sum += v[base + k];
                    }
                    for (int k = 0; k < ch; k++) {
                        v[base + k] /= sum;
                    }
                }
            }
            default -> throw new IllegalArgumentException(a);
        }
        return new T(x.shape(), v);
    }

    private static T zeroPad(JsonNode c, T x) {
        JsonNode p = c.path("padding");
        int top, bottom, left, right;
        if (p.isInt()) {
            top = bottom = left = right = p.asInt();
        } else if (p.get(0).isInt()) {
            top = bottom = p.get(0).asInt();
            left = right = p.get(1).asInt();
        } else {
            top = p.get(0).get(0).asInt();
            bottom = p.get(0).get(1).asInt();
            left = p.get(1).get(0).asInt();
            right = p.get(1).get(1).asInt();
        }
        int h = x.h() + top + bottom;
        int w = x.w() + left + right;
        int ch = x.c();
        double[] out = new double[h * w * ch];
        for (int y = 0; y < x.h(); y++) {
            for (int xx = 0; xx < x.w(); xx++) {
                for (int k = 0; k < ch; k++) {
                    out[((y + top) * w + xx + left) * ch + k] = x.at(y, xx, k);
                }
            }
        }
        return new T(new int[] {h, w, ch}, out);
    }

    private static T add(T[] in) {
        double[] out = in[0].v().clone();
        for (int j = 1; j < in.length; j++) {
            for (int i = 0; i < out.length; i++) {
                out[i] += in[j].v()[i];
            }
        }
        return new T(in[0].shape(), out);
    }

    /** Concatenation along a Keras axis (counting the batch axis as 0). */
    private static T concat(JsonNode c, T[] in) {
        int rank = in[0].shape().length;
        int axis = c.path("axis").asInt(-1);
        int a = axis < 0 ? rank + 1 + axis : axis; // with the batch axis
        int ax = a - 1; // without it
        int outer = 1;
        for (int d = 0; d < ax; d++) {
            outer *= in[0].shape()[d];
        }
        int[] shape = in[0].shape().clone();
        shape[ax] = 0;
        for (T t : in) {
            shape[ax] += t.shape()[ax];
        }
        int total = 1;
        for (int d : shape) {
            total *= d;
        }
        double[] out = new double[total];
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (T t : in) {
                int block = t.v().length / outer;
                System.arraycopy(t.v(), o * block, out, pos, block);
                pos += block;
            }
        }
        return new T(shape, out);
    }

    /** Pooling; {@code same} padding is never part of a window (max: ignored; average: not counted). */
    private static T pool(JsonNode c, T x, boolean max) {
        int[] k = two(c, "pool_size", 2);
        int[] s = c.path("strides").isNull() || c.path("strides").isMissingNode() ? k : two(c, "strides", 1);
        String pad = c.path("padding").asText("valid");
        int[] gy = geometry(pad, x.h(), k[0], s[0], 1);
        int[] gx = geometry(pad, x.w(), k[1], s[1], 1);
        int ch = x.c();
        double[] out = new double[gy[0] * gx[0] * ch];
        for (int oy = 0; oy < gy[0]; oy++) {
            for (int ox = 0; ox < gx[0]; ox++) {
                for (int q = 0; q < ch; q++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    int n = 0;
                    for (int ky = 0; ky < k[0]; ky++) {
                        int iy = oy * s[0] - gy[1] + ky;
                        for (int kx = 0; kx < k[1]; kx++) {
                            int ix = ox * s[1] - gx[1] + kx;
                            if (iy >= 0 && iy < x.h() && ix >= 0 && ix < x.w()) {
                                double v = x.at(iy, ix, q);
                                acc = max ? Math.max(acc, v) : acc + v;
                                n++;
                            }
                        }
                    }
                    out[(oy * gx[0] + ox) * ch + q] = max ? acc : acc / n;
                }
            }
        }
        return new T(new int[] {gy[0], gx[0], ch}, out);
    }

    private static T globalAverage(T x) {
        int ch = x.c();
        double[] out = new double[ch];
        int n = x.v().length / ch;
        for (int i = 0; i < x.v().length; i++) {
            out[i % ch] += x.v()[i];
        }
        for (int k = 0; k < ch; k++) {
            out[k] /= n;
        }
        return new T(new int[] {ch}, out);
    }

    /** Dense on the last axis. */
    private static T dense(JsonNode c, T x, KerasTensor kernel, float[] bias) {
        int in = kernel.shape()[0];
        int units = kernel.shape()[1];
        float[] k = kernel.data();
        int rows = x.v().length / in;
        double[] out = new double[rows * units];
        for (int r = 0; r < rows; r++) {
            for (int u = 0; u < units; u++) {
                double sum = bias == null ? 0 : bias[u];
                for (int i = 0; i < in; i++) {
                    sum += x.v()[r * in + i] * k[i * units + u];
                }
                out[r * units + u] = sum;
            }
        }
        int[] shape = x.shape().clone();
        shape[shape.length - 1] = units;
        return new T(shape, out);
    }
}
