package clipbench.api.spi;

/** Things a backbone may or may not do; the protocol asks instead of checking class types. */
public enum Capability {
    /** Can embed token ids: zero-shot and PRO need it. */
    TEXT_TOWER,
    /** Runs on a GPU in this session. */
    GPU,
    /** The image tower can be cut and its top trained ({@link Backbone#fineTunable()}). */
    FINE_TUNE,
    /**
     * Embeds texts given as strings with its own tokenizer ({@link Backbone#embedTexts}), not CLIP token ids
     * (API 1.3).
     */
    TEXT_STRINGS
}
