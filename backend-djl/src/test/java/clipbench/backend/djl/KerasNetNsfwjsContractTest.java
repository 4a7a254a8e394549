package clipbench.backend.djl;

import clipbench.keras.contract.KerasRunner;
import clipbench.keras.contract.NsfwjsContractTest;

/** The real nsfwjs models built as {@link KerasNet} (libtorch), against nsfwjs. */
class KerasNetNsfwjsContractTest extends NsfwjsContractTest {
    @Override
    protected KerasRunner runner() {
        return new KerasNetRunner();
    }
}
