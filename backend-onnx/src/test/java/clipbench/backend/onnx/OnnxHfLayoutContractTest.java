package clipbench.backend.onnx;

import clipbench.api.contract.BackboneContractTest;
import clipbench.api.contract.ContractFixtures;
import clipbench.api.spi.BackboneProvider;
import java.nio.file.Path;

/**
 * The backend contract on a Hugging Face style export without a model card
 * (testdata/models/hf-layout-tiny: pixel_values, input_ids + attention_mask, image_embeds, text_embeds).
 */
class OnnxHfLayoutContractTest extends BackboneContractTest {
    @Override
    protected BackboneProvider provider() {
        return new OnnxBackboneProvider();
    }

    @Override
    protected Path modelDir() {
        return ContractFixtures.testdata("models/hf-layout-tiny");
    }
}
