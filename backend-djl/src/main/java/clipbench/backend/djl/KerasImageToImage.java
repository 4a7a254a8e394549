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
        float[][] rows = net.run(in.data(), in.count(), in.height(), in.width()); // each image NHWC, as Keras
        int c = in.channels();
        int hw = rows[0].length / c;
        int scale = (int) Math.round(Math.sqrt((double) hw / ((long) in.height() * in.width())));
        int h = in.height() * scale;
        int w = in.width() * scale;
        if ((long) h * w != hw) {
            throw new IllegalStateException("model " + net.name + ": gave " + rows[0].length + " values for a "
                    + in.height() + "x" + in.width() + " image, not an enlarged " + c + "-channel image");
        }
        float[] out = new float[in.count() * c * hw];
        for (int n = 0; n < rows.length; n++) {
            float[] nhwc = rows[n];
            int base = n * c * hw;
            for (int p = 0; p < hw; p++) {
                for (int k = 0; k < c; k++) {
                    out[base + k * hw + p] = nhwc[p * c + k];
                }
            }
        }
        return new ImageTensor(in.count(), c, h, w, out);
    }

    @Override
    public void close() {
        net.close();
    }
}
