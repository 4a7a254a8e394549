package clipbench.protocol;

import java.util.List;

/**
 * Everything one evaluated head produced, handed to the run's sink.
 *
 * @param row         the metrics row
 * @param predictions one per test image (empty for a skipped head)
 * @param confusion   confusion[true][predicted] (null for a skipped head)
 * @param classNames  class names as the dataset spells them, indexing {@code confusion}
 * @param training    per-epoch loss and validation accuracy of a fine-tuning row (training.csv); empty otherwise
 */
public record Outcome(ResultRow row, List<Prediction> predictions, int[][] confusion, List<String> classNames,
                      List<clipbench.protocol.finetune.EpochRecord> training) {
    public Outcome {
        training = List.copyOf(training);
    }

    /** The outcome of a row that trained no backbone weight. */
    public Outcome(ResultRow row, List<Prediction> predictions, int[][] confusion, List<String> classNames) {
        this(row, predictions, confusion, classNames, List.of());
    }
}
