package clipbench.protocol.heads;

import clipbench.api.spi.HeadInputs;

/**
 * The rows a head trains on and the rows it validates on (LITE's sweep, PRO's early stopping), chosen the
 * same way for both: the given validation rows when there are any; else rows held out of the training rows
 * by {@link Splits#holdOut}; else none ({@link #valX()} null, training on every row).
 *
 * @param rule {@value #GIVEN}, {@value #HELD_OUT} or the head's own word for "no validation rows"
 */
record ValidationSplit(float[][] trainX, int[] trainY, float[][] valX, int[] valY, String rule) {
    static final String GIVEN = "validation";
    static final String HELD_OUT = "held-out";
    /** How rows are held out when no validation rows are given, as provenance states it. */
    static final String HOLD_OUT_RULE = "given validation rows; else max(1, floor(n_c / "
            + Splits.HOLD_OUT_DENOMINATOR + ")) seeded rows of each class with >= 2 training rows; else none";

    /** Splits {@code x}, {@code y} (the training rows of {@code in}); {@code noneRule} names the last case. */
    static ValidationSplit choose(HeadInputs in, float[][] x, int[] y, String noneRule) {
        if (in.valFeatures().length > 0) {
            return new ValidationSplit(x, y, in.valFeatures(), in.valLabels(), GIVEN);
        }
        int[][] split = Splits.holdOut(y, in.numClasses(), in.seed());
        if (split == null) {
            return new ValidationSplit(x, y, null, null, noneRule);
        }
        return new ValidationSplit(Splits.rows(x, split[0]), Splits.labels(y, split[0]),
                Splits.rows(x, split[1]), Splits.labels(y, split[1]), HELD_OUT);
    }

    boolean hasValidation() {
        return valX != null;
    }
}
