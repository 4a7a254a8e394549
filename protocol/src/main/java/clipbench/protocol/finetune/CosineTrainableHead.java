package clipbench.protocol.finetune;

import java.util.List;

/**
 * PRO's head, {@code z_c = exp(t) * (V_c / ||V_c||) . n}: V [classes][dim] row-major starts at the class text
 * embeddings and t at ln(logit scale), as {@code ProHeadProvider} starts, so before any step it is zero-shot.
 */
final class CosineTrainableHead implements TrainableHead {
    private final int classes;
    private final int dim;
    private final float[] v;
    private final float t;

    CosineTrainableHead(float[][] classText, double logitScale) {
        this.classes = classText.length;
        this.dim = classText[0].length;
        this.v = Tensors.flatten(classText);
        this.t = (float) Math.log(logitScale);
    }

    @Override
    public List<float[]> initialValues() {
        return List.of(v.clone(), new float[] {t});
    }

    @Override
    public boolean[] decays() {
        return new boolean[] {true, false};
    }

    /** The unit class vectors u_c = V_c / ||V_c|| in double, and their norms in {@code norms}. */
    private double[][] units(float[] vv, double[] norms) {
        double[][] u = new double[classes][dim];
        for (int c = 0; c < classes; c++) {
            double sum = 0;
            for (int j = 0; j < dim; j++) {
                sum += (double) vv[c * dim + j] * vv[c * dim + j];
            }
            double norm = Math.max(Math.sqrt(sum), 1e-12);
            norms[c] = norm;
            for (int j = 0; j < dim; j++) {
                u[c][j] = vv[c * dim + j] / norm;
            }
        }
        return u;
    }

    @Override
    public double[][] logits(List<float[]> values, float[][] n) {
        double[][] u = units(values.get(0), new double[classes]);
        double s = Math.exp(values.get(1)[0]);
        double[][] z = new double[n.length][classes];
        for (int i = 0; i < n.length; i++) {
            for (int c = 0; c < classes; c++) {
                double d = 0;
                for (int j = 0; j < dim; j++) {
                    d += u[c][j] * n[i][j];
                }
                z[i][c] = s * d;
            }
        }
        return z;
    }

    @Override
    public float[][] backward(List<float[]> values, float[][] n, double[][] dz, List<float[]> gradsOut) {
        double[] norms = new double[classes];
        double[][] u = units(values.get(0), norms);
        double s = Math.exp(values.get(1)[0]);
        double[][] gu = new double[classes][dim]; // d/du_c = s * sum_i dz_ic n_i
        double gt = 0; // d/dt = sum_ic dz_ic z_ic
        float[][] dn = new float[n.length][dim];
        for (int i = 0; i < n.length; i++) {
            double[] di = new double[dim];
            for (int c = 0; c < classes; c++) {
                double g = dz[i][c];
                double d = 0;
                for (int j = 0; j < dim; j++) {
                    d += u[c][j] * n[i][j];
                    gu[c][j] += s * g * n[i][j];
                    di[j] += s * g * u[c][j];
                }
                gt += g * s * d;
            }
            for (int j = 0; j < dim; j++) {
                dn[i][j] = (float) di[j];
            }
        }
        // Through u_c = V_c / ||V_c||: dV_c = (g_c - u_c (u_c . g_c)) / ||V_c||.
        double[] gv = new double[classes * dim];
        for (int c = 0; c < classes; c++) {
            double along = 0;
            for (int j = 0; j < dim; j++) {
                along += u[c][j] * gu[c][j];
            }
            for (int j = 0; j < dim; j++) {
                gv[c * dim + j] = (gu[c][j] - u[c][j] * along) / norms[c];
            }
        }
        Tensors.store(gv, gradsOut.get(0));
        gradsOut.get(1)[0] = (float) gt;
        return dn;
    }
}
