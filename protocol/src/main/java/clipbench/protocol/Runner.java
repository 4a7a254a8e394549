package clipbench.protocol;

import clipbench.api.Versions;
import clipbench.api.image.RgbImage;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.Capability;
import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.Head;
import clipbench.api.spi.HeadInputs;
import clipbench.api.spi.HeadProvider;
import clipbench.api.spi.TowerCut;
import clipbench.clip.text.ClipTokenizer;
import clipbench.protocol.finetune.CutBackbone;
import clipbench.protocol.finetune.EpochRecord;
import clipbench.protocol.finetune.FineTuneInputs;
import clipbench.protocol.finetune.FineTuneMode;
import clipbench.protocol.finetune.FineTuned;
import clipbench.protocol.finetune.FineTuner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs a {@link RunPlan}: for each backend and upsampler, embeds the test split (and the training split
 * for k-shot) once, through the cache, then evaluates every head at every k and seed.
 */
public final class Runner {
    /** Where results go as soon as they exist, so an interrupted run keeps what it finished. */
    public interface Sink {
        /** True when a row with this key is already stored (resume). */
        boolean done(String key);

        void accept(Outcome outcome) throws IOException;

        /**
         * The shots of (k, seed): the stored manifest when there is one (a resumed run, or shots copied
         * from another run so another backend uses the very same images), else {@code sample}'s, stored.
         */
        Shots shots(int k, long seed, Supplier<Shots> sample) throws IOException;

        /**
         * What the run's numbers rest on and where it runs, before any work: a resumed run refuses one
         * whose {@link RunProvenance#identity()} differs from the stored.
         */
        default void provenance(RunProvenance provenance) throws IOException {
        }

        /** The classes and their counts: at the start, and again each time a split was read. */
        default void classes(List<ClassCount> counts) throws IOException {
        }

        /** Agreement between backends on the same test images (runs with several backends). */
        default void parity(List<Parity.Row> rows) throws IOException {
        }

        /**
         * True when the thumbnail {@code key} is already stored, so its image need not be made again. A sink
         * that keeps no thumbnails says true (the default).
         */
        default boolean hasThumbnail(ThumbnailKey key) {
            return true;
        }

        /** Stores a test image as the upsampler made it, for the report's galleries (see {@link GalleryThumbnails}). */
        default void thumbnail(ThumbnailKey key, RgbImage upsampled) throws IOException {
        }
    }

    private final RunPlan plan;
    private final Sink sink;
    private final ProgressListener progress;
    private final List<ClassInfo> classes;
    /** Each upsampler's test embeddings per backend, for the parity table. */
    private final Map<String, List<Parity.Side>> sides = new java.util.LinkedHashMap<>();
    /** Unreadable images met so far, by split: id to label (a union over backends and upsamplers). */
    private final Map<String, Map<String, Integer>> skipped = new java.util.HashMap<>();

    public Runner(RunPlan plan, Sink sink, ProgressListener progress) {
        this.plan = plan;
        this.sink = sink;
        this.progress = progress;
        this.classes = plan.dataset().classes();
    }

    public void run() throws IOException {
        Map<String, String> shas = new java.util.LinkedHashMap<>();
        for (RunPlan.BackendChoice choice : plan.backends()) {
            shas.put(choice.provider().id(), ModelCards.sha256(choice.provider().artifactFiles(plan.card())));
        }
        sink.provenance(RunProvenance.of(plan, shas));
        sink.classes(classCounts());
        for (RunPlan.BackendChoice choice : plan.backends()) {
            try (BackendRun run = new BackendRun(choice, shas.get(choice.provider().id()))) {
                for (RunPlan.UpsamplerChoice up : plan.upsamplers()) {
                    run.evaluate(up);
                }
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause(); // from a lazily opened backbone: keep the message that names the file
            }
        }
        if (plan.backends().size() > 1) {
            List<Parity.Row> rows = new ArrayList<>();
            sides.forEach((up, list) -> rows.addAll(Parity.compare(up, list, classes.size())));
            sink.parity(rows);
        }
    }

    /**
     * The work of one backend. Its backbone is opened on first need, so a run whose embeddings are all
     * cached (a second run, a resumed one) never loads the runtime; class text embeddings are computed
     * at most once.
     */
    private final class BackendRun implements AutoCloseable {
        private final RunPlan.BackendChoice choice;
        private Backbone backbone;
        private final String sha;
        private Boolean text;
        private float[][] classText;

