package clipbench.api.spi;

/**
 * Everything a head may learn from. Embeddings are L2-normalised rows.
 *
 * @param numClasses          number of classes
 * @param classTextEmbeddings one normalised row per class (prompt ensemble), or null without a text tower
 * @param logitScale          the model's logit scale (CLIP: 100)
 * @param trainFeatures       training embeddings (empty for zero-shot)
 * @param trainLabels         their labels
 * @param seed                seed for anything random in training
 */
public record HeadInputs(int numClasses, float[][] classTextEmbeddings, double logitScale,
                         float[][] trainFeatures, int[] trainLabels, long seed) {
    public HeadInputs {
        if (trainFeatures.length != trainLabels.length) {
            throw new IllegalArgumentException("head inputs: " + trainFeatures.length + " features but "
                    + trainLabels.length + " labels");
        }
        if (classTextEmbeddings != null && classTextEmbeddings.length != numClasses) {
            throw new IllegalArgumentException("head inputs: " + classTextEmbeddings.length
                    + " class embeddings for " + numClasses + " classes");
        }
    }

    public static HeadInputs zeroShot(float[][] classTextEmbeddings, double logitScale) {
        return new HeadInputs(classTextEmbeddings.length, classTextEmbeddings, logitScale,
                new float[0][], new int[0], 0L);
    }
}
