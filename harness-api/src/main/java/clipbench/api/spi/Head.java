package clipbench.api.spi;

/** A fitted classifier over embeddings. Knows nothing of images. */
public interface Head {
    /** Class scores (logits) for each normalised embedding row. */
    float[][] logits(float[][] embeddings);

    /** Number of parameters that training changed (0 for zero-shot). */
    long trainableParameters();

    /** Hyper-parameters the head chose while fitting (e.g. the L2 strength), for provenance. */
    default java.util.Map<String, String> selected() {
        return java.util.Map.of();
    }
}
