package clipbench.protocol.finetune;

/**
 * One line of {@code training.csv}. Epoch 0 is before any step (train loss over every training row); later
 * epochs report the mean loss of their steps (weighted by rows), as the weights moved during the epoch.
 *
 * @param valAccuracy NaN without validation rows
 * @param valLoss     NaN without validation rows
 */
public record EpochRecord(int epoch, double trainLoss, double valAccuracy, double valLoss) {
}
