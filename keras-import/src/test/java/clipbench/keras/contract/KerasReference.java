package clipbench.keras.contract;

import clipbench.keras.KerasLayer;
import clipbench.keras.KerasModel;
import clipbench.keras.KerasTensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Keras layers as plain loops, channels last (NHWC), each layer in double precision and rounded to float32
 * between layers, written from the Keras definitions: what every runtime's build of a {@link KerasModel} (ONNX
 * export, DJL {@code KerasNet}, TF {@code KerasGraph}) is compared against. Slow, so for tiny models and single
 * images. A new layer type starts here.
 */
public final class KerasReference {
    /** The reference as a runner: one pass gives every requested layer. */
    public static final KerasRunner RUNNER = new KerasRunner() {
        @Override
        public Nd run(KerasModel model, Nd nhwc) {
            return KerasReference.run(model, nhwc);
        }

        /** Image by image, so that only one image's layer outputs are held at a time. */
        @Override
        public List<Nd> run(KerasModel model, Nd nhwc, List<String> layers) {
            List<List<Nd>> perImage = new ArrayList<>();
            int[] one = nhwc.shape().clone();
            one[0] = 1;
            for (int n = 0; n < nhwc.count(); n++) {
                Map<String, Nd> all = runAll(model, new Nd(one, nhwc.item(n)));
                perImage.add(layers.stream().map(all::get).toList());
            }
            List<Nd> out = new ArrayList<>();
            for (int k = 0; k < layers.size(); k++) {
                int index = k;
                out.add(Nd.stack(perImage.stream().map(l -> l.get(index)).toList()));
            }
            return out;
        }
    };

    private KerasReference() {
    }

    /** Runs every layer of {@code m} on {@code input} (NHWC, batch first); returns each layer's output. */
    public static Map<String, Nd> runAll(KerasModel m, Nd input) {
        Map<String, Nd> out = new LinkedHashMap<>();
        for (KerasLayer l : m.layers()) {
            List<Nd> in = new ArrayList<>();
            for (String s : l.inbound()) {
                in.add(out.get(s));
            }
            out.put(l.name(), layer(m, l, in, input));
        }
        return out;
    }

    public static Nd run(KerasModel m, Nd input) {
        return runAll(m, input).get(m.output());
    }

