package clipbench.api.spi;

/**
 * Everything a head may learn from. Embeddings are L2-normalised rows. Validation rows come from the
 * training split (never the test split) and are used only for model selection (L2 sweep, early stopping).
 *
 * @param numClasses          number of classes
 * @param classTextEmbeddings one normalised row per class (prompt ensemble), or null without a text tower
 * @param logitScale          the model's logit scale (CLIP: 100)
 * @param trainFeatures       training embeddings (empty for zero-shot)
 * @param trainLabels         their labels
 * @param valFeatures         held-out training-split embeddings for model selection (may be empty)
 * @param valLabels           their labels
 * @param seed                seed for anything random in training
 */
public record HeadInputs(int numClasses, float[][] classTextEmbeddings, double logitScale,
                         float[][] trainFeatures, int[] trainLabels, float[][] valFeatures, int[] valLabels,
                         long seed) {
    public HeadInputs {
        if (trainFeatures.length != trainLabels.length) {
            throw new IllegalArgumentException("head inputs: " + trainFeatures.length + " training features but "
                    + trainLabels.length + " labels");
        }
        if (valFeatures.length != valLabels.length) {
            throw new IllegalArgumentException("head inputs: " + valFeatures.length + " validation features but "
                    + valLabels.length + " labels");
        }
        if (classTextEmbeddings != null && classTextEmbeddings.length != numClasses) {
            throw new IllegalArgumentException("head inputs: " + classTextEmbeddings.length
                    + " class embeddings for " + numClasses + " classes");
        }
    }

    public static HeadInputs zeroShot(float[][] classTextEmbeddings, double logitScale) {
        return new HeadInputs(classTextEmbeddings.length, classTextEmbeddings, logitScale,
                new float[0][], new int[0], new float[0][], new int[0], 0L);
    }
}
