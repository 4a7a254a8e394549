package clipbench.backend.onnx;

import clipbench.api.contract.BackboneContractTest;
import clipbench.api.contract.ContractFixtures;
import clipbench.api.spi.BackboneProvider;
import java.nio.file.Path;

/** The backend contract on the tiny ModifiedResNet CLIP (testdata/models/tiny-clip-rn). */
class OnnxResNetContractTest extends BackboneContractTest {
    @Override
    protected BackboneProvider provider() {
        return new OnnxBackboneProvider();
    }

    @Override
    protected Path modelDir() {
        return ContractFixtures.testdata("models/tiny-clip-rn");
    }
}
