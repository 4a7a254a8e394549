package clipbench.protocol.align;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How {@link Aligner} trains the two projections and the temperature.
 *
 * <p>Optimiser constants are CLIP's (Radford et al. 2021, appendix F): AdamW with β1 0.9, β2 0.98, ε 1e-6, decay on
 * the projection matrices only (not the temperature), a cosine decay of the learning rate to 0 over all steps. No
 * warm-up: the projections are linear maps from a scaled Gaussian start, and Adam's first steps move each weight by
 * at most about the learning rate.
 *
 * @param dim          width of the shared embedding the projections map to
 * @param batchSize    pairs per step (more pairs than exist: every pair, each step); CLIP's negatives are the batch
 * @param steps        optimiser steps
 * @param learningRate peak learning rate
 * @param weightDecay  decoupled weight decay of the two projections
 * @param seed         initialisation and shuffling
 */
public record AlignSettings(int dim, int batchSize, int steps, double learningRate, double weightDecay, long seed) {
    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.98;
    public static final double EPS = 1e-6;

    public AlignSettings {
        positive("dim", dim);
        if (batchSize < 2) {
            throw new IllegalArgumentException("align batch_size: needs at least 2 pairs (a negative), got "
                    + batchSize);
        }
        positive("steps", steps);
        positive("lr", learningRate);
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("align weight_decay: must be >= 0, got " + weightDecay);
        }
    }

    private static void positive(String name, double v) {
        if (!(v > 0)) {
            throw new IllegalArgumentException("align " + name + ": must be positive, got " + v);
        }
    }

    /** Every setting, for the aligned model's provenance. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("objective", "CLIP symmetric contrastive loss, logit scale min(e^t, 100); a row's target uniform"
                + " over the batch's captions of its image");
        m.put("dim", dim);
        m.put("batch_size", batchSize);
        m.put("steps", steps);
        m.put("optimiser", "AdamW (decoupled weight decay, bias-corrected moments)");
        m.put("lr", learningRate);
        m.put("weight_decay", weightDecay);
        m.put("weight_decay_on", "the two projections; not the temperature");
        m.put("beta1", BETA1);
        m.put("beta2", BETA2);
        m.put("eps", EPS);
        m.put("schedule", "cosine decay from the peak to 0 over the steps, no warm-up");
        m.put("init", "projections N(0, 1/width) (CLIP's width^-0.5 scale), t = ln(1/0.07); t clamped to"
                + " [0, ln 100] after each step");
        m.put("shuffle", "pairs reshuffled (SplittableRandom) whenever fewer than a batch remain");
        m.put("seed", seed);
        return m;
    }
}
