package clipbench.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A plain loop implementation of the Keras layers, channels last (NHWC), in double precision: the reference
 * {@link OnnxExport}'s graphs are compared against. Also a small builder of hand-made {@link KerasModel}s with
 * random weights, and the ONNX Runtime call. The tests here check the reference itself on values worked out
 * by hand.
 */
class OnnxReferenceTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A dense tensor, batch first, row-major (NHWC for feature maps). */
    record Nd(int[] shape, float[] v) {
        Nd {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            if (n != v.length) {
                throw new IllegalArgumentException(Arrays.toString(shape) + " vs " + v.length);
            }
        }

        float at(int n, int y, int x, int c) {
            return v[((n * shape[1] + y) * shape[2] + x) * shape[3] + c];
        }
    }

    // ============================================================================= reference implementation

    /** Runs every layer of {@code m} on {@code input} (NHWC, batch first); returns each layer's output. */
    static Map<String, Nd> runAll(KerasModel m, Nd input) {
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

    static Nd run(KerasModel m, Nd input) {
        return runAll(m, input).get(m.output());
    }

    private static Nd layer(KerasModel m, KerasLayer l, List<Nd> in, Nd input) {
        JsonNode c = l.config();
        Map<String, KerasTensor> w = m.weightsOf(l.name());
        switch (l.className()) {
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
                int ch = x.shape[x.shape.length - 1];
                double eps = c.path("epsilon").asDouble(1e-3);
                float[] gamma = c.path("scale").asBoolean(true) ? w.get("gamma").data() : null;
                float[] beta = c.path("center").asBoolean(true) ? w.get("beta").data() : null;
                float[] mean = w.get("moving_mean").data();
                float[] var = w.get("moving_variance").data();
                float[] y = new float[x.v.length];
                for (int i = 0; i < y.length; i++) {
                    int k = i % ch;
                    double v = (x.v[i] - (double) mean[k]) / Math.sqrt(var[k] + eps);
                    y[i] = (float) (v * (gamma == null ? 1 : gamma[k]) + (beta == null ? 0 : beta[k]));
                }
                return new Nd(x.shape, y);
            }
            case "ReLU": {
                Nd x = in.get(0);
                double max = c.path("max_value").isNumber() ? c.get("max_value").asDouble() : Double.POSITIVE_INFINITY;
                double slope = c.path("negative_slope").asDouble(0);
                double thr = c.path("threshold").asDouble(0);
                float[] y = new float[x.v.length];
                for (int i = 0; i < y.length; i++) {
                    double v = x.v[i];
                    // Keras: max_value if x >= max_value; x if threshold <= x < max_value; slope * (x - threshold) else
                    y[i] = (float) (v >= max ? max : v >= thr ? v : slope * (v - thr));
                }
                return new Nd(x.shape, y);
            }
            case "Activation":
                return act(in.get(0), c.get("activation").asText());
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
                int n = x.shape[0];
                int h = x.shape[1] + t + b;
                int wd = x.shape[2] + le + r;
                int ch = x.shape[3];
                float[] y = new float[n * h * wd * ch];
                for (int i = 0; i < n; i++) {
                    for (int yy = 0; yy < x.shape[1]; yy++) {
                        for (int xx = 0; xx < x.shape[2]; xx++) {
                            for (int k = 0; k < ch; k++) {
                                y[((i * h + yy + t) * wd + xx + le) * ch + k] = x.at(i, yy, xx, k);
                            }
                        }
                    }
                }
                return new Nd(new int[] {n, h, wd, ch}, y);
            }
            case "Add": {
                float[] y = in.get(0).v.clone();
                for (int j = 1; j < in.size(); j++) {
                    for (int i = 0; i < y.length; i++) {
                        y[i] += in.get(j).v[i];
                    }
                }
                return new Nd(in.get(0).shape, y);
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
                int n = x.shape[0];
                int ch = x.shape[3];
                float[] y = new float[n * ch];
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < ch; k++) {
                        double s = 0;
                        for (int yy = 0; yy < x.shape[1]; yy++) {
                            for (int xx = 0; xx < x.shape[2]; xx++) {
                                s += x.at(i, yy, xx, k);
                            }
                        }
                        y[i * ch + k] = (float) (s / (x.shape[1] * x.shape[2]));
                    }
                }
                return c.path("keepdims").asBoolean(false) ? new Nd(new int[] {n, 1, 1, ch}, y)
                        : new Nd(new int[] {n, ch}, y);
            }
            case "Flatten": {
                Nd x = in.get(0); // row-major NHWC already is Keras's flatten order
                return new Nd(new int[] {x.shape[0], x.v.length / x.shape[0]}, x.v);
            }
            case "Dense": {
                Nd x = in.get(0);
                KerasTensor kernel = w.get("kernel");
                int din = kernel.shape()[0];
                int units = kernel.shape()[1];
                float[] bias = c.path("use_bias").asBoolean(true) ? w.get("bias").data() : null;
                int rows = x.v.length / din;
                float[] y = new float[rows * units];
                for (int r = 0; r < rows; r++) {
                    for (int u = 0; u < units; u++) {
                        double s = bias == null ? 0 : bias[u];
                        for (int i = 0; i < din; i++) {
                            s += (double) x.v[r * din + i] * kernel.data()[i * units + u];
                        }
                        y[r * units + u] = (float) s;
                    }
                }
                int[] shape = x.shape.clone();
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
        int n = x.shape[0];
        int[] oy = outAndPadBefore(x.shape[1], kh, s[0], d[0], padding);
        int[] ox = outAndPadBefore(x.shape[2], kw, s[1], d[1], padding);
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
                                if (iy < 0 || iy >= x.shape[1] || ix < 0 || ix >= x.shape[2]) {
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
        int n = x.shape[0];
        int cin = x.shape[3];
        int[] oy = outAndPadBefore(x.shape[1], kh, s[0], d[0], padding);
        int[] ox = outAndPadBefore(x.shape[2], kw, s[1], d[1], padding);
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
                                    if (iy >= 0 && iy < x.shape[1] && ix >= 0 && ix < x.shape[2]) {
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
        int n = x.shape[0];
        int ch = x.shape[3];
        int[] oy = outAndPadBefore(x.shape[1], k[0], s[0], 1, padding);
        int[] ox = outAndPadBefore(x.shape[2], k[1], s[1], 1, padding);
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
                                if (iy >= 0 && iy < x.shape[1] && ix >= 0 && ix < x.shape[2]) {
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
        int rank = in.get(0).shape.length;
        int a = axis < 0 ? axis + rank : axis;
        int outer = 1;
        for (int k = 0; k < a; k++) {
            outer *= in.get(0).shape[k];
        }
        int[] shape = in.get(0).shape.clone();
        shape[a] = 0;
        for (Nd x : in) {
            shape[a] += x.shape[a];
        }
        int total = 0;
        for (Nd x : in) {
            total += x.v.length;
        }
        float[] y = new float[total];
        int idx = 0;
        for (int o = 0; o < outer; o++) {
            for (Nd x : in) {
                int chunk = x.v.length / outer;
                System.arraycopy(x.v, o * chunk, y, idx, chunk);
                idx += chunk;
            }
        }
        return new Nd(shape, y);
    }

    static Nd act(Nd x, String a) {
        float[] y = new float[x.v.length];
        int last = x.shape[x.shape.length - 1];
        for (int i = 0; i < y.length; i++) {
            double v = x.v[i];
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
                    mx = Math.max(mx, x.v[r * last + j]);
                }
                double sum = 0;
                for (int j = 0; j < last; j++) {
                    sum += Math.exp(x.v[r * last + j] - mx);
                }
                for (int j = 0; j < last; j++) {
                    y[r * last + j] = (float) (Math.exp(x.v[r * last + j] - mx) / sum);
                }
            }
        }
        return new Nd(x.shape, y);
    }

    private static int[] pair(JsonNode c, String f, int[] dflt) {
        JsonNode v = c.get(f);
        if (v == null || v.isNull()) {
            return dflt;
        }
        return v.isInt() ? new int[] {v.asInt(), v.asInt()} : new int[] {v.get(0).asInt(), v.get(1).asInt()};
    }

    // ========================================================================================= model builder

    /** Builds a small {@link KerasModel} with random weights (fixed seed). */
    static final class Net {
        final String name;
        final int[] input;
        final Random rnd;
        final List<KerasLayer> layers = new ArrayList<>();
        final Map<String, KerasTensor> weights = new LinkedHashMap<>();

        Net(String name, int h, int w, int c, long seed) {
            this.name = name;
            this.input = new int[] {h, w, c};
            this.rnd = new Random(seed);
            layer("InputLayer", "input", "{\"batch_input_shape\":[null," + h + "," + w + "," + c + "]}");
        }

        /** Adds a layer; {@code cfg} is JSON, single quotes allowed for brevity. */
        String layer(String cls, String lname, String cfg, String... inbound) {
            ObjectNode node;
            try {
                node = (ObjectNode) JSON.readTree(cfg.replace('\'', '"'));
            } catch (Exception e) {
                throw new IllegalArgumentException(cfg, e);
            }
            node.put("name", lname);
            layers.add(new KerasLayer(lname, cls, node, List.of(inbound)));
            return lname;
        }

        void weight(String wname, float lo, float hi, int... shape) {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = lo + (hi - lo) * rnd.nextFloat();
            }
            weights.put(wname, new KerasTensor(wname, shape, v));
        }

        /** Conv2D with {@code cin} input channels; kernel and bias from the config's filters, kernel_size, use_bias. */
        String conv(String lname, String in, int cin, String cfg) {
            layer("Conv2D", lname, cfg, in);
            JsonNode c = last().config();
            int[] k = pair(c, "kernel_size", null);
            int f = c.get("filters").asInt();
            weight(lname + "/kernel", -0.5f, 0.5f, k[0], k[1], cin / c.path("groups").asInt(1), f);
            if (c.path("use_bias").asBoolean(true)) {
                weight(lname + "/bias", -0.5f, 0.5f, f);
            }
            return lname;
        }

        String depthwise(String lname, String in, int cin, String cfg) {
            layer("DepthwiseConv2D", lname, cfg, in);
            JsonNode c = last().config();
            int[] k = pair(c, "kernel_size", null);
            int m = c.path("depth_multiplier").asInt(1);
            weight(lname + "/depthwise_kernel", -0.5f, 0.5f, k[0], k[1], cin, m);
            if (c.path("use_bias").asBoolean(true)) {
                weight(lname + "/bias", -0.5f, 0.5f, cin * m);
            }
            return lname;
        }

        String bn(String lname, String in, int ch, String cfg) {
            layer("BatchNormalization", lname, cfg, in);
            JsonNode c = last().config();
            if (c.path("scale").asBoolean(true)) {
                weight(lname + "/gamma", 0.5f, 1.5f, ch);
            }
            if (c.path("center").asBoolean(true)) {
                weight(lname + "/beta", -0.5f, 0.5f, ch);
            }
            weight(lname + "/moving_mean", -0.5f, 0.5f, ch);
            weight(lname + "/moving_variance", 0.5f, 1.5f, ch);
            return lname;
        }

        String dense(String lname, String in, int din, String cfg) {
            layer("Dense", lname, cfg, in);
            JsonNode c = last().config();
            int u = c.get("units").asInt();
            weight(lname + "/kernel", -0.5f, 0.5f, din, u);
            if (c.path("use_bias").asBoolean(true)) {
                weight(lname + "/bias", -0.5f, 0.5f, u);
            }
            return lname;
        }

        private KerasLayer last() {
            return layers.get(layers.size() - 1);
        }

        KerasModel build(String output) {
            return new KerasModel(name, input, layers, output, weights);
        }

        KerasModel build() {
            return build(last().name());
        }
    }

    // ============================================================================================ running

    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    /** Runs an ONNX model's single input on NCHW data; returns the first output with its shape. */
    static Nd ort(byte[] onnx, float[] nchw, long... shape) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(2);
            try (OrtSession s = ENV.createSession(onnx, o)) {
                return ort(s, nchw, shape);
            }
        }
    }

    static Nd ort(OrtSession s, float[] nchw, long... shape) throws OrtException {
        try (OnnxTensor t = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(nchw), shape);
             OrtSession.Result r = s.run(Map.of(OnnxExport.INPUT, t))) {
            OnnxTensor out = (OnnxTensor) r.get(OnnxExport.OUTPUT).orElseThrow();
            long[] os = out.getInfo().getShape();
            int[] is = new int[os.length];
            for (int k = 0; k < os.length; k++) {
                is[k] = Math.toIntExact(os[k]);
            }
            FloatBuffer fb = out.getFloatBuffer();
            float[] v = new float[fb.remaining()];
            fb.get(v);
            return new Nd(is, v);
        }
    }

    static float[] nhwcToNchw(Nd x) {
        int n = x.shape[0];
        int h = x.shape[1];
        int w = x.shape[2];
        int c = x.shape[3];
        float[] y = new float[x.v.length];
        for (int i = 0; i < n; i++) {
            for (int yy = 0; yy < h; yy++) {
                for (int xx = 0; xx < w; xx++) {
                    for (int k = 0; k < c; k++) {
                        y[((i * c + k) * h + yy) * w + xx] = x.at(i, yy, xx, k);
                    }
                }
            }
        }
        return y;
    }

    static Nd randomInput(int n, int[] hwc, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n * hwc[0] * hwc[1] * hwc[2]];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return new Nd(new int[] {n, hwc[0], hwc[1], hwc[2]}, v);
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length, "lengths");
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
            if (Float.isNaN(a[i]) != Float.isNaN(b[i])) {
                return Double.POSITIVE_INFINITY;
            }
        }
        return m;
    }

    /** Measured errors, by label, printed at the end of each test class. */
    static final Map<String, Double> ERRORS = new HashMap<>();

    /**
     * Exports {@code m}, runs it on ORT with a random batch of 2, and checks it against the reference to
     * {@code tol}; returns the max abs difference.
     */
    static double check(String label, KerasModel m, double tol) throws OrtException {
        byte[] onnx = OnnxExport.toBytes(m);
        Nd x = randomInput(2, m.inputShape(), 42);
        Nd want = run(m, x);
        int[] hwc = m.inputShape();
        Nd got = ort(onnx, nhwcToNchw(x), 2, hwc[2], hwc[0], hwc[1]);
        assertArrayEquals(want.shape, got.shape, label + ": output shape");
        double d = maxAbsDiff(want.v, got.v);
        System.out.printf("ONNX-ERR %-40s max|diff| = %.3g%n", label, d);
        synchronized (ERRORS) {
            ERRORS.merge(label, d, Math::max);
        }
        assertTrue(d <= tol, label + ": max abs diff " + d + " > " + tol);
        return d;
    }

    // ============================================================================ tests of the reference

    @Test
    void convSameStride2PutsTheOddPixelBottomRight() {
        // 1 channel 4x4 input of ones, 3x3 kernel of ones, stride 2, same: out 2x2, pad total 1 -> 0 top, 1 bottom
        Nd x = new Nd(new int[] {1, 4, 4, 1}, filled(16, 1));
        Nd y = conv(x, filled(9, 1), 3, 3, 1, 1, null, new int[] {2, 2}, new int[] {1, 1}, "same", 1);
        assertArrayEquals(new int[] {1, 2, 2, 1}, y.shape);
        // (0,0): rows 0..2, cols 0..2 -> 9; (0,1): cols 2..4 (4 padded) -> 6; (1,1): 2x2 -> 4
        assertArrayEquals(new float[] {9, 6, 6, 4}, y.v);
    }

    @Test
    void averagePoolSameExcludesPadding() {
        Nd x = new Nd(new int[] {1, 2, 2, 1}, new float[] {1, 2, 3, 4});
        Nd y = pool(x, new int[] {3, 3}, new int[] {1, 1}, "same", false);
        // every window covers all four cells: mean 2.5 (counting padding it would be 10/9)
        assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f}, y.v);
        Nd m = pool(x, new int[] {2, 2}, new int[] {2, 2}, "valid", true);
        assertArrayEquals(new float[] {4}, m.v);
    }

    @Test
    void depthwiseOrdersOutputChannelsByInputThenMultiplier() {
        // 1x1 input with channels (1, 10), 1x1 kernel, multiplier 2: kernel [1,1,2,2] = {{2,3},{5,7}}
        Nd x = new Nd(new int[] {1, 1, 1, 2}, new float[] {1, 10});
        Nd y = depthwise(x, new float[] {2, 3, 5, 7}, 1, 1, 2, null, new int[] {1, 1}, new int[] {1, 1}, "valid");
        assertArrayEquals(new float[] {2, 3, 50, 70}, y.v);
    }

    @Test
    void concatAndFlattenFollowChannelsLastOrder() {
        Nd a = new Nd(new int[] {1, 1, 2, 1}, new float[] {1, 2});
        Nd b = new Nd(new int[] {1, 1, 2, 2}, new float[] {3, 4, 5, 6});
        Nd y = concat(List.of(a, b), -1);
        assertArrayEquals(new int[] {1, 1, 2, 3}, y.shape);
        assertArrayEquals(new float[] {1, 3, 4, 2, 5, 6}, y.v);
    }

    @Test
    void softmaxIsOverTheLastAxis() {
        Nd y = act(new Nd(new int[] {1, 2}, new float[] {0, (float) Math.log(3)}), "softmax");
        assertArrayEquals(new float[] {0.25f, 0.75f}, y.v, 1e-7f);
    }

    static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }
}
