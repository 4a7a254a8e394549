package clipbench.backend.djl;

import clipbench.api.model.ModelCard;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ImageTensor;
import clipbench.api.spi.ImageToImage;
import clipbench.keras.KerasModel;
import clipbench.keras.KerasModels;
import java.io.IOException;

/**
 * A Keras image-to-image network ({@code task image-to-image} card, e.g. an imported UpscalerJS ESRGAN) run by
 * {@link KerasNet}: NCHW in, NCHW out, values as the network takes and gives them (the card's
 * {@code value_range}).
 */
final class KerasImageToImage implements ImageToImage {
    private final KerasNet net;

    private KerasImageToImage(KerasNet net) {
        this.net = net;
    }

    static KerasImageToImage open(ModelCard card, BackendOptions options) throws IOException {
        KerasModel model = KerasModels.loadImageToImage(card);
        try {
            return new KerasImageToImage(KerasNet.build(model, DjlRuntime.device(options.device()),
                    options.intraOpThreads()));
        } catch (IllegalArgumentException e) {
            throw new IOException(card.directory() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ImageTensor run(ImageTensor in) {
        ImageTensor out = net.runImages(in.data(), in.count(), in.height(), in.width());
        int scale = out.height() / in.height();
        if (out.channels() != in.channels() || scale < 1 || out.height() != in.height() * scale
                || out.width() != in.width() * scale) {
            throw new IllegalStateException("model " + net.name + ": gave " + out.channels() + "x" + out.height()
                    + "x" + out.width() + " for a " + in.height() + "x" + in.width() + " image, not an enlarged "
                    + in.channels() + "-channel image");
        }
        return out;
    }

    @Override
    public void close() {
        net.close();
    }
}
