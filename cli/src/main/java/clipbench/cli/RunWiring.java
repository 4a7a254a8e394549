package clipbench.cli;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.FineTunable;
import clipbench.api.spi.HeadProvider;
import clipbench.api.spi.Plugins;
import clipbench.api.spi.Upsampler;
import clipbench.protocol.DownscaledDataset;
import clipbench.protocol.EmbeddingCache;
import clipbench.protocol.PromptTemplates;
import clipbench.protocol.RunPlan;
import clipbench.protocol.Runner;
import clipbench.protocol.SubsampledDataset;
import clipbench.protocol.ZeroShotHeadProvider;
import clipbench.protocol.finetune.FineTuneSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Resolves a {@link RunSpec}'s named plugins (model, dataset, backends, heads, prompts, upsamplers) and checks
 * everything knowable before a run starts (model files, the backbone opening, a training split for k-shot, the
 * folders), so a bad setting fails before {@code --out} is created and the corrected retry is not refused as
 * "not empty"; then makes the {@link RunPlan}. Upsamplers may hold
 * native resources, so the wiring is closed after the run.
 */
final class RunWiring implements AutoCloseable {
    private final RunSpec spec;
    private final ModelCard card;
    private final Dataset dataset;
    private final List<RunPlan.BackendChoice> backends = new ArrayList<>();
    private final List<HeadProvider> heads;
    private final PromptTemplates prompts;
    private final List<RunPlan.UpsamplerChoice> upsamplers = new ArrayList<>();

    private RunWiring(RunSpec spec) throws IOException {
        this.spec = spec;
        this.card = ModelCards.load(spec.model());
        this.dataset = dataset(spec);
        BackendOptions options = new BackendOptions(spec.threads(), spec.device());  // upsamplers' runtimes
        this.heads = heads(spec);
        this.prompts = PromptTemplates.resolve(spec.templates());
        if (spec.protocols().contains(RunPlan.K_SHOT)) {
            checkTrainingSplit(dataset);
        }
        try {
            for (String id : spec.backends()) {
                BackboneProvider provider = AlignedModelProvider.forCard(Plugins.backend(id), card);
                Map<String, String> own = BackendOptions.settingsOf(spec.backendOptions(), id);
                provider.checkSettings(own);
                BackendOptions mine = new BackendOptions(spec.threads(), spec.device(), own);
                backends.add(new RunPlan.BackendChoice(provider, mine, checkBackbone(provider, mine, card)));
            }
            checkVocabulary();
            checkFineTuneModes();
            RunFolders.checkOut(spec.out());
            if (spec.cache() != null) {
                RunFolders.requireWritable("cache", spec.cache());
            }
            for (String u : spec.upsamplers()) {
                Upsampler made = Plugins.createUpsampler(u, options);
                // results rows and cache keys use the name (e.g. esrgan-slim-x8 for esrgan-slim on 28 px images)
                String name = made.name(u, dataset.nativeResolution(), card.preprocess().imageSize());
                boolean twice = upsamplers.stream().anyMatch(other -> other.spec().equals(name));
                upsamplers.add(new RunPlan.UpsamplerChoice(name, made)); // closed with the others below
                if (twice) {
                    throw new IllegalArgumentException("upsampler: two settings name the same computation '"
                            + name + "' on this dataset and model; give it once");
                }
            }
        } catch (IOException | RuntimeException e) {
            close(); // the backbones and upsamplers already made
            throw e;
        }
    }

    /** Every plugin the spec names, resolved (upsamplers created: close the wiring when done). */
    static RunWiring resolve(RunSpec spec) throws IOException {
        return new RunWiring(spec);
    }

    /** The dataset, subsampled and downscaled as the spec says; its warnings go to stderr. */
    private static Dataset dataset(RunSpec spec) throws IOException {
        Dataset opened = Plugins.openDataset(spec.dataset());
        Dataset small = spec.testPerClass() > 0 ? SubsampledDataset.testPerClass(opened, spec.testPerClass()) : opened;
        Dataset data = spec.downscale() > 0 ? DownscaledDataset.downscale(small, spec.downscale()) : small;
        data.warnings().forEach(w -> System.err.println("warning: " + w));
        return data;
    }

