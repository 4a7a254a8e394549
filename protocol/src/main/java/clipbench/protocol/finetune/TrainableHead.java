package clipbench.protocol.finetune;

import java.util.List;

/**
 * A classification head on L2-normalised embeddings whose parameter values the trainer owns (like a
 * {@link clipbench.api.spi.TowerCut}'s): it computes logits and their vector-Jacobian product, nothing else.
 */
public interface TrainableHead {
    /** The parameter values to start from (fresh copies), in a fixed order. */
    List<float[]> initialValues();

    /** Per tensor: whether AdamW decays it (the weight matrix, not the bias or the scale). */
    boolean[] decays();

    /** Logits of each normalised row, in double. */
    double[][] logits(List<float[]> values, float[][] normalized);

    /**
     * The gradient of {@code sum(upstream ⊙ logits(values, normalized))}: into {@code gradsOut} (one zeroed
     * array per tensor, same order), and with respect to the normalised rows (returned).
     */
    float[][] backward(List<float[]> values, float[][] normalized, double[][] upstream, List<float[]> gradsOut);
}
