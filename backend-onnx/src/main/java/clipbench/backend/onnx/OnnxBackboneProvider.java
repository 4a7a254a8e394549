package clipbench.backend.onnx;

import ai.onnxruntime.OrtEnvironment;
import clipbench.api.model.ModelCard;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ImageToImage;
import clipbench.api.spi.Precision;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs the ONNX artifacts of a model card ({@code artifacts.onnx.image}, optional {@code artifacts.onnx.text})
 * with ONNX Runtime, or, for a card with only {@code artifacts.safetensors.checkpoint}, CLIP written as ONNX from
 * the checkpoint ({@link OnnxSource}); a text-only card with {@code artifacts.onnx.tokenizer} runs a sentence-transformers
 * text tower ({@link SentenceBackbone}). Constructing it loads nothing: the native library is loaded by {@link #open} and
 * {@link #runtimeVersion}.
 */
public final class OnnxBackboneProvider implements BackboneProvider {
    public static final String ID = "onnx";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "ONNX Runtime: visual/textual .onnx towers on the CPU (CUDA with the onnxruntime_gpu build)";
    }

    @Override
    public String artifactFormat() {
        return ID;
    }

    @Override
    public String runtimeVersion() {
        return "onnxruntime " + OrtEnvironment.getEnvironment().getVersion();
    }

    /** The {@code onnx.*} options (see {@link OrtSettings}); unknown keys and bad values are errors. */
    @Override
    public void checkSettings(Map<String, String> settings) {
        OrtSettings.parse(settings);
    }

    /** fp32, and int8 by dynamic quantisation ({@link clipbench.onnx.DynamicQuantizer}). */
    @Override
    public void checkPrecision(ModelCard card, Precision precision) {
        if (precision == Precision.BF16) {
            throw unsupported(precision, "ONNX Runtime's CPU execution provider has no bf16 Conv, MatMul or Gemm"
                    + " kernels (int8 runs here)");
        }
    }

    /** The checkpoint's files when the card runs from its checkpoint ({@link OnnxSource}), else its ONNX artifacts. */
    @Override
    public List<Path> artifactFiles(ModelCard card) throws IOException {
        List<Path> checkpoint = OnnxSource.checkpointFiles(card);
        return checkpoint != null ? checkpoint : BackboneProvider.super.artifactFiles(card);
    }

    /** A CLIP card's towers, or a text model with its own tokenizer ({@link SentenceBackbone}). */
    @Override
    public Backbone open(ModelCard card, BackendOptions options) throws IOException {
        return SentenceBackbone.describes(card) ? SentenceBackbone.open(card, options) : OnnxBackbone.open(card, options);
    }

    /** Opens {@code artifacts.onnx.model}: one float [N, C, H, W] input, its first float rank-4 output. */
    @Override
    public ImageToImage openImageToImage(ModelCard card, BackendOptions options) throws IOException {
        return OnnxImageToImage.open(card, options);
    }
}
