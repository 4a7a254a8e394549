package clipbench.api.spi;

/** Builds classification heads over frozen embeddings (zero-shot, LITE, PRO). */
public interface HeadProvider extends Plugin {
    /** True when the head needs class text embeddings (so a backbone without a text tower skips it). */
    boolean needsText();

    /** True when the head learns from labelled training embeddings (k-shot). */
    boolean trainable();

    Head fit(HeadInputs inputs);
}
