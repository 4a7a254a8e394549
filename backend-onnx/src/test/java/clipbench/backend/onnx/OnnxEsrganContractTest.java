package clipbench.backend.onnx;

import clipbench.api.model.ModelCard;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ImageToImage;
import clipbench.keras.contract.EsrganContractTest;
import java.io.IOException;

/** The UpscalerJS ESRGAN networks' exported {@code model.onnx} through {@link OnnxImageToImage}, against the packages. */
class OnnxEsrganContractTest extends EsrganContractTest {
    @Override
    protected ImageToImage open(ModelCard card) throws IOException {
        return new OnnxBackboneProvider().openImageToImage(card, BackendOptions.defaults());
    }
}
