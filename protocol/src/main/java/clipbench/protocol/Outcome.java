package clipbench.protocol;

import java.util.List;

/**
 * Everything one evaluated head produced, handed to the run's sink.
 *
 * @param row         the metrics row
 * @param predictions one per test image (empty for a skipped head)
 * @param confusion   confusion[true][predicted] (null for a skipped head)
 * @param classNames  class names as the dataset spells them, indexing {@code confusion}
 */
public record Outcome(ResultRow row, List<Prediction> predictions, int[][] confusion, List<String> classNames) {
}
