package clipbench.backend.djl;

import clipbench.keras.contract.KerasLayerContractTest;
import clipbench.keras.contract.KerasRunner;

/** The Keras layer contract on {@link KerasNet} (libtorch). */
class KerasNetLayerContractTest extends KerasLayerContractTest {
    @Override
    protected KerasRunner runner() {
        return new KerasNetRunner();
    }
}
