package clipbench.backend.djl;

import clipbench.api.contract.BackboneContractTest;
import clipbench.api.contract.ContractFixtures;
import clipbench.api.spi.BackboneProvider;
import java.nio.file.Path;

/** The backend contract on the tiny ViT CLIP's TorchScript towers (testdata/models/tiny-clip-vit). */
class DjlVitContractTest extends BackboneContractTest {
    @Override
    protected BackboneProvider provider() {
        return new DjlBackboneProvider();
    }

    @Override
    protected Path modelDir() {
        return ContractFixtures.testdata("models/tiny-clip-vit");
    }
}
