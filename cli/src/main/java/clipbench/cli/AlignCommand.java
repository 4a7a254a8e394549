package clipbench.cli;

import clipbench.api.Versions;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.Device;
import clipbench.api.spi.Plugins;
import clipbench.protocol.CacheKey;
import clipbench.protocol.EmbeddedSplit;
import clipbench.protocol.EmbeddingCache;
import clipbench.protocol.EmbeddingPipeline;
import clipbench.protocol.Vectors;
import clipbench.protocol.align.AlignSettings;
import clipbench.protocol.align.Aligner;
import clipbench.protocol.align.Alignment;
import clipbench.protocol.align.CaptionPairs;
import clipbench.protocol.align.PairRetrieval;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code clipbench align}: joins a frozen image tower and a frozen text tower the LiT way. The dataset's images
 * (one split) go through the image model on {@code --backend} (the embedding pipeline and cache, as {@code run}
 * with upsampler {@code none}); their captions ({@link Dataset#captions}) through the text model's own tokenizer
 * on ONNX Runtime ({@link Capability#TEXT_STRINGS}); {@link Aligner} trains the two projections and the
 * temperature with CLIP's loss; {@link AlignedModelFolder} writes the model directory.
 */
@Command(name = "align", description = "Align a frozen image model with a frozen text model on a captioned dataset"
        + " (CLIP's contrastive loss, two linear projections); write an aligned model directory.")
final class AlignCommand implements Callable<Integer> {
    /** The backend the text tower runs on: the one with a sentence-transformers tower. */
    static final String TEXT_BACKEND = "onnx";
    /** Captions per {@code embedTexts} call. */
    static final int TEXT_BATCH = 64;
    /** Images per backbone call. */
    static final int IMAGE_BATCH = 32;

    @Option(names = "--image-model", required = true, paramLabel = "DIR", description = "Image model directory.")
    Path imageModel;

    @Option(names = "--text-model", required = true, paramLabel = "DIR",
            description = "Text model directory with its own tokenizer (e.g. a sentence-transformers model).")
    Path textModel;

    @Option(names = "--dataset", required = true, paramLabel = "ID:LOC",
            description = "A dataset that offers captions, e.g. emoji:DIR?vendor=google.")
    String dataset;

    @Option(names = "--split", paramLabel = "NAME", description = "Split to align on (default: the first, e.g."
            + " Training of emoji's train=V&test=W).")
    String split;

    @Option(names = "--out", required = true, paramLabel = "MODEL_DIR", description = "New model directory.")
    Path out;

    @Option(names = "--backend", defaultValue = "onnx", description = "Backend of the image model (default ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--dim", defaultValue = "" + AlignDefaults.DIM,
            description = "Width of the shared embedding (default ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--steps", defaultValue = "" + AlignDefaults.STEPS, description = "Optimiser steps (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch-size", defaultValue = "" + AlignDefaults.BATCH,
            description = "Pairs per step, the contrastive batch (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "" + AlignDefaults.LR, description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "" + AlignDefaults.WEIGHT_DECAY,
            description = "Weight decay of the projections (default ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--seed", defaultValue = "0", description = "Initialisation and shuffling (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", defaultValue = "0", description = "Intra-op threads per backend (0 = runtime default).")
    int threads;

    @Option(names = "--cache", description = "Embedding cache folder, or 'none' (default ~/.cache/clipbench/embeddings).")
    String cache;

    @Mixin
    BackendOptionArgs backendOptions = new BackendOptionArgs();

    @Override
    public Integer call() throws Exception {
        AlignSettings settings = new AlignSettings(dim, batchSize, steps, lr, weightDecay, seed);
        AlignedModelFolder.requireFree(out);
        Map<String, String> options = backendOptions.settings();
        BackendOptions.requireBackendPrefixes(options, List.of(backend, TEXT_BACKEND));
        ModelCard imageCard = ModelCards.load(imageModel);
        ModelCard textCard = ModelCards.load(textModel);
        Dataset data = Plugins.openDataset(dataset);
        data.warnings().forEach(w -> System.err.println("warning: " + w));
        String splitName = split != null ? split : data.splits().get(0);
        List<DatasetItem> items = data.items(splitName);

        BackboneProvider textProvider = Plugins.backend(TEXT_BACKEND);
        try (Backbone text = open(textProvider, textCard, options)) {
            if (!text.capabilities().contains(Capability.TEXT_STRINGS)) {
                throw new IllegalArgumentException("--text-model " + textModel + ": backend '" + TEXT_BACKEND
                        + "' opens it without " + Capability.TEXT_STRINGS + " (it embeds token ids only); align needs"
                        + " a text model with its own tokenizer, e.g. a sentence-transformers folder (model-card.json"
                        + " with artifacts onnx.text and onnx.tokenizer)");
            }
            long t0 = System.nanoTime();
            BackboneProvider imageProvider = Plugins.backend(backend);
            String imageSha = sha256(imageProvider, imageCard); // once: the cache key and the provenance
            EmbeddedSplit images;
            try (Backbone image = open(imageProvider, imageCard, options)) {
                images = embedImages(imageProvider, image, imageCard, imageSha, data, splitName, items,
                        BackendOptions.settingsOf(options, backend));
            }
            double imageSeconds = seconds(t0);
            Map<String, DatasetItem> byId = new LinkedHashMap<>();
            items.forEach(i -> byId.put(i.id(), i));
            List<List<String>> captionsPerImage = images.ids().stream().map(id -> data.captions(byId.get(id))).toList();
            CaptionPairs pairs = CaptionPairs.of(captionsPerImage);
            if (pairs.pairs().size() < 2) {
                throw new IllegalArgumentException("--dataset " + data.name() + ": split '" + splitName + "' offers "
                        + pairs.pairs().size() + " image-caption pairs (Dataset.captions); align needs at least 2");
            }
            long t1 = System.nanoTime();
            float[][] captions = embedTexts(text, pairs.captions());
            double textSeconds = seconds(t1);
            System.out.printf("align: %d images, %d captions, %d pairs; images %.1f s, captions %.1f s%n",
                    pairs.pairedImages(), captions.length, pairs.pairs().size(), imageSeconds, textSeconds);

            long t2 = System.nanoTime();
            Alignment a = new Aligner(settings).align(images.embeddings(), captions, pairs.pairs());
            double trainSeconds = seconds(t2);
            PairRetrieval retrieval = PairRetrieval.of(a.projections(), images.embeddings(), captions, pairs.pairs());
            System.out.printf("align: loss %.4f -> %.4f (final, all pairs), logit scale %.2f; retrieval top-1"
                            + " image->text %.3f, text->image %.3f; %d steps in %.1f s%n", a.losses()[0], a.finalLoss(),
                    a.projections().logitScale(), retrieval.imageToText(), retrieval.textToImage(), steps, trainSeconds);

            AlignedModelFolder.Tower imageTower = new AlignedModelFolder.Tower(imageCard, backend);
            AlignedModelFolder.Tower textTower = new AlignedModelFolder.Tower(textCard, TEXT_BACKEND);
            String name = imageCard.name() + "+" + textCard.name();
            Map<String, Object> provenance = new LinkedHashMap<>();
            provenance.put("clipbench", Versions.clipbench());
            provenance.put("dataset", Map.of("name", data.name(), "fingerprint", data.fingerprint(), "split", splitName,
                    "images", images.size(), "skipped", images.skipped(), "captions", captions.length,
                    "pairs", pairs.pairs().size()));
            provenance.put("image_tower", withRuntime(imageTower, imageProvider, imageSha));
            provenance.put("text_tower", withRuntime(textTower, textProvider, sha256(textProvider, textCard)));
            provenance.put("seed", seed);
            provenance.put("steps", steps);
            provenance.put("settings", settings.asMap());
            provenance.put("first_loss", a.losses()[0]);
            provenance.put("final_loss", a.finalLoss());
            provenance.put("logit_scale", a.projections().logitScale());
            provenance.put("retrieval_top1", Map.of("image_to_text", retrieval.imageToText(),
                    "text_to_image", retrieval.textToImage(), "on", "the training pairs"));
            provenance.put("seconds", Map.of("embed_images", imageSeconds, "embed_captions", textSeconds,
                    "train", trainSeconds, "images_cached", images.cached()));
            Path written = AlignedModelFolder.write(out,
                    AlignedModelFolder.card(name, imageTower, textTower, a.projections()), a.projections(), provenance);
            System.out.println(written);
        }
        return 0;
    }

    private Backbone open(BackboneProvider provider, ModelCard card, Map<String, String> options) throws IOException {
        return provider.open(card, new BackendOptions(threads, Device.CPU,
                BackendOptions.settingsOf(options, provider.id())));
    }

    /** The split's L2-normalised image embeddings, through the embedding cache unless {@code --cache none}. */
    private EmbeddedSplit embedImages(BackboneProvider provider, Backbone backbone, ModelCard card, String modelSha,
                                      Dataset data, String splitName, List<DatasetItem> items,
                                      Map<String, String> own)
            throws IOException {
        EmbeddingPipeline pipeline = new EmbeddingPipeline(backbone, (img, side) -> img, IMAGE_BATCH);
        ConsoleProgress progress = new ConsoleProgress("");
        if ("none".equals(cache)) {
            return pipeline.embed(items, progress);
        }
        Path dir = cache == null ? RunSpec.DEFAULT_CACHE : Path.of(cache);
        CacheKey key = new CacheKey(provider.id(), provider.runtimeVersion(), card.name(), modelSha, data.name(),
                data.fingerprint(), splitName, "none", card.preprocess().describe(), own);
        return new EmbeddingCache(dir).getOrCompute(key, items, () -> pipeline, progress);
    }

    /** Every caption through {@code embedTexts}, {@value #TEXT_BATCH} at a time, L2-normalised. */
    static float[][] embedTexts(Backbone text, List<String> captions) {
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < captions.size(); i += TEXT_BATCH) {
            float[][] batch = text.embedTexts(captions.subList(i, Math.min(captions.size(), i + TEXT_BATCH)));
            rows.addAll(List.of(Vectors.normalizeRows(batch)));
        }
        return rows.toArray(float[][]::new);
    }

    private static Map<String, Object> withRuntime(AlignedModelFolder.Tower tower, BackboneProvider provider,
                                                   String modelSha) {
        Map<String, Object> m = tower.describe();
        m.put("runtime_version", provider.runtimeVersion());
        m.put("model_sha256", modelSha);
        return m;
    }

    private static String sha256(BackboneProvider provider, ModelCard card) throws IOException {
        return ModelCards.sha256(provider.artifactFiles(card));
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
