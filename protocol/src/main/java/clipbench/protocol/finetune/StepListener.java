package clipbench.protocol.finetune;

/**
 * Sees each optimiser step of a {@link FineTuner} as it happens: the batch's loss before the update. For
 * progress and for comparing runtimes step by step; it cannot change the training.
 */
@FunctionalInterface
public interface StepListener {
    /** Listens to nothing. */
    StepListener NONE = (epoch, step, loss) -> { };

    /**
     * @param epoch the epoch, from 1
     * @param step  the optimiser step over the whole training, from 0
     * @param loss  the batch's mean cross-entropy at the values before this step
     */
    void stepped(int epoch, long step, double loss);
}
