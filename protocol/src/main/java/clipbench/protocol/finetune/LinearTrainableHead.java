package clipbench.protocol.finetune;

import java.util.List;

/** LITE's head, {@code z = W n + b}: W is [classes][dim] row-major, b [classes]. */
final class LinearTrainableHead implements TrainableHead {
    private final int classes;
    private final int dim;
    private final float[] w;
    private final float[] b;

    /** Starts from {@code weights} [classes][dim] and {@code bias} [classes] (LITE's frozen-feature fit). */
    LinearTrainableHead(float[][] weights, float[] bias) {
        this.classes = weights.length;
        this.dim = weights[0].length;
        this.w = Tensors.flatten(weights);
        this.b = bias.clone();
    }

    @Override
    public List<float[]> initialValues() {
        return List.of(w.clone(), b.clone());
    }

    @Override
    public boolean[] decays() {
        return new boolean[] {true, false};
    }

    @Override
    public double[][] logits(List<float[]> values, float[][] n) {
        float[] wv = values.get(0);
        float[] bv = values.get(1);
        double[][] z = new double[n.length][classes];
        for (int i = 0; i < n.length; i++) {
            for (int c = 0; c < classes; c++) {
                double s = bv[c];
                int o = c * dim;
                for (int j = 0; j < dim; j++) {
                    s += (double) wv[o + j] * n[i][j];
                }
                z[i][c] = s;
            }
        }
        return z;
    }

    @Override
    public float[][] backward(List<float[]> values, float[][] n, double[][] dz, List<float[]> gradsOut) {
        float[] wv = values.get(0);
        double[] gw = new double[classes * dim];
        double[] gb = new double[classes];
        float[][] dn = new float[n.length][dim];
        for (int i = 0; i < n.length; i++) {
            double[] di = new double[dim];
            for (int c = 0; c < classes; c++) {
                double g = dz[i][c];
                gb[c] += g;
                int o = c * dim;
                for (int j = 0; j < dim; j++) {
                    gw[o + j] += g * n[i][j];
                    di[j] += g * wv[o + j];
                }
            }
            for (int j = 0; j < dim; j++) {
                dn[i][j] = (float) di[j];
            }
        }
        Tensors.store(gw, gradsOut.get(0));
        Tensors.store(gb, gradsOut.get(1));
        return dn;
    }
}
