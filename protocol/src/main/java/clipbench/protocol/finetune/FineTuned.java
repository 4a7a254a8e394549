package clipbench.protocol.finetune;

import clipbench.api.spi.TowerCut;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A trained top and head: the best epoch's values. Computes test logits from activations at the same cut.
 *
 * @param trainableParameters floats that trained (the top's and the head's)
 * @param history             epoch 0 and every epoch run
 * @param selected            for the row: {@code best_epoch}, {@code epochs}, {@code stop_rule}, {@code cut},
 *                            and the head's start ({@code start_l2} ... for LITE)
 */
public record FineTuned(TowerCut cut, TrainableHead head, List<float[]> topValues, List<float[]> headValues,
                        long trainableParameters, List<EpochRecord> history, Map<String, String> selected) {
    /** Logits (float, for {@code Evaluation}) of each image's activations, in batches of {@code batchSize}. */
    public float[][] logits(float[][] activations, int batchSize) {
        float[][] out = new float[activations.length][];
        for (int from = 0; from < activations.length; from += batchSize) {
            int to = Math.min(activations.length, from + batchSize);
            float[][] part = Arrays.copyOfRange(activations, from, to);
            double[][] z = FineTuner.logits(cut, head, topValues, headValues, part);
            for (int i = 0; i < z.length; i++) {
                out[from + i] = new float[z[i].length];
                for (int c = 0; c < z[i].length; c++) {
                    out[from + i][c] = (float) z[i][c];
                }
            }
        }
        return out;
    }
}
