package clipbench.protocol;

/** One test image's prediction, written to predictions.csv. */
public record Prediction(String image, String trueClass, String predictedClass, float score) {
}
