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
}
