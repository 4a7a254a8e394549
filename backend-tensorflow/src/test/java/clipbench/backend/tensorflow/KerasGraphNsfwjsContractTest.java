package clipbench.backend.tensorflow;

import clipbench.keras.contract.KerasRunner;
import clipbench.keras.contract.NsfwjsContractTest;

/** The real nsfwjs models built as {@link KerasGraph} (TF ops), against nsfwjs. */
class KerasGraphNsfwjsContractTest extends NsfwjsContractTest {
    @Override
    protected KerasRunner runner() {
        return new KerasGraphRunner();
    }
}
