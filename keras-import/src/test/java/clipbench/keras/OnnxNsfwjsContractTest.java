package clipbench.keras;

import clipbench.keras.contract.KerasRunner;
import clipbench.keras.contract.NsfwjsContractTest;

/** The real nsfwjs models exported by {@link OnnxExport} and run by ONNX Runtime, against nsfwjs. */
class OnnxNsfwjsContractTest extends NsfwjsContractTest {
    @Override
    protected KerasRunner runner() {
        return new OrtRunner();
    }
}
