package clipbench.api.spi;

/** Builds classification heads over frozen embeddings (zero-shot, LITE, PRO). */
public interface HeadProvider extends Plugin {
    /** True when the head needs class text embeddings (so a backbone without a text tower skips it). */
    boolean needsText();

    /** True when the head learns from labelled training embeddings (k-shot). */
    boolean trainable();

    Head fit(HeadInputs inputs);

    /**
     * Every setting that decides this head's numbers, fixed constants included (optimiser, tolerances,
     * grids), for the run's provenance: a result can be rerun from it, and a resume under other settings
     * is refused. Values are numbers, text, lists or maps of them.
     */
    default java.util.Map<String, Object> settings() {
        return java.util.Map.of();
    }
}
