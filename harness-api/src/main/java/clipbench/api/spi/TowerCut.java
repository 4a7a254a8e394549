package clipbench.api.spi;

import java.util.List;

/**
 * An image tower cut in two: a frozen bottom that runs once per image ({@link #frozen}), and a trainable top
 * from the cut's activations to the embedding. The runtime only computes; parameter values are plain float
 * arrays the caller owns and updates, so the optimiser, the heads and the loss are one runtime-neutral
 * implementation (the protocol) and every runtime trains with the same arithmetic.
 *
 * <p>Layers in the top run as at inference: dropout off, BatchNormalization with its running statistics
 * (its scale and offset train). Calls are not thread-safe.
 */
public interface TowerCut extends AutoCloseable {
    /** Where the tower is cut: the last frozen block's or layer's name, or {@code input} when nothing is frozen. */
    String cutName();

    /** Floats per image at the cut. */
    int activationLength();

    /** The frozen bottom on preprocessed images: one row of {@link #activationLength()} floats per image. */
    float[][] frozen(ImageBatch batch);

    /** The top's parameters with their pretrained values (copies), in a fixed order. */
    List<TrainableParameter> parameters();

    /**
     * The top on activations with the given parameter values (same order and lengths as {@link #parameters()}):
     * embeddings as the backbone returns them (not normalised).
     */
    float[][] forward(float[][] activations, List<float[]> values);

    /**
     * The vector-Jacobian product of the top: for each parameter, the gradient of
     * {@code sum(upstream ⊙ forward(activations, values))}, where {@code upstream} has the embeddings' shape.
     */
    List<float[]> backward(float[][] activations, List<float[]> values, float[][] upstream);

    @Override
    void close();
}
