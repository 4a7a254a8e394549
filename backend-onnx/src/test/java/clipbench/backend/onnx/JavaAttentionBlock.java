package clipbench.backend.onnx;

import clipbench.checkpoint.Checkpoint;
import clipbench.checkpoint.ClipArchitecture.Activation;

/** OpenAI's ResidualAttentionBlock in plain Java (double), one sequence {@code x [tokens, width]}, no mask. */
final class JavaAttentionBlock {
    private JavaAttentionBlock() {
    }

    static float[] forward(Checkpoint w, float[] x, int tokens, int width, int heads, Activation act) {
        double[][] h = new double[tokens][];
        double[][] in = new double[tokens][width];
        for (int t = 0; t < tokens; t++) {
            for (int c = 0; c < width; c++) {
                in[t][c] = x[t * width + c];
            }
        }
        for (int t = 0; t < tokens; t++) {
            h[t] = linear(w, "attn.in_proj_weight", "attn.in_proj_bias", layerNorm(w, "ln_1.", in[t]));
        }
        int d = width / heads;
        double[][] a = new double[tokens][width];
        for (int head = 0; head < heads; head++) {
            for (int q = 0; q < tokens; q++) {
                double[] s = new double[tokens];
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < tokens; k++) {
                    for (int j = 0; j < d; j++) {
                        s[k] += h[q][head * d + j] / Math.sqrt(d) * h[k][width + head * d + j];
                    }
                    max = Math.max(max, s[k]);
                }
                double sum = 0;
                for (int k = 0; k < tokens; k++) {
                    s[k] = Math.exp(s[k] - max);
                    sum += s[k];
                }
                for (int k = 0; k < tokens; k++) {
                    for (int j = 0; j < d; j++) {
                        a[q][head * d + j] += s[k] / sum * h[k][2 * width + head * d + j];
                    }
                }
            }
        }
        float[] out = new float[tokens * width];
        for (int t = 0; t < tokens; t++) {
            double[] r = add(in[t], linear(w, "attn.out_proj.weight", "attn.out_proj.bias", a[t]));
            double[] m = linear(w, "mlp.c_fc.weight", "mlp.c_fc.bias", layerNorm(w, "ln_2.", r));
            for (int j = 0; j < m.length; j++) {
                m[j] = act == Activation.GELU ? m[j] * 0.5 * (1 + erf(m[j] / Math.sqrt(2)))
                        : m[j] / (1 + Math.exp(-1.702 * m[j]));
            }
            double[] y = add(r, linear(w, "mlp.c_proj.weight", "mlp.c_proj.bias", m));
            for (int c = 0; c < width; c++) {
                out[t * width + c] = (float) y[c];
            }
        }
        return out;
    }

    /** {@code W x + b}, W being PyTorch's {@code [out, in]}. */
    private static double[] linear(Checkpoint w, String weightName, String biasName, double[] x) {
        float[] weight = w.floats(weightName);
        float[] bias = w.floats(biasName);
        double[] y = new double[bias.length];
        for (int o = 0; o < y.length; o++) {
            y[o] = bias[o];
            for (int i = 0; i < x.length; i++) {
                y[o] += weight[o * x.length + i] * x[i];
            }
        }
        return y;
    }

    private static double[] layerNorm(Checkpoint w, String prefix, double[] x) {
        double mean = 0;
        double var = 0;
        for (double v : x) {
            mean += v / x.length;
        }
        for (double v : x) {
            var += (v - mean) * (v - mean) / x.length;
        }
        float[] g = w.floats(prefix + "weight");
        float[] b = w.floats(prefix + "bias");
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (x[i] - mean) / Math.sqrt(var + 1e-5) * g[i] + b[i];
        }
        return y;
    }

    private static double[] add(double[] a, double[] b) {
        double[] y = a.clone();
        for (int i = 0; i < y.length; i++) {
            y[i] += b[i];
        }
        return y;
    }

    /** erf to ~1e-12 by its Maclaurin series (|x| small) or the continued-fraction complement. */
    private static double erf(double x) {
        if (Math.abs(x) > 3) {
            return Math.signum(x) * (1 - erfcLarge(Math.abs(x)));
        }
        double sum = 0;
        double term = x;
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    private static double erfcLarge(double x) {
        double f = 0;
        for (int k = 60; k >= 1; k--) {
            f = k / 2.0 / (x + f);
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + f);
    }
}
