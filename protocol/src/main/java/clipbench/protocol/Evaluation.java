package clipbench.protocol;

/**
 * Metrics of one set of predictions.
 *
 * @param predicted           arg-max class per row
 * @param confidence          softmax probability of the predicted class per row
 * @param confusion           confusion[true][predicted] counts
 * @param top1                fraction of rows whose arg-max is the true class
 * @param top5                fraction whose true class is among the 5 highest logits
 * @param meanPerClassRecall  recall averaged over the classes present in the labels
 */
public record Evaluation(int[] predicted, float[] confidence, int[][] confusion, double top1, double top5,
                         double meanPerClassRecall) {

    public static Evaluation of(float[][] logits, int[] labels, int numClasses) {
        if (logits.length != labels.length) {
            throw new IllegalArgumentException(logits.length + " logit rows but " + labels.length + " labels");
        }
        int n = labels.length;
        int[] predicted = new int[n];
        float[] confidence = new float[n];
        int[][] confusion = new int[numClasses][numClasses];
        int correct = 0;
        int inTop5 = 0;
        for (int i = 0; i < n; i++) {
            float[] row = logits[i];
            int best = argMax(row);
            predicted[i] = best;
            confidence[i] = softmaxAt(row, best);
            confusion[labels[i]][best]++;
            correct += best == labels[i] ? 1 : 0;
            inTop5 += rank(row, labels[i]) < 5 ? 1 : 0;
        }
        double recallSum = 0;
        int present = 0;
        for (int c = 0; c < numClasses; c++) {
            int total = 0;
            for (int v : confusion[c]) {
                total += v;
            }
            if (total > 0) {
                recallSum += (double) confusion[c][c] / total;
                present++;
            }
        }
        return new Evaluation(predicted, confidence, confusion, n == 0 ? 0 : (double) correct / n,
                n == 0 ? 0 : (double) inTop5 / n, present == 0 ? 0 : recallSum / present);
    }

    /** Index of the largest value; ties go to the lower index. */
    static int argMax(float[] row) {
        int best = 0;
        for (int j = 1; j < row.length; j++) {
            if (row[j] > row[best]) {
                best = j;
            }
        }
        return best;
    }

    /** How many classes score strictly higher than {@code c} (0 = top-1). */
    static int rank(float[] row, int c) {
        int higher = 0;
        for (float v : row) {
            if (v > row[c]) {
                higher++;
            }
        }
        return higher;
    }

    static float softmaxAt(float[] row, int c) {
        double max = row[argMax(row)];
        double sum = 0;
        for (float v : row) {
            sum += Math.exp(v - max);
        }
        return (float) (Math.exp(row[c] - max) / sum);
    }
}
