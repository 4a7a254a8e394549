package clipbench.keras;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A plain-Java forward pass over a {@link KerasModel} (batch 1, NHWC float32), written from the Keras definitions
 * only, to check that the imported graph and weights reproduce nsfwjs's outputs. Slow but exact enough; a test aid,
 * not a backend.
 */
final class NaiveKeras {
    /** A per-example tensor: shape without the batch axis, row-major. */
    record T(int[] shape, float[] v) {
    }

    private NaiveKeras() {
    }

    /** Every layer's output for one image {@code [h, w, c]}. */
    static Map<String, T> run(KerasModel m, float[] image) {
        Map<String, T> out = new HashMap<>();
        for (KerasLayer l : m.layers()) {
            T[] in = l.inbound().stream().map(out::get).toArray(T[]::new);
            out.put(l.name(), layer(m, l, in, image));
        }
        return out;
    }

    private static T layer(KerasModel m, KerasLayer l, T[] in, float[] image) {
        Map<String, KerasTensor> w = m.weightsOf(l.name());
        switch (l.className()) {
            case "InputLayer":
                return new T(m.inputShape(), image.clone());
            case "Conv2D":
                return activation(KerasConfig.activation(l), conv(l, in[0], w.get("kernel"), w.get("bias"), false));
            case "DepthwiseConv2D":
                return activation(KerasConfig.activation(l),
                        conv(l, in[0], w.get("depthwise_kernel"), w.get("bias"), true));
            case "BatchNormalization": {
                double eps = KerasConfig.number(l, "epsilon", 1e-3);
                int c = in[0].shape()[in[0].shape().length - 1];
                float[] g = w.containsKey("gamma") ? w.get("gamma").data() : null;
                float[] b = w.containsKey("beta") ? w.get("beta").data() : null;
                float[] mean = w.get("moving_mean").data();
                float[] var = w.get("moving_variance").data();
                float[] v = in[0].v().clone();
                for (int i = 0; i < v.length; i++) {
                    int ch = i % c;
                    double y = (v[i] - mean[ch]) / Math.sqrt(var[ch] + eps);
                    v[i] = (float) (y * (g == null ? 1 : g[ch]) + (b == null ? 0 : b[ch]));
                }
                return new T(in[0].shape(), v);
            }
            case "ReLU": {
                double max = KerasConfig.optionalNumber(l, "max_value");
                double slope = KerasConfig.number(l, "negative_slope", 0);
                double thr = KerasConfig.number(l, "threshold", 0);
                float[] v = in[0].v().clone();
                for (int i = 0; i < v.length; i++) {
                    double x = v[i];
                    double y = x >= thr ? x : slope * (x - thr);
                    v[i] = (float) (Double.isNaN(max) ? y : Math.min(y, max));
                }
                return new T(in[0].shape(), v);
            }
            case "Activation":
                return activation(KerasConfig.activation(l), in[0]);
            case "Dropout":
                return in[0];
            case "ZeroPadding2D": {
                int[] p = KerasConfig.zeroPadding(l);
                int[] s = in[0].shape();
                int h = s[0] + p[0] + p[1];
                int wd = s[1] + p[2] + p[3];
                int c = s[2];
                float[] v = new float[h * wd * c];
                for (int y = 0; y < s[0]; y++) {
                    System.arraycopy(in[0].v(), y * s[1] * c, v, ((y + p[0]) * wd + p[2]) * c, s[1] * c);
                }
                return new T(new int[] {h, wd, c}, v);
            }
            case "MaxPooling2D", "AveragePooling2D":
                return pool(l, in[0], l.className().equals("MaxPooling2D"));
            case "GlobalAveragePooling2D": {
                int[] s = in[0].shape();
                float[] v = new float[s[2]];
                double[] acc = new double[s[2]];
                for (int i = 0; i < in[0].v().length; i++) {
                    acc[i % s[2]] += in[0].v()[i];
                }
                for (int c = 0; c < s[2]; c++) {
                    v[c] = (float) (acc[c] / (s[0] * s[1]));
                }
                return new T(new int[] {s[2]}, v);
            }
            case "Flatten":
                return new T(new int[] {in[0].v().length}, in[0].v());
            case "Dense": {
                float[] k = w.get("kernel").data();
                int units = w.get("kernel").shape()[1];
                int n = in[0].v().length;
                float[] v = new float[units];
                for (int u = 0; u < units; u++) {
                    double acc = w.containsKey("bias") ? w.get("bias").data()[u] : 0;
                    for (int i = 0; i < n; i++) {
                        acc += (double) in[0].v()[i] * k[i * units + u];
                    }
                    v[u] = (float) acc;
                }
                return activation(KerasConfig.activation(l), new T(new int[] {units}, v));
            }
            case "Add": {
                float[] v = in[0].v().clone();
                for (int j = 1; j < in.length; j++) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] += in[j].v()[i];
                    }
                }
                return new T(in[0].shape(), v);
            }
            case "Concatenate": {
                int[] s = in[0].shape();
                int axis = KerasConfig.integer(l, "axis", -1);
                if (axis != -1 && axis != s.length) {
                    throw new IllegalArgumentException("NaiveKeras concatenates on channels only");
                }
                int total = 0;
                for (T t : in) {
                    total += t.shape()[s.length - 1];
                }
                int cells = in[0].v().length / s[s.length - 1];
                float[] v = new float[cells * total];
                int off = 0;
                for (T t : in) {
                    int c = t.shape()[s.length - 1];
                    for (int p = 0; p < cells; p++) {
                        System.arraycopy(t.v(), p * c, v, p * total + off, c);
                    }
                    off += c;
                }
                int[] shape = s.clone();
                shape[s.length - 1] = total;
                return new T(shape, v);
            }
            default:
                throw new IllegalArgumentException("NaiveKeras: no " + l.className());
        }
    }

    private static T conv(KerasLayer l, T x, KerasTensor kernel, KerasTensor bias, boolean depthwise) {
        int[] s = x.shape();
        int[] ks = kernel.shape();
        int kh = ks[0];
        int kw = ks[1];
        int cin = s[2];
        int[] stride = KerasConfig.pair(l, "strides", new int[] {1, 1});
        int[] dil = KerasConfig.pair(l, "dilation_rate", new int[] {1, 1});
        String pad = KerasConfig.padding(l);
        int oh = KerasConfig.outputLength(s[0], kh, stride[0], dil[0], pad);
        int ow = KerasConfig.outputLength(s[1], kw, stride[1], dil[1], pad);
        int top = pad.equals("same") ? KerasConfig.samePadding(s[0], kh, stride[0], dil[0])[0] : 0;
        int left = pad.equals("same") ? KerasConfig.samePadding(s[1], kw, stride[1], dil[1])[0] : 0;
        int mult = depthwise ? ks[3] : 0;
        int cout = depthwise ? cin * mult : ks[3];
        float[] k = kernel.data();
        float[] in = x.v();
        float[] out = new float[oh * ow * cout];
        IntStream.range(0, oh).parallel().forEach(oy -> {
            float[] acc = new float[cout];
            for (int ox = 0; ox < ow; ox++) {
                Arrays.fill(acc, 0f);
                for (int ky = 0; ky < kh; ky++) {
                    int iy = oy * stride[0] + ky * dil[0] - top;
                    if (iy < 0 || iy >= s[0]) {
                        continue;
                    }
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = ox * stride[1] + kx * dil[1] - left;
                        if (ix < 0 || ix >= s[1]) {
                            continue;
                        }
                        int ib = (iy * s[1] + ix) * cin;
                        int kb = (ky * kw + kx) * cin;
                        for (int ci = 0; ci < cin; ci++) {
                            float xv = in[ib + ci];
                            if (depthwise) {
                                for (int mm = 0; mm < mult; mm++) {
                                    acc[ci * mult + mm] += xv * k[(kb + ci) * mult + mm];
                                }
                            } else {
                                int kr = (kb + ci) * cout;
                                for (int co = 0; co < cout; co++) {
                                    acc[co] += xv * k[kr + co];
                                }
                            }
                        }
                    }
                }
                int ob = (oy * ow + ox) * cout;
                for (int co = 0; co < cout; co++) {
                    out[ob + co] = acc[co] + (bias == null ? 0f : bias.data()[co]);
                }
            }
        });
        return new T(new int[] {oh, ow, cout}, out);
    }

    private static T pool(KerasLayer l, T x, boolean max) {
        int[] s = x.shape();
        int[] ps = KerasConfig.pair(l, "pool_size", new int[] {2, 2});
        int[] st = KerasConfig.pair(l, "strides", ps);
        String pad = KerasConfig.padding(l);
        int oh = KerasConfig.outputLength(s[0], ps[0], st[0], 1, pad);
        int ow = KerasConfig.outputLength(s[1], ps[1], st[1], 1, pad);
        int top = pad.equals("same") ? KerasConfig.samePadding(s[0], ps[0], st[0], 1)[0] : 0;
        int left = pad.equals("same") ? KerasConfig.samePadding(s[1], ps[1], st[1], 1)[0] : 0;
        int c = s[2];
        float[] out = new float[oh * ow * c];
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                for (int ch = 0; ch < c; ch++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    int count = 0;
                    for (int ky = 0; ky < ps[0]; ky++) {
                        int iy = oy * st[0] + ky - top;
                        for (int kx = 0; kx < ps[1]; kx++) {
                            int ix = ox * st[1] + kx - left;
                            if (iy < 0 || iy >= s[0] || ix < 0 || ix >= s[1]) {
                                continue; // padding: ignored by max, not counted by average (TensorFlow)
                            }
                            float v = x.v()[(iy * s[1] + ix) * c + ch];
                            acc = max ? Math.max(acc, v) : acc + v;
                            count++;
                        }
                    }
                    out[(oy * ow + ox) * c + ch] = (float) (max ? acc : acc / count);
                }
            }
        }
        return new T(new int[] {oh, ow, c}, out);
    }

    private static T activation(String name, T x) {
        float[] v = x.v().clone();
        switch (name) {
            case "linear" -> {
            }
            case "relu" -> {
                for (int i = 0; i < v.length; i++) {
                    v[i] = Math.max(v[i], 0f);
                }
            }
            case "relu6" -> {
                for (int i = 0; i < v.length; i++) {
                    v[i] = Math.min(Math.max(v[i], 0f), 6f);
                }
            }
            case "sigmoid" -> {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (1 / (1 + Math.exp(-v[i])));
                }
            }
            case "tanh" -> {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) Math.tanh(v[i]);
                }
            }
            case "softmax" -> {
                double max = Double.NEGATIVE_INFINITY;
                for (float f : v) {
                    max = Math.max(max, f);
                }
                double sum = 0;
                double[] e = new double[v.length];
                for (int i = 0; i < v.length; i++) {
                    e[i] = Math.exp(v[i] - max);
                    sum += e[i];
                }
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (e[i] / sum);
                }
            }
            default -> throw new IllegalArgumentException("NaiveKeras: no activation " + name);
        }
        return new T(x.shape(), v);
    }
}
