package clipbench.backend.tensorflow;

import clipbench.api.model.ModelCard;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ImageToImage;
import clipbench.keras.contract.EsrganContractTest;
import java.io.IOException;

/** The UpscalerJS ESRGAN networks built as a {@link KerasGraph} through openImageToImage, against the packages. */
class KerasGraphEsrganContractTest extends EsrganContractTest {
    @Override
    protected ImageToImage open(ModelCard card) throws IOException {
        return new TfBackboneProvider().openImageToImage(card, BackendOptions.defaults());
    }
}
