package clipbench.protocol.finetune;

import java.util.List;

/**
 * AdamW (Loshchilov and Hutter; PyTorch's {@code torch.optim.AdamW} arithmetic) over float tensors the caller
 * owns: {@code p -= lr * wd * p} (decoupled decay, only for tensors that decay), then the bias-corrected Adam
 * step {@code p -= lr * m_hat / (sqrt(v_hat) + eps)}. Moments are kept in float, as PyTorch keeps them for float
 * parameters; each update is computed in double and rounded once. Sequential, so a run is byte-reproducible.
 * Fine-tuning and {@code clipbench.protocol.align} (the contrastive projections) both train with it.
 */
public final class AdamW {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final double[] learningRates;
    private final boolean[] decays;
    private final float[][] m;
    private final float[][] v;
    private long steps;

    /**
     * @param lengths       floats of each tensor
     * @param learningRates peak learning rate of each tensor
     * @param decays        whether each tensor is decayed
     */
    AdamW(int[] lengths, double[] learningRates, boolean[] decays, FineTuneSettings s) {
        this(lengths, learningRates, decays, s.beta1(), s.beta2(), s.eps(), s.weightDecay());
    }

    /**
     * @param lengths       floats of each tensor
     * @param learningRates peak learning rate of each tensor
     * @param decays        whether each tensor is decayed (by {@code weightDecay})
     */
    public AdamW(int[] lengths, double[] learningRates, boolean[] decays, double beta1, double beta2, double eps,
                 double weightDecay) {
        if (learningRates.length != lengths.length || decays.length != lengths.length) {
            throw new IllegalArgumentException(lengths.length + " tensors, got " + learningRates.length
                    + " learning rates and " + decays.length + " decay flags");
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.learningRates = learningRates.clone();
        this.decays = decays.clone();
        this.m = new float[lengths.length][];
        this.v = new float[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            m[i] = new float[lengths[i]];
            v[i] = new float[lengths[i]];
        }
    }

    /** One step on every tensor with its gradient, each learning rate scaled by {@code lrFactor} (the schedule). */
    public void step(List<float[]> params, List<float[]> grads, double lrFactor) {
        if (params.size() != m.length || grads.size() != m.length) {
            throw new IllegalArgumentException(m.length + " tensors, got " + params.size() + " values and "
                    + grads.size() + " gradients");
        }
        steps++;
        double c1 = 1 - Math.pow(beta1, steps);
        double c2 = 1 - Math.pow(beta2, steps);
        for (int t = 0; t < m.length; t++) {
            float[] p = params.get(t);
            float[] g = grads.get(t);
            if (p.length != m[t].length || g.length != m[t].length) {
                throw new IllegalArgumentException("tensor " + t + ": " + m[t].length + " floats, got "
                        + p.length + " values and " + g.length + " gradients");
            }
            double lr = learningRates[t] * lrFactor;
            double keep = decays[t] ? 1 - lr * weightDecay : 1;
            float[] mt = m[t];
            float[] vt = v[t];
            for (int j = 0; j < p.length; j++) {
                double gj = g[j];
                mt[j] = (float) (beta1 * mt[j] + (1 - beta1) * gj);
                vt[j] = (float) (beta2 * vt[j] + (1 - beta2) * gj * gj);
                double update = (mt[j] / c1) / (Math.sqrt(vt[j] / c2) + eps);
                p[j] = (float) (p[j] * keep - lr * update);
            }
        }
    }

    public long steps() {
        return steps;
    }
}
