package clipbench.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EvaluationTest {
    @Test
    void computesTop1Top5RecallAndConfusion() {
        // 3 classes; rows: correct, wrong (true 0 -> 2), correct, wrong (true 2 -> 1)
        float[][] logits = {{3, 1, 0}, {1, 0, 2}, {0, 5, 1}, {0, 2, 1}};
        int[] labels = {0, 0, 1, 2};
        Evaluation e = Evaluation.of(logits, labels, 3);
        assertArrayEquals(new int[] {0, 2, 1, 1}, e.predicted());
        assertEquals(0.5, e.top1(), 1e-12);
        assertEquals(1.0, e.top5(), 1e-12, "only 3 classes: every label is in the top 5");
        // recall: class0 1/2, class1 1/1, class2 0/1 -> mean 0.5
        assertEquals(0.5, e.meanPerClassRecall(), 1e-12);
        assertArrayEquals(new int[] {1, 0, 1}, e.confusion()[0]);
        assertArrayEquals(new int[] {0, 1, 0}, e.confusion()[2]);
    }

    @Test
    void top5CountsRankAmongManyClassesAndClassesAbsentFromLabelsDoNotCountInRecall() {
        float[] row = {9, 8, 7, 6, 5, 4, 3};
        Evaluation e = Evaluation.of(new float[][] {row, row}, new int[] {4, 5}, 7);
        assertEquals(0.0, e.top1());
        assertEquals(0.5, e.top5(), 1e-12, "class 4 is 5th, class 5 is 6th");
        assertEquals(0.0, e.meanPerClassRecall());
    }

    @Test
    void confidenceIsTheSoftmaxOfThePredictedClass() {
        Evaluation e = Evaluation.of(new float[][] {{0, (float) Math.log(3)}}, new int[] {1}, 2);
        assertEquals(0.75, e.confidence()[0], 1e-6);
    }
}
