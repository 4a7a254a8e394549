package clipbench.backend.tensorflow;

import clipbench.keras.KerasLayer;
import clipbench.keras.KerasModel;
import clipbench.keras.KerasTensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain-Java NHWC interpreter of a {@link KerasModel}, written from Keras's documented semantics (not from
 * the TF graph), in double precision: the reference the TF build is compared with. Small and slow on purpose.
 * "same" padding is Keras's: {@code out = ceil(in / stride)}, the total padding split with the odd cell at the
 * bottom/right; average pooling divides by the number of cells inside the image.
 */
final class KerasReference {
    /** A row-major tensor whose first axis is the batch. */
    record Nd(int[] shape, double[] data) {
        int size(int axis) {
            return shape[axis];
        }

        float[] floats() {
            float[] out = new float[data.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) data[i];
            }
            return out;
        }

        static Nd of(int[] shape, float[] data) {
            double[] d = new double[data.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = data[i];
            }
            return new Nd(shape.clone(), d);
        }
    }

    private KerasReference() {
    }

    /** The output layer's value for an NHWC input {@code [N, H, W, C]}. */
    static Nd run(KerasModel model, Nd input) {
        Map<String, Nd> values = new HashMap<>();
        for (KerasLayer l : model.layers()) {
            List<Nd> in = l.inbound().stream().map(values::get).toList();
            values.put(l.name(), layer(model, l, in, input));
        }
        return values.get(model.output());
    }

    private static Nd layer(KerasModel m, KerasLayer l, List<Nd> in, Nd input) {
        JsonNode c = l.config();
        Map<String, KerasTensor> w = m.weightsOf(l.name());
        return switch (l.className()) {
            case "InputLayer" -> input;
            case "Conv2D" -> act(c.path("activation").asText("linear"), bias(c, w, conv(in.get(0), w.get("kernel"),
                    pair(c, "strides", 1), pair(c, "dilation_rate", 1), c.path("padding").asText(), false)));
            case "DepthwiseConv2D" -> act(c.path("activation").asText("linear"), bias(c, w, conv(in.get(0),
                    w.get("depthwise_kernel"), pair(c, "strides", 1), pair(c, "dilation_rate", 1),
                    c.path("padding").asText(), true)));
            case "BatchNormalization" -> batchNorm(c, w, in.get(0));
            case "ReLU" -> relu(c, in.get(0));
            case "Activation" -> act(c.path("activation").asText(), in.get(0));
            case "ZeroPadding2D" -> zeroPad(c.path("padding"), in.get(0));
            case "Add" -> add(in);
            case "Concatenate" -> concatChannels(in);
            case "MaxPooling2D", "AveragePooling2D" -> pool(in.get(0), pair(c, "pool_size", 2),
                    c.path("strides").isNull() || c.path("strides").isMissingNode() ? pair(c, "pool_size", 2)
                            : pair(c, "strides", 1), c.path("padding").asText("valid"),
                    l.className().startsWith("Max"));
            case "GlobalAveragePooling2D" -> globalAverage(in.get(0));
            case "Flatten" -> new Nd(new int[] {in.get(0).size(0), in.get(0).data().length / in.get(0).size(0)},
                    in.get(0).data());
            case "Dense" -> act(c.path("activation").asText("linear"), bias(c, w, dense(in.get(0), w.get("kernel"))));
            case "Dropout" -> in.get(0);
            default -> throw new IllegalArgumentException("reference: no " + l.className());
        };
    }

    /** Padding before the first cell along one axis, and the output length. */
    private static int[] padAndLength(int in, int k, int s, int d, String padding) {
        int span = (k - 1) * d + 1;
        if (padding.equals("same")) {
            int out = (in + s - 1) / s;
            int total = Math.max(0, (out - 1) * s + span - in);
            return new int[] {total / 2, out};
        }
        return new int[] {0, (in - span) / s + 1};
    }

    /** Conv2D (kernel [kh,kw,in,out]) or depthwise (kernel [kh,kw,in,mult], output channel c*mult+m). */
    private static Nd conv(Nd x, KerasTensor kernel, int[] s, int[] d, String padding, boolean depthwise) {
        int n = x.size(0);
        int h = x.size(1);
        int wd = x.size(2);
        int cin = x.size(3);
        int[] ks = kernel.shape();
        float[] k = kernel.data();
        int[] ph = padAndLength(h, ks[0], s[0], d[0], padding);
        int[] pw = padAndLength(wd, ks[1], s[1], d[1], padding);
        int cout = depthwise ? cin * ks[3] : ks[3];
        double[] out = new double[n * ph[1] * pw[1] * cout];
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < ph[1]; oy++) {
                for (int ox = 0; ox < pw[1]; ox++) {
                    for (int oc = 0; oc < cout; oc++) {
                        double sum = 0;
                        for (int ky = 0; ky < ks[0]; ky++) {
                            int iy = oy * s[0] - ph[0] + ky * d[0];
                            for (int kx = 0; kx < ks[1]; kx++) {
                                int ix = ox * s[1] - pw[0] + kx * d[1];
                                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) {
                                    continue;
                                }
                                int base = ((b * h + iy) * wd + ix) * cin;
                                if (depthwise) {
                                    int ic = oc / ks[3];
                                    sum += x.data()[base + ic] * k[((ky * ks[1] + kx) * cin + ic) * ks[3] + oc % ks[3]];
                                } else {
                                    for (int ic = 0; ic < cin; ic++) {
                                        sum += x.data()[base + ic] * k[((ky * ks[1] + kx) * cin + ic) * cout + oc];
                                    }
                                }
                            }
                        }
                        out[((b * ph[1] + oy) * pw[1] + ox) * cout + oc] = sum;
                    }
                }
            }
        }
        return new Nd(new int[] {n, ph[1], pw[1], cout}, out);
    }

    private static Nd pool(Nd x, int[] k, int[] s, String padding, boolean max) {
        int n = x.size(0);
        int h = x.size(1);
        int wd = x.size(2);
        int ch = x.size(3);
        int[] ph = padAndLength(h, k[0], s[0], 1, padding);
        int[] pw = padAndLength(wd, k[1], s[1], 1, padding);
        double[] out = new double[n * ph[1] * pw[1] * ch];
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < ph[1]; oy++) {
                for (int ox = 0; ox < pw[1]; ox++) {
                    for (int c = 0; c < ch; c++) {
                        double acc = max ? Double.NEGATIVE_INFINITY : 0;
                        int count = 0;
                        for (int ky = 0; ky < k[0]; ky++) {
                            for (int kx = 0; kx < k[1]; kx++) {
                                int iy = oy * s[0] - ph[0] + ky;
                                int ix = ox * s[1] - pw[0] + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) {
                                    continue; // padding: never the max, not counted in the average
                                }
                                double v = x.data()[((b * h + iy) * wd + ix) * ch + c];
                                acc = max ? Math.max(acc, v) : acc + v;
                                count++;
                            }
                        }
                        out[((b * ph[1] + oy) * pw[1] + ox) * ch + c] = max ? acc : acc / count;
                    }
                }
            }
        }
        return new Nd(new int[] {n, ph[1], pw[1], ch}, out);
    }

    private static Nd zeroPad(JsonNode p, Nd x) {
        int t;
        int bo;
        int le;
        int ri;
        if (p.isInt()) {
            t = bo = le = ri = p.asInt();
        } else if (p.get(0).isInt()) {
            t = bo = p.get(0).asInt();
            le = ri = p.get(1).asInt();
        } else {
            t = p.get(0).get(0).asInt();
            bo = p.get(0).get(1).asInt();
            le = p.get(1).get(0).asInt();
            ri = p.get(1).get(1).asInt();
        }
        int n = x.size(0);
        int h = x.size(1);
        int wd = x.size(2);
        int ch = x.size(3);
        int oh = h + t + bo;
        int ow = wd + le + ri;
        double[] out = new double[n * oh * ow * ch];
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < wd; xx++) {
                    System.arraycopy(x.data(), ((b * h + y) * wd + xx) * ch, out,
                            ((b * oh + y + t) * ow + xx + le) * ch, ch);
                }
            }
        }
        return new Nd(new int[] {n, oh, ow, ch}, out);
    }

    private static Nd batchNorm(JsonNode c, Map<String, KerasTensor> w, Nd x) {
        double eps = c.path("epsilon").asDouble(1e-3);
        boolean scale = c.path("scale").asBoolean(true);
        boolean center = c.path("center").asBoolean(true);
        int ch = x.shape()[x.shape().length - 1];
        double[] out = new double[x.data().length];
        for (int i = 0; i < out.length; i++) {
            int k = i % ch;
            double v = (x.data()[i] - w.get("moving_mean").data()[k])
                    / Math.sqrt(w.get("moving_variance").data()[k] + eps);
            if (scale) {
                v *= w.get("gamma").data()[k];
            }
            if (center) {
                v += w.get("beta").data()[k];
            }
            out[i] = v;
        }
        return new Nd(x.shape(), out);
    }

    private static Nd relu(JsonNode c, Nd x) {
        double max = c.path("max_value").isNumber() ? c.path("max_value").asDouble() : Double.POSITIVE_INFINITY;
        double slope = c.path("negative_slope").asDouble(0);
        double threshold = c.path("threshold").asDouble(0);
        double[] out = new double[x.data().length];
        for (int i = 0; i < out.length; i++) {
            double v = x.data()[i];
            out[i] = v >= max ? max : v > threshold ? v : slope * (v - threshold);
        }
        return new Nd(x.shape(), out);
    }

    static Nd act(String name, Nd x) {
        double[] out = x.data().clone();
        int last = x.shape()[x.shape().length - 1];
        switch (name) {
            case "linear" -> {
            }
            case "relu" -> Arrays.setAll(out, i -> Math.max(0, out[i]));
            case "relu6" -> Arrays.setAll(out, i -> Math.min(6, Math.max(0, out[i])));
            case "sigmoid" -> Arrays.setAll(out, i -> 1 / (1 + Math.exp(-out[i])));
            case "tanh" -> Arrays.setAll(out, i -> Math.tanh(out[i]));
            case "softmax" -> {
                for (int r = 0; r < out.length; r += last) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < last; j++) {
                        max = Math.max(max, out[r + j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < last; j++) {
                        out[r + j] = Math.exp(out[r + j] - max);
                        sum += out[r + j];
                    }
                    for (int j = 0; j < last; j++) {
                        out[r + j] /= sum;
                    }
                }
            }
            default -> throw new IllegalArgumentException("reference: no activation " + name);
        }
        return new Nd(x.shape(), out);
    }

    private static Nd bias(JsonNode c, Map<String, KerasTensor> w, Nd x) {
        if (!c.path("use_bias").asBoolean(true)) {
            return x;
        }
        float[] b = w.get("bias").data();
        double[] out = x.data().clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += b[i % b.length];
        }
        return new Nd(x.shape(), out);
    }

    private static Nd add(List<Nd> in) {
        double[] out = in.get(0).data().clone();
        for (Nd x : in.subList(1, in.size())) {
            for (int i = 0; i < out.length; i++) {
                out[i] += x.data()[i];
            }
        }
        return new Nd(in.get(0).shape(), out);
    }

    /** Concatenation on the last axis. */
    private static Nd concatChannels(List<Nd> in) {
        int rank = in.get(0).shape().length;
        int rows = in.get(0).data().length / in.get(0).shape()[rank - 1];
        int total = in.stream().mapToInt(x -> x.shape()[rank - 1]).sum();
        double[] out = new double[rows * total];
        for (int r = 0; r < rows; r++) {
            int at = r * total;
            for (Nd x : in) {
                int ch = x.shape()[rank - 1];
                System.arraycopy(x.data(), r * ch, out, at, ch);
                at += ch;
            }
        }
        int[] shape = in.get(0).shape().clone();
        shape[rank - 1] = total;
        return new Nd(shape, out);
    }

    private static Nd globalAverage(Nd x) {
        int n = x.size(0);
        int hw = x.size(1) * x.size(2);
        int ch = x.size(3);
        double[] out = new double[n * ch];
        for (int b = 0; b < n; b++) {
            for (int p = 0; p < hw; p++) {
                for (int c = 0; c < ch; c++) {
                    out[b * ch + c] += x.data()[(b * hw + p) * ch + c] / hw;
                }
            }
        }
        return new Nd(new int[] {n, ch}, out);
    }

    /** {@code x @ kernel [in, out]} on the last axis. */
    private static Nd dense(Nd x, KerasTensor kernel) {
        int in = kernel.shape()[0];
        int outDim = kernel.shape()[1];
        int rows = x.data().length / in;
        double[] out = new double[rows * outDim];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < outDim; o++) {
                double sum = 0;
                for (int i = 0; i < in; i++) {
                    sum += x.data()[r * in + i] * kernel.data()[i * outDim + o];
                }
                out[r * outDim + o] = sum;
            }
        }
        int[] shape = x.shape().clone();
        shape[shape.length - 1] = outDim;
        return new Nd(shape, out);
    }

    private static int[] pair(JsonNode c, String key, int fallback) {
        JsonNode v = c.path(key);
        if (v.isMissingNode() || v.isNull()) {
            return new int[] {fallback, fallback};
        }
        return v.isInt() ? new int[] {v.asInt(), v.asInt()} : new int[] {v.get(0).asInt(), v.get(1).asInt()};
    }
}
