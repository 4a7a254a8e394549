package clipbench.protocol;

import java.util.List;

/**
 * The training-split items one k-shot experiment may use: {@code train} to fit, {@code validation}
 * (disjoint from it, also from the training split) for model selection. The test split is never drawn.
 *
 * @param k    shots per class, or {@link #ALL}
 * @param seed the sampling seed
 */
public record Shots(int k, long seed, List<String> train, List<String> validation) {
    /** k meaning "every training image". */
    public static final int ALL = -1;

    public Shots {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
    }

    public static String label(int k) {
        return k == ALL ? "all" : Integer.toString(k);
    }
}
