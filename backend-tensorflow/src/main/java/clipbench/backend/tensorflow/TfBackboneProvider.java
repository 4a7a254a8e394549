package clipbench.backend.tensorflow;

import clipbench.api.model.ModelCard;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ImageToImage;
import clipbench.api.spi.Precision;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs CLIP on TensorFlow Java: a SavedModel with {@value ClipGraph#IMAGE_SIGNATURE} /
 * {@value ClipGraph#TEXT_SIGNATURE} signatures (or Hugging Face's {@code TFCLIPModel} {@code serving_default}),
 * else CLIP built with TF ops from the card's safetensors checkpoint (see {@link ModelSources}); a Keras image
 * model (family {@code keras}, e.g. nsfwjs's TF.js models) is built with TF ops too ({@link KerasGraph}). Constructing
 * it loads nothing: the native library is loaded by {@link #open} and {@link #runtimeVersion}.
 */
public final class TfBackboneProvider implements BackboneProvider {
    public static final String ID = "tensorflow";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "TensorFlow Java: CLIP SavedModels, or CLIP built with TF ops from a safetensors checkpoint"
                + " (CPU; GPU natives with -Pgpu)";
    }

    @Override
    public String artifactFormat() {
        return ModelSources.FORMAT;
    }

    @Override
    public String runtimeVersion() {
        return TfRuntime.version();
    }

    /** fp32 only: the graphs are built and the SavedModels exported in float32. */
    @Override
    public void checkPrecision(ModelCard card, Precision precision) {
        if (precision != Precision.FP32) {
            throw unsupported(precision, "the graphs clipbench builds or loads are float32 and TF Java 1.1.0"
                    + " offers no " + (precision == Precision.INT8 ? "dynamic quantisation" : "bfloat16 rewrite")
                    + " of them (use int8 on onnx)");
        }
    }

    /** A Keras card (family {@code keras}) is built by {@link KerasBackbone}, anything else by {@link TfBackbone}. */
    @Override
    public Backbone open(ModelCard card, BackendOptions options) throws IOException {
        checkPrecision(card, options.precision());
        return KerasBackbone.handles(card) ? KerasBackbone.open(card, options) : TfBackbone.open(card, options);
    }

    /**
     * Opens a super-resolution network: the card's {@code artifacts.savedmodel.model}, else the ESPCN described
     * by its {@code architecture} block built from {@code artifacts.safetensors.checkpoint}.
     */
    @Override
    public ImageToImage openImageToImage(ModelCard card, BackendOptions options) throws IOException {
        return TfImageToImage.open(card, options);
    }

    /**
     * The files {@link #open} reads for this card (the checkpoint, every file of the SavedModel, or a Keras model's
     * topology and weights), for a
     * provenance hash: the default (the card's {@code savedmodel} artifacts) cannot hash a directory or a
     * card that lists no {@code savedmodel} artifact.
     */
    @Override
    public List<Path> artifactFiles(ModelCard card) throws IOException {
        if (KerasBackbone.handles(card)) {
            return KerasBackbone.files(card);
        }
        return ModelSources.resolve(card).files(card);
    }

    /** A SavedModel built from the card's safetensors checkpoint ({@code clipbench export}). */
    @Override
    public void export(ModelCard card, Path out) throws IOException {
        TfExporter.export(card, out);
    }
}
