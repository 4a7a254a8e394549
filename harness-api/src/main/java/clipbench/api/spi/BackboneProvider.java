package clipbench.api.spi;

import clipbench.api.model.ModelCard;
import java.io.IOException;

/**
 * A runtime that can run the towers of a model directory (ONNX Runtime, DJL, TensorFlow). Found with
 * {@link java.util.ServiceLoader}; its constructor must not load native code.
 */
public interface BackboneProvider extends Plugin {
    /** The artifact format key in the model card this backend reads, e.g. {@code onnx}. */
    String artifactFormat();

    /** Human name and version of the runtime, loading it if needed (used for provenance). */
    String runtimeVersion();

    /**
     * Opens the model's towers. Fails with a clear message naming the file when an artifact is
     * missing or its inputs do not look like a CLIP tower.
     */
    Backbone open(ModelCard card, BackendOptions options) throws IOException;

    /**
     * Checks backend-specific settings ({@link BackendOptions#settings()}) before any work, throwing
     * {@link IllegalArgumentException} naming the key. The default accepts none.
     */
    default void checkSettings(java.util.Map<String, String> settings) {
        if (!settings.isEmpty()) {
            throw new IllegalArgumentException("--backend-option " + settings.keySet() + ": backend '" + id()
                    + "' takes no backend options");
        }
    }

    /**
     * Checks, before any work, that this backend can compute {@code card}'s model in {@code precision}, throwing
     * {@link IllegalArgumentException} naming the backend, the precision and why not. The default runs fp32 only.
     */
    default void checkPrecision(ModelCard card, Precision precision) {
        if (precision != Precision.FP32) {
            throw unsupported(precision, "only fp32 is implemented");
        }
    }

    /** The error of {@link #checkPrecision}: {@code --precision P: not supported on backend ID: REASON}. */
    default IllegalArgumentException unsupported(Precision precision, String reason) {
        return new IllegalArgumentException("--precision " + precision.id() + ": not supported on backend " + id()
                + ": " + reason);
    }

    /**
     * The files this backend reads for {@code card}, in a stable order: their SHA-256 identifies the
     * weights in every result row and cache key. The default is the card's artifacts of
     * {@link #artifactFormat()}; a backend that finds or builds its model otherwise overrides it.
     */
    default java.util.List<java.nio.file.Path> artifactFiles(ModelCard card) throws IOException {
        java.util.Map<String, String> roles = card.artifacts().get(artifactFormat());
        if (roles == null) {
            throw new IOException(card.directory() + ": the model card lists no artifacts for format '"
                    + artifactFormat() + "' (backend " + id() + "); it has " + card.artifacts().keySet());
        }
        return new java.util.TreeMap<>(roles).values().stream().map(card.directory()::resolve).toList();
    }

    /**
     * Writes the model in this backend's own format into {@code out} (e.g. a SavedModel built from a
     * safetensors checkpoint), so users with only a checkpoint can run this runtime. Backends that cannot
     * keep this default.
     */
    default void export(ModelCard card, java.nio.file.Path out) throws IOException {
        throw new UnsupportedOperationException(id() + " cannot export models; try --backend tensorflow");
    }

    /**
     * Opens an image-to-image network (the {@code model} artifact of this backend's format), e.g. a
     * super-resolution upsampler. Backends that cannot run one keep this default.
     */
    default ImageToImage openImageToImage(ModelCard card, BackendOptions options) throws IOException {
        throw new UnsupportedOperationException(id() + " cannot run image-to-image models");
    }
}
