package clipbench.protocol.finetune;

/**
 * What a fine-tuning row learns from: activations at the cut ({@link clipbench.api.spi.TowerCut#frozen}, computed
 * once per image), the same k-shot and validation rows as the head rows.
 *
 * @param classText  one normalised class text embedding per class (PRO), or null without a text tower
 * @param logitScale the model's logit scale (PRO's start)
 */
public record FineTuneInputs(int numClasses, float[][] classText, double logitScale, float[][] trainActivations,
                             int[] trainLabels, float[][] valActivations, int[] valLabels, long seed) {
    public FineTuneInputs {
        if (trainActivations.length != trainLabels.length || valActivations.length != valLabels.length) {
            throw new IllegalArgumentException("fine-tune inputs: " + trainActivations.length + " training rows with "
                    + trainLabels.length + " labels, " + valActivations.length + " validation rows with "
                    + valLabels.length + " labels");
        }
        if (trainActivations.length == 0) {
            throw new IllegalArgumentException("fine-tune needs labelled training rows");
        }
        for (int[] labels : new int[][] {trainLabels, valLabels}) {
            for (int y : labels) {
                if (y < 0 || y >= numClasses) {
                    throw new IllegalArgumentException("fine-tune inputs: label " + y + " outside 0.." + (numClasses - 1));
                }
            }
        }
    }
}
