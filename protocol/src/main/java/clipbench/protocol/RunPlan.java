package clipbench.protocol;

import clipbench.api.model.ModelCard;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.HeadProvider;
import clipbench.api.spi.Upsampler;
import clipbench.protocol.finetune.FineTuneMode;
import clipbench.protocol.finetune.FineTuneSettings;
import java.util.List;
import java.util.Set;

/**
 * Everything one run does, resolved and validated before any work starts.
 *
 * @param runId              identifies the run in every row
 * @param backends           backends to compare, each with its options
 * @param card               the model
 * @param dataset            the dataset
 * @param upsamplers         upsamplers to compare
 * @param protocols          {@code zero-shot} and/or {@code k-shot}
 * @param heads              heads: untrainable ones run in zero-shot, trainable ones in k-shot
 * @param ks                 shots per class for k-shot ({@link Shots#ALL} = every training image)
 * @param seeds              number of sampling seeds (0 .. seeds-1)
 * @param validationPerClass most validation images per class drawn from the training split
 * @param templates          prompt templates for zero-shot and PRO
 * @param batchSize          images (and prompts) per backbone call
 * @param cache              embedding cache, or null to keep embeddings in memory only
 * @param prepThreads        threads reading, upsampling and preprocessing images ahead of the backbone (0 = on
 *                           the embedding thread); no number depends on it
 * @param finetune           what the k-shot rows train ({@code --finetune}): {@code head} = the frozen-feature heads
 *                           (protocol {@code k-shot}); any other mode gives rows of protocol {@value #FINE_TUNE}
 * @param fineTuneSettings   how fine-tuning rows train
 */
public record RunPlan(String runId, List<BackendChoice> backends, ModelCard card, Dataset dataset,
                      List<UpsamplerChoice> upsamplers, List<String> protocols, List<HeadProvider> heads,
                      List<Integer> ks, int seeds, int validationPerClass, PromptTemplates templates,
                      int batchSize, EmbeddingCache cache, int prepThreads, List<FineTuneMode> finetune,
                      FineTuneSettings fineTuneSettings) {
    public static final String ZERO_SHOT = "zero-shot";
    public static final String K_SHOT = "k-shot";
    /** The protocol of rows that trained part of the image tower (or {@code last:0}, which trains none). */
    public static final String FINE_TUNE = "fine-tune";
    public static final Set<String> PROTOCOLS = Set.of(ZERO_SHOT, K_SHOT);

    public RunPlan {
        backends = List.copyOf(backends);
        upsamplers = List.copyOf(upsamplers);
        protocols = List.copyOf(protocols);
        heads = List.copyOf(heads);
        ks = List.copyOf(ks);
        finetune = List.copyOf(finetune);
        if (finetune.isEmpty()) {
            throw new IllegalArgumentException(FineTuneMode.FIELD
                    + ": at least one mode is needed (head for the frozen-feature heads)");
        }
        if (!protocols.contains(K_SHOT) && !finetune.equals(List.of(FineTuneMode.HEAD))) {
            throw new IllegalArgumentException(FineTuneMode.FIELD + ": " + finetune
                    + " trains on k-shot draws; add the k-shot protocol");
        }
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
        if (protocols.contains(K_SHOT)) {
            if (ks.isEmpty() || ks.stream().anyMatch(k -> k == 0 || k < Shots.ALL)) {
                throw new IllegalArgumentException("k: need positive shot counts or 'all', got " + ks);
            }
            if (seeds <= 0) {
                throw new IllegalArgumentException("seeds: must be positive, got " + seeds);
            }
            if (heads.stream().noneMatch(HeadProvider::trainable)) {
                throw new IllegalArgumentException("heads: k-shot needs at least one trainable head (lite, pro)");
            }
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch_size: must be positive, got " + batchSize);
        }
        if (prepThreads < 0) {
            throw new IllegalArgumentException("prep_threads: must be 0 or more, got " + prepThreads);
        }
    }

    /** A plan of frozen-feature heads only ({@code --finetune head}). */
    public RunPlan(String runId, List<BackendChoice> backends, ModelCard card, Dataset dataset,
                   List<UpsamplerChoice> upsamplers, List<String> protocols, List<HeadProvider> heads,
                   List<Integer> ks, int seeds, int validationPerClass, PromptTemplates templates, int batchSize,
                   EmbeddingCache cache, int prepThreads) {
        this(runId, backends, card, dataset, upsamplers, protocols, heads, ks, seeds, validationPerClass, templates,
                batchSize, cache, prepThreads, List.of(FineTuneMode.HEAD),
                FineTuneSettings.DEFAULTS);
    }

    /** True when some mode trains more than the frozen-feature heads (its settings join the provenance). */
    public boolean fineTunes() {
        return finetune.stream().anyMatch(m -> !m.equals(FineTuneMode.HEAD));
    }

    /** A plan preparing images on {@link EmbeddingPipeline#defaultPrepThreads()} threads. */
    public RunPlan(String runId, List<BackendChoice> backends, ModelCard card, Dataset dataset,
                   List<UpsamplerChoice> upsamplers, List<String> protocols, List<HeadProvider> heads,
                   List<Integer> ks, int seeds, int validationPerClass, PromptTemplates templates, int batchSize,
                   EmbeddingCache cache) {
        this(runId, backends, card, dataset, upsamplers, protocols, heads, ks, seeds, validationPerClass, templates,
                batchSize, cache, EmbeddingPipeline.defaultPrepThreads());
    }

    /** A backend and how to run it. */
    /**
     * @param opened a backbone the checks before the run already opened (owned and closed by whoever opened
     *               it), used instead of loading the model a second time; {@code null} if none
     */
    public record BackendChoice(BackboneProvider provider, BackendOptions options, Backbone opened) {
        public BackendChoice(BackboneProvider provider, BackendOptions options) {
            this(provider, options, null);
        }
    }

    /** An upsampler and the spec it was made from (e.g. {@code bicubic}). */
    public record UpsamplerChoice(String spec, Upsampler upsampler) {
    }
}
