package clipbench.protocol.finetune;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a fine-tuning row trains: AdamW with a cosine learning-rate decay, mini-batches, early stopping on
 * validation accuracy.
 *
 * <p><b>Defaults and why.</b> Backbone learning rate 1e-4 and head 1e-3: the pretrained blocks should move
 * little (CLIP fine-tuning recipes use 1e-5..1e-4 for the tower), the head may move more (PRO's Adam uses 1e-3).
 * Weight decay 0.01 (PyTorch's AdamW default) on matrices and kernels only. Batch 32 (a k-shot training set of a
 * few hundred rows still gets several steps per epoch). 10 epochs with a cosine decay to 0 over all steps and no
 * warm-up: the heads start trained (LITE from its linear probe, PRO from the zero-shot classifier), so there are
 * no random weights whose early gradients a warm-up would tame. Patience 3 epochs: a row stops once validation
 * accuracy has not improved for 3 epochs; the best epoch's weights are kept.
 *
 * @param backboneLearningRate peak learning rate of the tower's trained blocks
 * @param headLearningRate     peak learning rate of the head
 * @param weightDecay          decoupled weight decay (AdamW) of matrices, kernels and the head's weight matrix
 * @param epochs               most epochs
 * @param batchSize            training rows per step (the last batch of an epoch may be smaller)
 * @param patience             epochs without a better validation score before training stops
 */
public record FineTuneSettings(double backboneLearningRate, double headLearningRate, double weightDecay,
                               double beta1, double beta2, double eps, int epochs, int batchSize, int patience) {
    public static final FineTuneSettings DEFAULTS = new FineTuneSettings(1e-4, 1e-3, 0.01, 0.9, 0.999, 1e-8, 10, 32, 3);

    public FineTuneSettings {
        positive("backbone_lr", backboneLearningRate);
        positive("head_lr", headLearningRate);
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("finetune weight_decay: must be >= 0, got " + weightDecay);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("finetune betas: must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        positive("eps", eps);
        positive("epochs", epochs);
        positive("batch_size", batchSize);
        positive("patience", patience);
    }

    private static void positive(String name, double v) {
        if (!(v > 0)) {
            throw new IllegalArgumentException("finetune " + name + ": must be positive, got " + v);
        }
    }

    /** The cosine decay: the factor of the peak learning rate at {@code step} (0-based) of {@code total}. */
    public static double cosineFactor(long step, long total) {
        return 0.5 * (1 + Math.cos(Math.PI * step / total));
    }

    /** Every setting, for the run's provenance. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("optimiser", "AdamW (decoupled weight decay, bias-corrected moments)");
        m.put("backbone_lr", backboneLearningRate);
        m.put("head_lr", headLearningRate);
        m.put("weight_decay", weightDecay);
        m.put("weight_decay_on", "tensors of 2+ dimensions and the head's weight matrix; not biases, norms, scale");
        m.put("beta1", beta1);
        m.put("beta2", beta2);
        m.put("eps", eps);
        m.put("schedule", "cosine decay from the peak to 0 over epochs * steps per epoch, no warm-up");
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("patience_epochs", patience);
        m.put("objective", "mean softmax cross-entropy of the head on the L2-normalised embedding");
        m.put("selection", "best validation accuracy, ties to lower validation cross-entropy, epoch 0 = before"
                + " training; without validation rows the last epoch");
        m.put("lite_start", "the frozen-feature LITE fit (linear probe), then fine-tuned");
        m.put("pro_start", "class text embeddings, scale ln(logit_scale), as the pro head");
        m.put("shuffle", "seeded per epoch (SplittableRandom)");
        return m;
    }
}
