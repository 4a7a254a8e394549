package clipbench.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import clipbench.api.model.ModelCard;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ImageTensor;
import clipbench.api.spi.ImageToImage;
import java.io.IOException;
import java.nio.file.Path;

/** A TorchScript image-to-image network ({@code torchscript.model}): float32 NCHW in, float NCHW out. */
final class DjlImageToImage implements ImageToImage {
    private final TorchModule module;

    private DjlImageToImage(TorchModule module) {
        this.module = module;
    }

    static DjlImageToImage open(ModelCard card, BackendOptions options) throws IOException {
        Path file = TorchModule.requireFile(card.requireArtifact(DjlBackboneProvider.FORMAT, "model"),
                "TorchScript file");
        ai.djl.Device device = DjlRuntime.device(options.device());
        return new DjlImageToImage(TorchModule.load(file, device, options.intraOpThreads()));
    }

    @Override
    public ImageTensor run(ImageTensor input) {
        Shape shape = new Shape(input.count(), input.channels(), input.height(), input.width());
        return module.run(TorchModule.FORWARD, DirectInput.current().of(input.data()), shape, DataType.FLOAT32,
                out -> tensor(out, input.count()));
    }

    private ImageTensor tensor(NDArray out, int n) {
        Shape s = out.getShape();
        if (s.dimension() != 4 || s.get(0) != n) {
            throw new IllegalStateException(module.file + ": returned a " + out.getDataType() + " " + TorchModule.dims(s)
                    + " tensor for " + n + " images, expected NCHW [" + n + ", channels, height, width]");
        }
        float[] data = (out.getDataType() == DataType.FLOAT32 ? out : out.toType(DataType.FLOAT32, false))
                .toFloatArray();
        return new ImageTensor(n, (int) s.get(1), (int) s.get(2), (int) s.get(3), data);
    }

    @Override
    public void close() {
        module.close();
    }
}
