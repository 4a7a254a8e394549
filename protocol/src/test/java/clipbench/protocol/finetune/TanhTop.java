package clipbench.protocol.finetune;

import clipbench.api.spi.ImageBatch;
import clipbench.api.spi.TowerCut;
import clipbench.api.spi.TrainableParameter;
import java.util.List;
import java.util.Random;

/**
 * A test double of a runtime's cut: the top is e = W2 tanh(W1 a + b1), with its own exact backward, computed in
 * double. The frozen bottom takes the first {@code in} floats of each image and counts its calls.
 */
public final class TanhTop implements TowerCut {
    final int in;
    final int hidden;
    final int out;
    private final List<TrainableParameter> params;
    public int frozenCalls;
    int forwardCalls;

    public TanhTop(int in, int hidden, int out, long seed) {
        this.in = in;
        this.hidden = hidden;
        this.out = out;
        Random r = new Random(seed);
        this.params = List.of(
                new TrainableParameter("dense_1/kernel", new int[] {hidden, in}, gaussian(r, hidden * in, 0.7)),
                new TrainableParameter("dense_1/bias", new int[] {hidden}, gaussian(r, hidden, 0.2)),
                new TrainableParameter("dense_2/kernel", new int[] {out, hidden}, gaussian(r, out * hidden, 0.7)));
    }

    static float[] gaussian(Random r, int n, double sd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (sd * r.nextGaussian());
        }
        return v;
    }

    @Override
    public String cutName() {
        return "dense_0";
    }

    @Override
    public int activationLength() {
        return in;
    }

    @Override
    public float[][] frozen(ImageBatch batch) {
        frozenCalls++;
        float[][] rows = new float[batch.count()][in];
        int per = batch.data().length / batch.count();
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(batch.data(), i * per, rows[i], 0, in);
        }
        return rows;
    }

    @Override
    public List<TrainableParameter> parameters() {
        return params;
    }

    private double[][] hidden(float[][] a, List<float[]> v) {
        float[] w1 = v.get(0);
        float[] b1 = v.get(1);
        double[][] h = new double[a.length][hidden];
        for (int i = 0; i < a.length; i++) {
            for (int k = 0; k < hidden; k++) {
                double s = b1[k];
                for (int j = 0; j < in; j++) {
                    s += (double) w1[k * in + j] * a[i][j];
                }
                h[i][k] = Math.tanh(s);
            }
        }
        return h;
    }

    @Override
    public float[][] forward(float[][] a, List<float[]> v) {
        forwardCalls++;
        double[][] h = hidden(a, v);
        float[] w2 = v.get(2);
        float[][] e = new float[a.length][out];
        for (int i = 0; i < a.length; i++) {
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int k = 0; k < hidden; k++) {
                    s += (double) w2[o * hidden + k] * h[i][k];
                }
                e[i][o] = (float) s;
            }
        }
        return e;
    }

    @Override
    public List<float[]> backward(float[][] a, List<float[]> v, float[][] up) {
        double[][] h = hidden(a, v);
        float[] w2 = v.get(2);
        double[] g1 = new double[hidden * in];
        double[] gb = new double[hidden];
        double[] g2 = new double[out * hidden];
        for (int i = 0; i < a.length; i++) {
            for (int k = 0; k < hidden; k++) {
                double dh = 0;
                for (int o = 0; o < out; o++) {
                    g2[o * hidden + k] += up[i][o] * h[i][k];
                    dh += up[i][o] * w2[o * hidden + k];
                }
                double dpre = dh * (1 - h[i][k] * h[i][k]);
                gb[k] += dpre;
                for (int j = 0; j < in; j++) {
                    g1[k * in + j] += dpre * a[i][j];
                }
            }
        }
        return List.of(floats(g1), floats(gb), floats(g2));
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @Override
    public void close() {
    }
}
