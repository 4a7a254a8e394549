package clipbench.cli;

/**
 * {@code clipbench align}'s defaults, chosen so that the Google emoji set (about 1,900 images, 3,900 pairs) with
 * nsfwjs MobileNetV2 (1280-d) and all-MiniLM-L6-v2 (384-d) trains in under two minutes on two cores.
 */
final class AlignDefaults {
    static final int DIM = 256;
    static final int BATCH = 256;
    static final int STEPS = 500;
    static final String LR = "1e-3";
    static final String WEIGHT_DECAY = "0.1";

    private AlignDefaults() {
    }
}
