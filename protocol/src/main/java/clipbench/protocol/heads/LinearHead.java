package clipbench.protocol.heads;

import clipbench.api.spi.Head;
import java.util.Map;

/** A fitted linear head: logits = W x + b, computed with the blocked kernel. */
public final class LinearHead implements Head {
    private final float[][] weights;
    private final float[] bias;
    private final long parameters;
    private final Map<String, String> selected;

    /**
     * @param weights    [classes][dim]
     * @param bias       [classes], or null for none
     * @param parameters what {@link #trainableParameters()} reports
     * @param selected   what {@link #selected()} reports
     */
    LinearHead(float[][] weights, float[] bias, long parameters, Map<String, String> selected) {
        this.weights = weights;
        this.bias = bias;
        this.parameters = parameters;
        this.selected = Map.copyOf(selected);
    }

    @Override
    public float[][] logits(float[][] embeddings) {
        int classes = weights.length;
        if (embeddings.length == 0) {
            return new float[0][classes];
        }
        FeatureBlocks blocks = new FeatureBlocks(embeddings, null, null);
        if (blocks.dim != weights[0].length) {
            throw new IllegalArgumentException("embeddings have " + blocks.dim + " values, the head expects "
                    + weights[0].length);
        }
        return new SoftmaxKernel(classes, blocks.dim).logits(blocks, weights, bias, embeddings.length);
    }

    @Override
    public long trainableParameters() {
        return parameters;
    }

    @Override
    public Map<String, String> selected() {
        return selected;
    }

    /** A copy of the weights [classes][dim] (fine-tuning starts from LITE's fit). */
    public float[][] weightsCopy() {
        float[][] out = new float[weights.length][];
        for (int c = 0; c < weights.length; c++) {
            out[c] = weights[c].clone();
        }
        return out;
    }

    /** A copy of the bias [classes], or null for none. */
    public float[] biasCopy() {
        return bias == null ? null : bias.clone();
    }

    /** The weights (not a copy), for tests. */
    float[][] weights() {
        return weights;
    }

    /** The bias (not a copy; null for none), for tests. */
    float[] bias() {
        return bias;
    }
}