    private static Nd layer(KerasModel m, KerasLayer l, List<Nd> in, Nd input) {
        JsonNode c = l.config();
        Map<String, KerasTensor> w = m.weightsOf(l.name());
        switch (clipbench.keras.KerasConfig.type(l)) {
            case "InputLayer":
                return input;
            case "Conv2D": {
                int[] k = pair(c, "kernel_size", null);
                KerasTensor kernel = w.get("kernel");
                int filters = c.get("filters").asInt();
                Nd y = conv(in.get(0), kernel.data(), k[0], k[1], kernel.shape()[2], filters,
                        c.path("use_bias").asBoolean(true) ? w.get("bias").data() : null, pair(c, "strides", new int[] {1, 1}),
                        pair(c, "dilation_rate", new int[] {1, 1}), c.path("padding").asText("valid"),
                        c.path("groups").asInt(1));
                return act(y, c.path("activation").asText("linear"));
            }
            case "DepthwiseConv2D": {
                int[] k = pair(c, "kernel_size", null);
                Nd y = depthwise(in.get(0), w.get("depthwise_kernel").data(), k[0], k[1],
                        c.path("depth_multiplier").asInt(1),
                        c.path("use_bias").asBoolean(true) ? w.get("bias").data() : null, pair(c, "strides", new int[] {1, 1}),
                        pair(c, "dilation_rate", new int[] {1, 1}), c.path("padding").asText("valid"));
                return act(y, c.path("activation").asText("linear"));
            }
            case "BatchNormalization": {
                Nd x = in.get(0);
                int ch = x.shape()[x.shape().length - 1];
                double eps = c.path("epsilon").asDouble(1e-3);
                float[] gamma = c.path("scale").asBoolean(true) ? w.get("gamma").data() : null;
                float[] beta = c.path("center").asBoolean(true) ? w.get("beta").data() : null;
                float[] mean = w.get("moving_mean").data();
                float[] var = w.get("moving_variance").data();
                float[] y = new float[x.v().length];
                for (int i = 0; i < y.length; i++) {
                    int k = i % ch;
                    double v = (x.v()[i] - (double) mean[k]) / Math.sqrt(var[k] + eps);
                    y[i] = (float) (v * (gamma == null ? 1 : gamma[k]) + (beta == null ? 0 : beta[k]));
                }
                return new Nd(x.shape(), y);
            }
            case "ReLU": {
                Nd x = in.get(0);
                double max = c.path("max_value").isNumber() ? c.get("max_value").asDouble() : Double.POSITIVE_INFINITY;
                double slope = c.path("negative_slope").asDouble(0);
                double thr = c.path("threshold").asDouble(0);
                float[] y = new float[x.v().length];
                for (int i = 0; i < y.length; i++) {
                    double v = x.v()[i];
                    // Keras: max_value if x >= max_value; x if threshold <= x < max_value; slope * (x - threshold) else
                    y[i] = (float) (v >= max ? max : v >= thr ? v : slope * (v - thr));
                }
                return new Nd(x.shape(), y);
            }
            case "Activation":
                return act(in.get(0), c.get("activation").asText());
            case "MultiplyBeta": {
                Nd x = in.get(0);
                float[] y = new float[x.v().length];
                for (int i = 0; i < y.length; i++) {
                    y[i] = (float) (x.v()[i] * 0.2); // UpscalerJS's MultiplyBeta: tf.mul(x, 0.2)
                }
                return new Nd(x.shape(), y);
            }
            case "PixelShuffle":
                return depthToSpace(in.get(0), c.get("scale").asInt());
            case "UpSampling2D":
                return upSampling(in.get(0), pair(c, "size", new int[] {2, 2}));
            case "ZeroPadding2D": {
                Nd x = in.get(0);
                JsonNode p = c.get("padding");
                int t;
                int b;
                int le;
                int r;
                if (p.isInt()) {
                    t = b = le = r = p.asInt();
                } else if (p.get(0).isInt()) {
                    t = b = p.get(0).asInt();
                    le = r = p.get(1).asInt();
                } else {
                    t = p.get(0).get(0).asInt();
                    b = p.get(0).get(1).asInt();
                    le = p.get(1).get(0).asInt();
                    r = p.get(1).get(1).asInt();
                }
                int n = x.shape()[0];
                int h = x.shape()[1] + t + b;
                int wd = x.shape()[2] + le + r;
                int ch = x.shape()[3];
                float[] y = new float[n * h * wd * ch];
                for (int i = 0; i < n; i++) {
                    for (int yy = 0; yy < x.shape()[1]; yy++) {
                        for (int xx = 0; xx < x.shape()[2]; xx++) {
                            for (int k = 0; k < ch; k++) {
                                y[((i * h + yy + t) * wd + xx + le) * ch + k] = x.at(i, yy, xx, k);
                            }
                        }
                    }
                }
                return new Nd(new int[] {n, h, wd, ch}, y);
            }
            case "Add": {
                float[] y = in.get(0).v().clone();
                for (int j = 1; j < in.size(); j++) {
                    for (int i = 0; i < y.length; i++) {
                        y[i] += in.get(j).v()[i];
                    }
                }
                return new Nd(in.get(0).shape(), y);
            }
            case "Concatenate":
                return concat(in, c.path("axis").asInt(-1));
            case "MaxPooling2D":
            case "AveragePooling2D": {
                int[] k = pair(c, "pool_size", new int[] {2, 2});
                return pool(in.get(0), k, pair(c, "strides", k), c.path("padding").asText("valid"),
                        l.className().startsWith("Max"));
            }
            case "GlobalAveragePooling2D": {
                Nd x = in.get(0);
                int n = x.shape()[0];
                int ch = x.shape()[3];
                float[] y = new float[n * ch];
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < ch; k++) {
                        double s = 0;
                        for (int yy = 0; yy < x.shape()[1]; yy++) {
                            for (int xx = 0; xx < x.shape()[2]; xx++) {
                                s += x.at(i, yy, xx, k);
                            }
                        }
                        y[i * ch + k] = (float) (s / (x.shape()[1] * x.shape()[2]));
                    }
                }
                return c.path("keepdims").asBoolean(false) ? new Nd(new int[] {n, 1, 1, ch}, y)
                        : new Nd(new int[] {n, ch}, y);
            }
            case "Flatten": {
                Nd x = in.get(0); // row-major NHWC already is Keras's flatten order
                return new Nd(new int[] {x.shape()[0], x.v().length / x.shape()[0]}, x.v());
            }
            case "Dense": {
                Nd x = in.get(0);
                KerasTensor kernel = w.get("kernel");
                int din = kernel.shape()[0];
                int units = kernel.shape()[1];
                float[] bias = c.path("use_bias").asBoolean(true) ? w.get("bias").data() : null;
                int rows = x.v().length / din;
                float[] y = new float[rows * units];
                for (int r = 0; r < rows; r++) {
                    for (int u = 0; u < units; u++) {
                        double s = bias == null ? 0 : bias[u];
                        for (int i = 0; i < din; i++) {
                            s += (double) x.v()[r * din + i] * kernel.data()[i * units + u];
                        }
                        y[r * units + u] = (float) s;
                    }
                }
                int[] shape = x.shape().clone();
                shape[shape.length - 1] = units;
                return act(new Nd(shape, y), c.path("activation").asText("linear"));
            }
            case "Dropout":
                return in.get(0);
            default:
                throw new IllegalArgumentException("reference: " + l.className());
        }
    }

    /** TensorFlow "same": output ceil(in / s); the padding total split with the odd cell at the end. */
    static int[] outAndPadBefore(int in, int k, int s, int d, String padding) {
        int eff = (k - 1) * d + 1;
        if (padding.equals("valid")) {
            return new int[] {(in - eff) / s + 1, 0};
        }
        int out = (in + s - 1) / s;
        int total = Math.max((out - 1) * s + eff - in, 0);
        return new int[] {out, total / 2};
    }

    static Nd conv(Nd x, float[] k, int kh, int kw, int cinPerGroup, int cout, float[] bias, int[] s, int[] d,
                   String padding, int groups) {
        int n = x.shape()[0];
        int[] oy = outAndPadBefore(x.shape()[1], kh, s[0], d[0], padding);
        int[] ox = outAndPadBefore(x.shape()[2], kw, s[1], d[1], padding);
        int coutPerGroup = cout / groups;
        float[] y = new float[n * oy[0] * ox[0] * cout];
        int idx = 0;
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < oy[0]; r++) {
                for (int q = 0; q < ox[0]; q++) {
                    for (int o = 0; o < cout; o++) {
                        int g = o / coutPerGroup;
                        double sum = bias == null ? 0 : bias[o];
                        for (int a = 0; a < kh; a++) {
                            int iy = r * s[0] - oy[1] + a * d[0];
                            for (int b = 0; b < kw; b++) {
                                int ix = q * s[1] - ox[1] + b * d[1];
                                if (iy < 0 || iy >= x.shape()[1] || ix < 0 || ix >= x.shape()[2]) {
                                    continue; // zero padding
                                }
                                for (int ci = 0; ci < cinPerGroup; ci++) {
                                    sum += (double) x.at(i, iy, ix, g * cinPerGroup + ci)
                                            * k[((a * kw + b) * cinPerGroup + ci) * cout + o];
                                }
                            }
                        }
                        y[idx++] = (float) sum;
                    }
                }
            }
        }
        return new Nd(new int[] {n, oy[0], ox[0], cout}, y);
    }

    static Nd depthwise(Nd x, float[] k, int kh, int kw, int mult, float[] bias, int[] s, int[] d, String padding) {
        int n = x.shape()[0];
        int cin = x.shape()[3];
        int[] oy = outAndPadBefore(x.shape()[1], kh, s[0], d[0], padding);
        int[] ox = outAndPadBefore(x.shape()[2], kw, s[1], d[1], padding);
        float[] y = new float[n * oy[0] * ox[0] * cin * mult];
        int idx = 0;
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < oy[0]; r++) {
                for (int q = 0; q < ox[0]; q++) {
                    for (int ch = 0; ch < cin; ch++) {
                        for (int m = 0; m < mult; m++) {
                            double sum = bias == null ? 0 : bias[ch * mult + m];
                            for (int a = 0; a < kh; a++) {
                                int iy = r * s[0] - oy[1] + a * d[0];
                                for (int b = 0; b < kw; b++) {
                                    int ix = q * s[1] - ox[1] + b * d[1];
                                    if (iy >= 0 && iy < x.shape()[1] && ix >= 0 && ix < x.shape()[2]) {
                                        sum += (double) x.at(i, iy, ix, ch) * k[((a * kw + b) * cin + ch) * mult + m];
                                    }
                                }
                            }
                            y[idx++] = (float) sum;
                        }
                    }
                }
            }
        }
        return new Nd(new int[] {n, oy[0], ox[0], cin * mult}, y);
    }

    /** Max or average over the window cells inside the input (TF: padding never counts). */
    static Nd pool(Nd x, int[] k, int[] s, String padding, boolean max) {
        int n = x.shape()[0];
        int ch = x.shape()[3];
        int[] oy = outAndPadBefore(x.shape()[1], k[0], s[0], 1, padding);
        int[] ox = outAndPadBefore(x.shape()[2], k[1], s[1], 1, padding);
        float[] y = new float[n * oy[0] * ox[0] * ch];
        int idx = 0;
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < oy[0]; r++) {
                for (int q = 0; q < ox[0]; q++) {
                    for (int c = 0; c < ch; c++) {
                        double acc = max ? Double.NEGATIVE_INFINITY : 0;
                        int count = 0;
                        for (int a = 0; a < k[0]; a++) {
                            int iy = r * s[0] - oy[1] + a;
                            for (int b = 0; b < k[1]; b++) {
                                int ix = q * s[1] - ox[1] + b;
                                if (iy >= 0 && iy < x.shape()[1] && ix >= 0 && ix < x.shape()[2]) {
                                    float v = x.at(i, iy, ix, c);
                                    acc = max ? Math.max(acc, v) : acc + v;
                                    count++;
                                }
                            }
                        }
                        y[idx++] = (float) (max ? acc : acc / count);
                    }
                }
            }
        }
        return new Nd(new int[] {n, oy[0], ox[0], ch}, y);
    }

    static Nd concat(List<Nd> in, int axis) {
        int rank = in.get(0).shape().length;
        int a = axis < 0 ? axis + rank : axis;
        int outer = 1;
        for (int k = 0; k < a; k++) {
            outer *= in.get(0).shape()[k];
        }
        int[] shape = in.get(0).shape().clone();
        shape[a] = 0;
        for (Nd x : in) {
            shape[a] += x.shape()[a];
        }
        int total = 0;
        for (Nd x : in) {
            total += x.v().length;
        }
        float[] y = new float[total];
        int idx = 0;
        for (int o = 0; o < outer; o++) {
            for (Nd x : in) {
                int chunk = x.v().length / outer;
                System.arraycopy(x.v(), o * chunk, y, idx, chunk);
                idx += chunk;
            }
        }
        return new Nd(shape, y);
    }

    static Nd act(Nd x, String a) {
        float[] y = new float[x.v().length];
        int last = x.shape()[x.shape().length - 1];
        for (int i = 0; i < y.length; i++) {
            double v = x.v()[i];
            y[i] = (float) switch (a) {
                case "linear", "softmax" -> v;
                case "relu" -> Math.max(v, 0);
                case "relu6" -> Math.min(Math.max(v, 0), 6);
                case "sigmoid" -> 1 / (1 + Math.exp(-v));
                case "tanh" -> Math.tanh(v);
                default -> throw new IllegalArgumentException("reference activation " + a);
            };
        }
        if (a.equals("softmax")) { // over the last axis
            for (int r = 0; r < y.length / last; r++) {
                double mx = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < last; j++) {
                    mx = Math.max(mx, x.v()[r * last + j]);
                }
                double sum = 0;
                for (int j = 0; j < last; j++) {
                    sum += Math.exp(x.v()[r * last + j] - mx);
                }
                for (int j = 0; j < last; j++) {
                    y[r * last + j] = (float) (Math.exp(x.v()[r * last + j] - mx) / sum);
                }
            }
        }
        return new Nd(x.shape(), y);
    }

    static int[] pair(JsonNode c, String f, int[] dflt) {
        JsonNode v = c.get(f);
        if (v == null || v.isNull()) {
            return dflt;
        }
        return v.isInt() ? new int[] {v.asInt(), v.asInt()} : new int[] {v.get(0).asInt(), v.get(1).asInt()};
    }

    /** tf.depthToSpace(x, b, 'NHWC'): out[n][h*b + i][w*b + j][c] = in[n][h][w][(i*b + j) * C + c]. */
    static Nd depthToSpace(Nd x, int b) {
        int n = x.shape()[0];
        int h = x.shape()[1];
        int w = x.shape()[2];
        int cout = x.shape()[3] / (b * b);
        float[] y = new float[x.v().length];
        for (int q = 0; q < n; q++) {
            for (int r = 0; r < h * b; r++) {
                for (int s = 0; s < w * b; s++) {
                    for (int k = 0; k < cout; k++) {
                        y[((q * h * b + r) * w * b + s) * cout + k] = x.at(q, r / b, s / b, ((r % b) * b + s % b) * cout + k);
                    }
                }
            }
        }
        return new Nd(new int[] {n, h * b, w * b, cout}, y);
    }

    /** Keras UpSampling2D, nearest: output pixel (y, x) is input pixel (floor(y / rows), floor(x / cols)). */
    static Nd upSampling(Nd x, int[] size) {
        int n = x.shape()[0];
        int h = x.shape()[1];
        int w = x.shape()[2];
        int ch = x.shape()[3];
        int oh = h * size[0];
        int ow = w * size[1];
        float[] y = new float[n * oh * ow * ch];
        for (int b = 0; b < n; b++) {
            for (int r = 0; r < oh; r++) {
                for (int q = 0; q < ow; q++) {
                    for (int k = 0; k < ch; k++) {
                        y[((b * oh + r) * ow + q) * ch + k] = x.at(b, r / size[0], q / size[1], k);
                    }
                }
            }
        }
        return new Nd(new int[] {n, oh, ow, ch}, y);
    }
}
