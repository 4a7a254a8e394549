package clipbench.protocol;

import clipbench.api.model.ModelCard;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.Upsampler;
import java.util.List;
import java.util.Set;

/**
 * Everything one run does, resolved and validated before any work starts.
 *
 * @param runId      identifies the run in every row
 * @param backends   backends to compare, each with its options
 * @param card       the model
 * @param dataset    the dataset
 * @param upsamplers upsamplers to compare
 * @param protocols  protocols to run (zero-shot for now)
 * @param templates  prompt templates for zero-shot
 * @param batchSize  images (and prompts) per backbone call
 */
public record RunPlan(String runId, List<BackendChoice> backends, ModelCard card, Dataset dataset,
                      List<UpsamplerChoice> upsamplers, List<String> protocols, PromptTemplates templates,
                      int batchSize) {
    public static final Set<String> PROTOCOLS = Set.of("zero-shot");

    public RunPlan {
        backends = List.copyOf(backends);
        upsamplers = List.copyOf(upsamplers);
        protocols = List.copyOf(protocols);
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("backend: at least one is needed");
        }
        if (upsamplers.isEmpty()) {
            throw new IllegalArgumentException("upsampler: at least one is needed");
        }
        for (String p : protocols) {
            if (!PROTOCOLS.contains(p)) {
                throw new IllegalArgumentException("protocol: unknown '" + p + "'; available " + PROTOCOLS);
            }
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch_size: must be positive, got " + batchSize);
        }
    }

    /** A backend and how to run it. */
    public record BackendChoice(BackboneProvider provider, BackendOptions options) {
    }

    /** An upsampler and the spec it was made from (e.g. {@code bicubic}). */
    public record UpsamplerChoice(String spec, Upsampler upsampler) {
    }
}
