package clipbench.backend.tensorflow;

import clipbench.keras.contract.KerasLayerContractTest;
import clipbench.keras.contract.KerasRunner;
import java.util.Set;

/** The Keras layer contract on {@link KerasGraph} (TF ops). Grouped convolutions are refused. */
class KerasGraphLayerContractTest extends KerasLayerContractTest {
    @Override
    protected KerasRunner runner() {
        return new KerasGraphRunner();
    }

    @Override
    protected Set<Feature> unsupported() {
        return Set.of(Feature.CONV_GROUPS);
    }
}
