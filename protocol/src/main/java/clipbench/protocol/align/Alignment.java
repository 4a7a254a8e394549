package clipbench.protocol.align;

/**
 * What {@link Aligner} returns.
 *
 * @param projections the trained projections and temperature
 * @param losses      the batch loss of every step, before that step's update
 * @param finalLoss   the loss of the trained projections over every pair once, in batches of the training batch size
 *                    (a seeded order), the mean weighted by batch rows; chance is about ln(batch size)
 * @param settings    how it was trained
 * @param pairs       pairs trained on
 */
public record Alignment(AlignedProjections projections, double[] losses, double finalLoss, AlignSettings settings,
                        int pairs) {
}
