package clipbench.backend.djl;

import clipbench.api.model.ModelCard;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ImageToImage;
import clipbench.keras.contract.EsrganContractTest;
import java.io.IOException;

/** The UpscalerJS ESRGAN networks built as {@link KerasNet} (libtorch) through openImageToImage, against the packages. */
class KerasNetEsrganContractTest extends EsrganContractTest {
    @Override
    protected ImageToImage open(ModelCard card) throws IOException {
        return new DjlBackboneProvider().openImageToImage(card, BackendOptions.defaults());
    }
}
