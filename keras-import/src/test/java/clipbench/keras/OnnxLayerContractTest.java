package clipbench.keras;

import clipbench.keras.contract.KerasLayerContractTest;
import clipbench.keras.contract.KerasRunner;
import java.util.Set;

/** The Keras layer contract on {@link OnnxExport} run by ONNX Runtime. ReLU's threshold has no ONNX form here. */
class OnnxLayerContractTest extends KerasLayerContractTest {
    @Override
    protected KerasRunner runner() {
        return new OrtRunner();
    }

    @Override
    protected Set<Feature> unsupported() {
        return Set.of(Feature.RELU_THRESHOLD);
    }
}