    /**
     * k-shot needs a training split in which every class has an image: a class without one would be silently
     * missing from every head (recall 0), so the run is refused naming the classes.
     */
    private static void checkTrainingSplit(Dataset data) {
        String train = Runner.trainSplit(data);
        int[] count = new int[data.classes().size()];
        data.items(train).forEach(i -> count[i.label()]++);
        List<String> empty = new ArrayList<>();
        for (int c = 0; c < count.length; c++) {
            if (count[c] == 0) {
                empty.add(data.classes().get(c).originalName());
            }
        }
        if (!empty.isEmpty()) {
            throw new IllegalArgumentException(data.name() + ": k-shot needs training images of every class; split '"
                    + train + "' has none of " + empty);
        }
    }

    /**
     * Zero-shot and text-initialised heads tokenize the class prompts after the test split is embedded: a
     * missing vocabulary must stop the run now, not after that work (and not inside a half-written {@code --out}).
     */
    private void checkVocabulary() {
        boolean textTower = card.contextLength() > 0 && backends.stream()
                .anyMatch(b -> b.opened().capabilities().contains(Capability.TEXT_TOWER));
        boolean needsText = spec.protocols().contains(RunPlan.ZERO_SHOT)
                || (spec.protocols().contains(RunPlan.K_SHOT) && heads.stream().anyMatch(HeadProvider::needsText));
        if (textTower && needsText) {
            card.resolveVocab();
        }
    }

    /**
     * A {@code last:N} beyond a tower's blocks stops the run now, not after the head rows. Backbones that cannot
     * train are not asked: their fine-tuning rows say so.
     */
    private void checkFineTuneModes() {
        for (RunPlan.BackendChoice b : backends) {
            if (b.opened().capabilities().contains(Capability.FINE_TUNE)) {
                FineTunable tower = b.opened().fineTunable();
                spec.finetune().stream().filter(m -> !m.frozen()).forEach(m -> m.requireFits(tower));
            }
        }
    }

    /**
     * The backend's model files exist, and the backbone opens: the card's {@code embed_dim}, image size and
     * device are checked on open, so a wrong one stops the run before {@code --out} exists. The run then uses
     * this backbone (the wiring closes it), so the model loads once per run, even when all is cached.
     */
    private static Backbone checkBackbone(BackboneProvider provider, BackendOptions options, ModelCard card)
            throws IOException {
        for (Path file : provider.artifactFiles(card)) {
            if (!Files.exists(file)) {
                throw new IOException(file + ": model artifact of backend '" + provider.id() + "' not found"
                        + " (named by " + card.directory().resolve(ModelCards.CARD_FILE) + ")");
            }
        }
        return provider.open(card, options);
    }

    /** Zero-shot always; the trainable heads too when the run has k-shot. */
    private static List<HeadProvider> heads(RunSpec spec) {
        List<HeadProvider> heads = new ArrayList<>();
        heads.add(Plugins.head(ZeroShotHeadProvider.ID));
        if (spec.protocols().contains(RunPlan.K_SHOT)) {
            spec.heads().forEach(h -> heads.add(Plugins.head(h)));
        }
        return heads;
    }

    /** The whole plan for the run with this id. */
    RunPlan plan(String runId) throws IOException {
        return new RunPlan(runId, backends, card, dataset, upsamplers, spec.protocols(), heads, spec.ks(),
                spec.seeds(), spec.validationPerClass(), prompts, spec.batchSize(),
                spec.cache() == null ? null : new EmbeddingCache(spec.cache()), spec.prepThreads(), spec.finetune(),
                FineTuneSettings.DEFAULTS);
    }

    @Override
    public void close() throws IOException {
        for (RunPlan.BackendChoice b : backends) {
            b.opened().close();
        }
        for (RunPlan.UpsamplerChoice u : upsamplers) {
            if (u.upsampler() instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(u.spec() + ": cannot close the upsampler", e);
                }
            }
        }
    }
}
