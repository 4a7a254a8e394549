package clipbench.backend.djl;

import clipbench.api.model.ModelCard;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ImageToImage;
import clipbench.api.spi.Precision;
import clipbench.checkpoint.ClipCheckpoints;
import java.io.IOException;

/**
 * Runs the TorchScript artifacts of a model card ({@code artifacts.torchscript.image} and optional
 * {@code .text}, or one {@code .model} exporting {@code encode_image} / {@code encode_text}) on DJL's PyTorch
 * engine, or CLIP built from a safetensors checkpoint with libtorch operations when the card lists no TorchScript
 * but {@code artifacts.safetensors.checkpoint} (see {@link DjlBackbone#checkpoint}). Constructing it loads nothing native; it only switches DJL to offline mode, so DJL never downloads
 * libtorch or a model. libtorch starts on {@link #open}, {@link #openImageToImage} or {@link #runtimeVersion}.
 */
public final class DjlBackboneProvider implements BackboneProvider {
    public static final String ID = "djl";
    public static final String FORMAT = "torchscript";

    public DjlBackboneProvider() {
        DjlRuntime.configure();
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "DJL (PyTorch engine): TorchScript visual.pt/textual.pt towers, or CLIP built from a safetensors checkpoint, on the CPU (CUDA with CUDA libtorch)";
    }

    @Override
    public String artifactFormat() {
        return FORMAT;
    }

    @Override
    public String runtimeVersion() {
        return DjlRuntime.version();
    }

    /**
     * fp32 only. bf16: DJL 0.36's PyTorch JNI passes DJL's data type to libtorch through a table without bfloat16;
     * {@code toType(BFLOAT16)} aborts the JVM (libtorch: "terminate called without an active exception"), so
     * neither KerasNet's weights nor a TorchScript module's inputs can be made bfloat16 through DJL.
     */
    @Override
    public void checkPrecision(ModelCard card, Precision precision) {
        if (precision == Precision.INT8) {
            throw unsupported(precision, "PyTorch's dynamic quantisation (torch.ao) is not reachable through"
                    + " DJL's API (use int8 on onnx)");
        }
        if (precision == Precision.BF16) {
            throw unsupported(precision, "DJL 0.36's PyTorch JNI cannot make bfloat16 tensors (converting one"
                    + " aborts libtorch), so the model cannot be converted");
        }
    }

    @Override
    public DjlBackbone open(ModelCard card, BackendOptions options) throws IOException {
        checkPrecision(card, options.precision());
        return DjlBackbone.open(card, options);
    }

    /**
     * A Keras card's model files ({@link KerasBackbone#files}); the checkpoint's files when CLIP is built from it
     * ({@link DjlBackbone#checkpoint}); else the card's TorchScript artifacts.
     */
    @Override
    public java.util.List<java.nio.file.Path> artifactFiles(ModelCard card) throws IOException {
        if (KerasBackbone.handles(card)) {
            return KerasBackbone.files(card);
        }
        java.util.Optional<java.nio.file.Path> checkpoint = DjlBackbone.checkpoint(card);
        if (checkpoint.isPresent()) {
            return ClipCheckpoints.files(card, checkpoint.get());
        }
        return BackboneProvider.super.artifactFiles(card);
    }

    /**
     * The card's {@code torchscript.model}: float32 NCHW in, NCHW out (e.g. a super-resolution network); a Keras
     * image-to-image card's network through {@link KerasNet}.
     */
    @Override
    public ImageToImage openImageToImage(ModelCard card, BackendOptions options) throws IOException {
        if (KerasBackbone.handles(card) && clipbench.keras.KerasModels.isImageToImage(card)) {
            return KerasImageToImage.open(card, options);
        }
        return DjlImageToImage.open(card, options);
    }
}
