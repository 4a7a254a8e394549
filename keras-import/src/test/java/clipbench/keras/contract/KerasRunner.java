package clipbench.keras.contract;

import clipbench.keras.KerasModel;
import java.util.ArrayList;
import java.util.List;

/**
 * One runtime's way of running a {@link KerasModel}: what the contract suites compare with {@link KerasReference}.
 * Output in Keras's layout (NHWC feature maps, {@code [N, D]} vectors), or flattened per image {@code [N, values]}.
 */
@FunctionalInterface
public interface KerasRunner {
    /** The model's output for an NHWC batch. */
    Nd run(KerasModel model, Nd nhwc) throws Exception;

    /** The outputs of several layers (each cut and run alone, unless a runtime can do better). */
    default List<Nd> run(KerasModel model, Nd nhwc, List<String> layers) throws Exception {
        List<Nd> out = new ArrayList<>();
        for (String layer : layers) {
            out.add(run(model.cutAt(layer), nhwc));
        }
        return out;
    }
}