        BackendRun(RunPlan.BackendChoice choice, String sha) {
            this.choice = choice;
            this.sha = sha;
        }

        private Backbone backbone() {
            if (backbone == null && choice.opened() != null) {
                backbone = choice.opened();
            }
            if (backbone == null) {
                try {
                    backbone = choice.provider().open(plan.card(), choice.options());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return backbone;
        }

        /**
         * Whether the backbone has a text tower: one that embeds strings, or one that takes token ids (a card without a
         * context length cannot have that).
         */
        private boolean text() {
            if (text == null) {
                text = backbone().capabilities().contains(Capability.TEXT_STRINGS) || (plan.card().contextLength() > 0
                        && backbone().capabilities().contains(Capability.TEXT_TOWER));
            }
            return text;
        }

        @Override
        public void close() {
            if (backbone != null && backbone != choice.opened()) {
                backbone.close();
            }
        }

        void evaluate(RunPlan.UpsamplerChoice up) throws IOException {
            String testSplit = plan.dataset().testSplit();
            Provenance prov = new Provenance(plan.runId(), choice.provider().id(), choice.provider().runtimeVersion(),
                    plan.card().name(), sha, plan.dataset().name(), testSplit, up.spec(),
                    plan.card().preprocess().describe(), plan.templates().name(), Versions.clipbench());
            List<HeadProvider> zeroShot = pending(prov, RunPlan.ZERO_SHOT, false);
            List<HeadProvider> kShot = pending(prov, RunPlan.K_SHOT, true);
            if (zeroShot.isEmpty() && kShot.isEmpty()) {
                return;
            }
            List<DatasetItem> testItems = plan.dataset().items(testSplit);
            GalleryThumbnails thumbnails = new GalleryThumbnails(sink, prov.dataset(), up.spec(), testItems,
                    classNames());
            EmbeddedSplit test = embed(up, testSplit, testItems, thumbnails.tap());
            // From the cache no image passed the tap: the report's galleries still get theirs.
            thumbnails.fill(up.upsampler(), plan.card().preprocess().imageSize());
            sides.computeIfAbsent(up.spec(), u -> new ArrayList<>()).add(new Parity.Side(choice.provider().id(), test,
                    text() ? classText() : null, plan.card().logitScale()));
            for (HeadProvider h : zeroShot) {
                sink.accept(outcome(prov, RunPlan.ZERO_SHOT, ResultRow.Training.NONE, h, 0, -1, test,
                        () -> Fitted.of(h.fit(HeadInputs.zeroShot(classText(), plan.card().logitScale())), test),
                        0, ShotUse.NONE));
            }
            if (kShot.isEmpty()) {
                return;
            }
            String trainSplit = trainSplit();
            List<DatasetItem> trainItems = plan.dataset().items(trainSplit);
            ShotSampler sampler = new ShotSampler(plan.validationPerClass());
            Map<String, Shots> draws = new java.util.LinkedHashMap<>();
            for (int k : plan.ks()) {
                for (long seed = 0; seed < plan.seeds(); seed++) {
                    long s = seed;
                    draws.put(k + "/" + seed, sink.shots(k, seed, () -> sampler.sample(trainItems, classes.size(), k, s)));
                }
            }
            // Only the training images some draw uses are embedded (all of them when k = all).
            java.util.Set<String> used = new java.util.HashSet<>();
            draws.values().forEach(d -> {
                used.addAll(d.train());
                used.addAll(d.validation());
            });
            List<DatasetItem> needed = trainItems.stream().filter(i -> used.contains(i.id())).toList();
            EmbeddedSplit train = embed(up, trainSplit, needed, EmbeddingPipeline.InputTap.NONE);
            Map<String, Integer> rowOf = train.indexById();
            if (text() && kShot.stream().anyMatch(HeadProvider::needsText)) {
                classText(); // computed once, before the fits share it
            }
            // Fits are independent: run them on every core, store them in (mode, k, seed, head) order. The frozen
            // modes (head, last:0) are one path: last:0 rows are the head rows under another name.
            List<java.util.concurrent.Callable<Outcome>> fits = new ArrayList<>();
            for (FineTuneMode mode : plan.finetune()) {
                if (!mode.frozen()) {
                    continue;
                }
                String protocol = protocolOf(mode);
                ResultRow.Training training = new ResultRow.Training(mode.label(), 0, Double.NaN);
                for (int k : plan.ks()) {
                    for (long seed = 0; seed < plan.seeds(); seed++) {
                        long s = seed;
                        Shots shots = draws.get(k + "/" + seed);
                        Subset fit = Subset.of(train, rowOf, shots.train());
                        Subset val = Subset.of(train, rowOf, shots.validation());
                        ShotUse use = ShotUse.of(shots, fit.labels(), val.labels(), classNames(),
                                plan.validationPerClass());
                        for (HeadProvider h : kShot) {
                            if (sink.done(key(prov, protocol, h, k, seed, mode.label()))) {
                                continue;
                            }
                            fits.add(() -> outcome(prov, protocol, training, h, k, s, test, () -> Fitted.of(
                                    h.fit(new HeadInputs(classes.size(), h.needsText() ? classText : null,
                                            plan.card().logitScale(), fit.features(), fit.labels(), val.features(),
                                            val.labels(), s)), test), fit.labels().length, use));
                        }
                    }
                }
            }
            runInOrder(fits);
            for (FineTuneMode mode : plan.finetune()) {
                if (!mode.frozen()) {
                    fineTune(mode, prov, up, testItems, test, needed, train, draws, kShot);
                }
            }
        }

        /**
         * The rows of a mode that trains blocks of the tower: one cut, its activations computed once per image
         * (through the embedding cache when there is one, keyed by the cut; else in memory for this mode), then
         * every (k, seed, head) in order, one at a time (a cut is not thread-safe). A backbone without
         * {@link Capability#FINE_TUNE} (ONNX Runtime) gets rows whose note says so, never numbers.
         */
        private void fineTune(FineTuneMode mode, Provenance prov, RunPlan.UpsamplerChoice up,
                              List<DatasetItem> testItems, EmbeddedSplit test, List<DatasetItem> trainItems,
                              EmbeddedSplit train,
                              Map<String, Shots> draws, List<HeadProvider> heads) throws IOException {
            ResultRow.Training training = new ResultRow.Training(mode.label(), 0, Double.NaN);
            List<FineTuneRow> rows = new ArrayList<>();
            Map<String, Integer> rowOf = train.indexById();
            for (int k : plan.ks()) {
                for (long seed = 0; seed < plan.seeds(); seed++) {
                    Shots shots = draws.get(k + "/" + seed);
                    ShotUse use = ShotUse.of(shots, Subset.of(train, rowOf, shots.train()).labels(),
                            Subset.of(train, rowOf, shots.validation()).labels(), classNames(),
                            plan.validationPerClass());
                    for (HeadProvider h : heads) {
                        if (!sink.done(key(prov, RunPlan.FINE_TUNE, h, k, seed, mode.label()))) {
                            rows.add(new FineTuneRow(k, seed, h, shots, use));
                        }
                    }
                }
            }
            if (rows.isEmpty()) {
                return;
            }
            String refusal = backbone().capabilities().contains(Capability.FINE_TUNE) ? null
                    : "backend " + choice.provider().id() + " is inference-only: it cannot train the image tower";
            for (FineTuneRow r : rows) {
                String why = refusal != null ? refusal : FineTuner.supports(r.head().id()) ? null
                        : "head " + r.head().id() + " cannot be fine-tuned (lite and pro can)";
                if (why != null) {
                    sink.accept(new Outcome(skippedRow(prov, RunPlan.FINE_TUNE, training, r.head(), r.k(), r.seed(),
                            test, r.use(), why), List.of(), null, classNames()));
                }
            }
            if (refusal != null || rows.stream().noneMatch(r -> FineTuner.supports(r.head().id()))) {
                return;
            }
            try (TowerCut cut = mode.cut(backbone().fineTunable())) {
                EmbeddedSplit testActs = activations(cut, up, plan.dataset().testSplit(), testItems);
                EmbeddedSplit trainActs = activations(cut, up, trainSplit(), trainItems);
                Map<String, Integer> actRow = trainActs.indexById();
                FineTuner tuner = new FineTuner(plan.fineTuneSettings());
                for (FineTuneRow r : rows) {
                    HeadProvider h = r.head();
                    if (!FineTuner.supports(h.id())) {
                        continue;
                    }
                    Subset fit = Subset.of(trainActs, actRow, r.shots().train());
                    Subset val = Subset.of(trainActs, actRow, r.shots().validation());
                    sink.accept(outcome(prov, RunPlan.FINE_TUNE, training, h, r.k(), r.seed(), testActs, () -> {
                        FineTuned tuned = tuner.train(cut, h.id(), new FineTuneInputs(classes.size(),
                                h.needsText() ? classText() : null, plan.card().logitScale(), fit.features(),
                                fit.labels(), val.features(), val.labels(), r.seed()));
                        return new Fitted(() -> tuned.logits(testActs.embeddings(), plan.batchSize()),
                                tuned.trainableParameters(), tuned.selected(), tuned.history(),
                                tuned.history().size() - 1, peakRssMb());
                    }, fit.labels().length, r.use()));
                }
            }
        }

        /**
         * Raw activations at the cut of {@code items} of {@code split} as the upsampler and preprocessing make them:
         * cached like embeddings, under a key that names the cut and says the rows are raw.
         */
        private EmbeddedSplit activations(TowerCut cut, RunPlan.UpsamplerChoice up, String split,
                                          List<DatasetItem> items) throws IOException {
            return cached(up, split, items, CacheKey.activationsAt(cut.cutName(), cut.activationLength()),
                    () -> new EmbeddingPipeline(new CutBackbone(backbone(), cut), up.upsampler(), plan.batchSize(),
                            EmbeddingPipeline.InputTap.NONE, plan.prepThreads(), false));
        }

        /** Runs tasks in parallel and hands each outcome to the sink as soon as all before it are stored. */
        private void runInOrder(List<java.util.concurrent.Callable<Outcome>> tasks) throws IOException {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                    Math.max(1, Math.min(tasks.size(), Runtime.getRuntime().availableProcessors())));
            try {
                List<java.util.concurrent.Future<Outcome>> futures = new ArrayList<>();
                for (java.util.concurrent.Callable<Outcome> t : tasks) {
                    futures.add(pool.submit(t));
                }
                for (int i = 0; i < futures.size(); i++) {
                    try {
                        // Drop each outcome once stored: a study of many fits keeps only those not yet written.
                        Outcome done = futures.get(i).get();
                        futures.set(i, null);
                        sink.accept(done);
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (e.getCause() instanceof RuntimeException r) {
                            throw r;
                        }
                        throw new IOException(e.getCause());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }

        /** Heads of a protocol that still have rows to compute. */
        private List<HeadProvider> pending(Provenance prov, String protocol, boolean trainable) {
            if (!plan.protocols().contains(protocol)) {
                return List.of();
            }
            List<HeadProvider> out = new ArrayList<>();
            for (HeadProvider h : plan.heads()) {
                if (h.trainable() != trainable) {
                    continue;
                }
                boolean missing = !trainable ? !sink.done(key(prov, protocol, h, 0, -1, ""))
                        : plan.finetune().stream().anyMatch(mode -> plan.ks().stream().anyMatch(k ->
                        java.util.stream.LongStream.range(0, plan.seeds()).anyMatch(seed ->
                                !sink.done(key(prov, protocolOf(mode), h, k, seed, mode.label())))));
                if (missing) {
                    out.add(h);
                }
            }
            return out;
        }

        /**
         * Fits and evaluates one head (or records why it is skipped); {@code test} holds the rows the fitted model
         * scores (embeddings, or activations at a cut). Only {@code fitter} is timed.
         */
        private Outcome outcome(Provenance prov, String protocol, ResultRow.Training training, HeadProvider h, int k,
                                long seed, EmbeddedSplit test, Supplier<Fitted> fitter, int nTrain, ShotUse use) {
            if (h.needsText() && !text()) {
                return new Outcome(skippedRow(prov, protocol, training, h, k, seed, test, use, "needs a text tower"),
                        List.of(), null, classNames());
            }
            if (use.refusal() != null) {
                return new Outcome(skippedRow(prov, protocol, training, h, k, seed, test, use, use.refusal()),
                        List.of(), null, classNames());
            }
            long t0 = System.nanoTime();
            Fitted fitted = fitter.get();
            double fitSeconds = (System.nanoTime() - t0) / 1e9;
            Evaluation eval = Evaluation.of(fitted.testLogits().get(), test.labels(), classes.size());
            ResultRow row = new ResultRow(prov, protocol, h.id(), k, seed, nTrain, use.kEffective(), test.size(),
                    eval.top1(), eval.top5(), eval.meanPerClassRecall(), test.totalSeconds(), test.imagesPerSecond(),
                    test.upsampleSeconds(), fitSeconds, test.skipped().size(), use.trainSkipped(),
                    plan.dataset().warnings().size(), fitted.trainableParameters(), fitted.selected(), test.cached(),
                    test.timingSource(), test.timedImages(), test.steady() ? test.steadyImages() : 0, use.note(),
                    new ResultRow.Training(training.finetune(), fitted.epochs(), fitted.peakRssMb()));
            return new Outcome(row, predictions(test, eval), eval.confusion(), classNames(), fitted.history());
        }

        private float[][] classText() {
            if (classText == null && backbone().capabilities().contains(Capability.TEXT_STRINGS)) {
                classText = ClassPrompts.embedStrings(backbone(), classes, plan.templates(), plan.batchSize(), progress);
            }
            if (classText == null) {
                try {
                    ClipTokenizer tokenizer = ClipTokenizer.load(plan.card().resolveVocab());
                    int context = plan.card().contextLength();
                    // Long prompts are cut (CLIP's truncate=True) rather than failing a run on one class name.
                    classText = ClassPrompts.embed(backbone(), texts -> tokenizer.tokenizeAll(texts, context, true),
                            classes, plan.templates(), plan.batchSize(), progress);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return classText;
        }

        /** Embeds {@code items} of {@code split} and reports each unreadable image; {@code tap} sees the images. */
        private EmbeddedSplit embed(RunPlan.UpsamplerChoice up, String split, List<DatasetItem> items,
                                    EmbeddingPipeline.InputTap tap) throws IOException {
            EmbeddedSplit embedded = embedItems(up, split, items, tap);
            embedded.skipped().forEach(s -> progress.warn("skipped " + s));
            java.util.Set<String> read = new java.util.HashSet<>(embedded.ids());
            Map<String, Integer> unreadable = skipped.computeIfAbsent(split, s -> new java.util.HashMap<>());
            items.stream().filter(i -> !read.contains(i.id())).forEach(i -> unreadable.put(i.id(), i.label()));
            sink.classes(classCounts());
            return embedded;
        }

        /** Through the cache when there is one; a subset of a split is its own block. */
        private EmbeddedSplit embedItems(RunPlan.UpsamplerChoice up, String split, List<DatasetItem> items,
                                         EmbeddingPipeline.InputTap tap) throws IOException {
            return cached(up, split, items, "", () -> new EmbeddingPipeline(backbone(), up.upsampler(),
                    plan.batchSize(), tap, plan.prepThreads()));
        }

        /** Rows of {@code content} (see {@link CacheKey#content()}) through the cache when there is one. */
        private EmbeddedSplit cached(RunPlan.UpsamplerChoice up, String split, List<DatasetItem> items, String content,
                                     Supplier<EmbeddingPipeline> pipeline) throws IOException {
            if (plan.cache() == null) {
                return pipeline.get().embed(items, progress);
            }
            List<DatasetItem> all = plan.dataset().items(split);
            String block = items.size() == all.size() ? split : split + "[" + items.size() + " of " + all.size()
                    + ", " + CacheKey.digestOf(items.stream().map(DatasetItem::id).toList()) + "]";
            CacheKey key = new CacheKey(choice.provider().id(), choice.provider().runtimeVersion(),
                    plan.card().name(), sha, plan.dataset().name(), plan.dataset().fingerprint(), block, up.spec(),
                    plan.card().preprocess().describe(), choice.options().settings(), content);
            return plan.cache().getOrCompute(key, items, pipeline, progress);
        }

        /** The resume key of a row, without building the row. */
        private String key(Provenance prov, String protocol, HeadProvider h, int k, long seed, String finetune) {
            return ResultRow.key(prov.backend(), prov.backbone(), prov.dataset(), prov.upsampler(), protocol, h.id(),
                    Shots.label(k), Long.toString(seed), finetune);
        }

        /** A row without an evaluation: records why the head was skipped. */
        private ResultRow skippedRow(Provenance prov, String protocol, ResultRow.Training training, HeadProvider h,
                                     int k, long seed, EmbeddedSplit test, ShotUse use, String why) {
            double nan = Double.NaN;
            return new ResultRow(prov, protocol, h.id(), k, seed, 0, use.kEffective(), test.size(), nan, nan, nan,
                    test.totalSeconds(), test.imagesPerSecond(), test.upsampleSeconds(), 0, test.skipped().size(),
                    use.trainSkipped(), plan.dataset().warnings().size(), 0, Map.of(), test.cached(),
                    test.timingSource(), test.timedImages(), test.steady() ? test.steadyImages() : 0, why, training);
        }
    }

    /** A fine-tuning row to compute. */
    private record FineTuneRow(int k, long seed, HeadProvider head, Shots shots, ShotUse use) {
    }

    /**
     * What a fit gives a row: test logits (computed after the fit is timed), parameters that trained, the chosen
     * settings, per-epoch history (fine-tuning), epochs run and peak memory (NaN where not measured).
     */
    private record Fitted(Supplier<float[][]> testLogits, long trainableParameters, Map<String, String> selected,
                          List<EpochRecord> history, int epochs, double peakRssMb) {
        static Fitted of(Head head, EmbeddedSplit test) {
            return new Fitted(() -> head.logits(test.embeddings()), head.trainableParameters(), head.selected(),
                    List.of(), 0, Double.NaN);
        }
    }

    /** {@code head} rows are today's k-shot rows; every other mode, {@code last:0} included, is fine-tune. */
    private static String protocolOf(FineTuneMode mode) {
        return mode.equals(FineTuneMode.HEAD) ? RunPlan.K_SHOT : RunPlan.FINE_TUNE;
    }

    /** Peak resident memory of this process, NaN where it cannot be read (not Linux). */
    private static double peakRssMb() {
        try {
            return clipbench.protocol.bench.ProcessMemory.peakRssMb();
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    private String trainSplit() {
        return trainSplit(plan.dataset());
    }

    /** The split k-shot draws from: the first one that is not the test split (an error naming the dataset if none). */
    public static String trainSplit(clipbench.api.spi.Dataset dataset) {
        String test = dataset.testSplit();
        return trainSplitIfAny(dataset).orElseThrow(() ->
                new IllegalArgumentException(dataset.name() + ": k-shot needs a training split besides '"
                        + test + "' (splits: " + dataset.splits() + ")"));
    }

    /** The split k-shot draws from: the first one besides the test split. */
    private static java.util.Optional<String> trainSplitIfAny(clipbench.api.spi.Dataset dataset) {
        String test = dataset.testSplit();
        return dataset.splits().stream().filter(s -> !s.equals(test)).findFirst();
    }

    /** Each class with its images per split and the unreadable ones met so far (-1: not known). */
    private List<ClassCount> classCounts() {
        String test = plan.dataset().testSplit();
        java.util.Optional<String> train = trainSplitIfAny(plan.dataset());
        int[] nTest = perClass(plan.dataset().items(test).stream().map(DatasetItem::label).toList());
        int[] nTrain = train.map(s -> perClass(plan.dataset().items(s).stream().map(DatasetItem::label).toList()))
                .orElse(null);
        int[] skippedTest = skippedPerClass(test);
        int[] skippedTrain = train.map(this::skippedPerClass).orElse(null);
        List<ClassCount> out = new ArrayList<>(classes.size());
        for (int i = 0; i < classes.size(); i++) {
            ClassInfo c = classes.get(i);
            out.add(new ClassCount(c.originalName(), c.promptName(), nTrain == null ? -1 : nTrain[i], nTest[i],
                    skippedTrain == null ? -1 : skippedTrain[i], skippedTest == null ? -1 : skippedTest[i]));
        }
        return out;
    }

    /** Unreadable images of {@code split} per class, or null when the run has read none of it. */
    private int[] skippedPerClass(String split) {
        Map<String, Integer> unreadable = skipped.get(split);
        return unreadable == null ? null : perClass(unreadable.values());
    }

    private int[] perClass(java.util.Collection<Integer> labels) {
        int[] n = new int[classes.size()];
        labels.forEach(label -> n[label]++);
        return n;
    }

    private List<String> classNames() {
        return classes.stream().map(ClassInfo::originalName).toList();
    }

    private List<Prediction> predictions(EmbeddedSplit test, Evaluation eval) {
        List<Prediction> out = new ArrayList<>(test.size());
        for (int i = 0; i < test.size(); i++) {
            out.add(new Prediction(test.ids().get(i), classes.get(test.labels()[i]).originalName(),
                    classes.get(eval.predicted()[i]).originalName(), eval.confidence()[i]));
        }
        return out;
    }

    /** Rows of an embedded split picked by id (ids of unreadable images are left out). */
    private record Subset(float[][] features, int[] labels) {
        static Subset of(EmbeddedSplit split, Map<String, Integer> rowOf, List<String> ids) {
            List<float[]> f = new ArrayList<>(ids.size());
            List<Integer> l = new ArrayList<>(ids.size());
            for (String id : ids) {
                Integer row = rowOf.get(id);
                if (row != null) {
                    f.add(split.embeddings()[row]);
                    l.add(split.labels()[row]);
                }
            }
            return new Subset(f.toArray(new float[0][]), l.stream().mapToInt(Integer::intValue).toArray());
        }
    }
}
