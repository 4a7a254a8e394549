package clipbench.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.image.RgbImage;
import clipbench.api.model.ModelCard;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import clipbench.clip.text.ClipTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunnerTest {
    static final String[] COLOURS = {"red", "green", "blue"};
    static int[] colourTokens;
    static Path vocab;

    @BeforeAll
    static void tokens() throws IOException {
        vocab = PromptTemplatesTest.shared().resolve("clip/bpe_simple_vocab_16e6.txt.gz");
        System.setProperty(ModelCard.VOCAB_PROPERTY, vocab.toString());
        ClipTokenizer tok = ClipTokenizer.load(vocab);
        colourTokens = new int[3];
        for (int c = 0; c < 3; c++) {
            int[] ids = tok.encode(COLOURS[c]);
            assertEquals(1, ids.length, COLOURS[c] + " is one BPE token");
            colourTokens[c] = ids[0];
        }
    }

    /** 3 classes x 4 pure-colour images, plus one unreadable item. */
    static Dataset colours() {
        List<ClassInfo> classes = new ArrayList<>();
        List<DatasetItem> items = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            classes.add(new ClassInfo(c, COLOURS[c] + "_1", COLOURS[c]));
            int[] rgb = new int[3];
            rgb[c] = 255;
            for (int i = 0; i < 4; i++) {
                RgbImage img = RgbImage.filled(10 + i, 12, rgb[0], rgb[1], rgb[2]);
                items.add(new DatasetItem("Test/" + COLOURS[c] + "/" + i + ".png", c, () -> img));
            }
        }
        items.add(new DatasetItem("Test/red/broken.png", 0, () -> {
            throw new IOException("Test/red/broken.png: not an image");
        }));
        return new Dataset() {
            public String name() {
                return "colours";
            }

            public List<String> splits() {
                return List.of("Test");
            }

            public List<ClassInfo> classes() {
                return classes;
            }

            public List<DatasetItem> items(String split) {
                return items;
            }
        };
    }

    static final class MemorySink implements Runner.Sink {
        final List<ResultRow> rows = new ArrayList<>();
        final List<Outcome> outcomes = new ArrayList<>();
        final List<List<Prediction>> predictions = new ArrayList<>();
        final List<String> done = new ArrayList<>();
        final java.util.Map<String, Shots> manifests = new java.util.HashMap<>();
        final java.util.Map<ThumbnailKey, RgbImage> thumbnails = new java.util.LinkedHashMap<>();
        final List<String> events = new ArrayList<>();
        RunProvenance provenance;
        List<ClassCount> classes;

        public boolean done(String key) {
            return done.contains(key);
        }

        public void provenance(RunProvenance p) {
            events.add("provenance");
            provenance = p;
        }

        public void classes(List<ClassCount> counts) {
            events.add("classes");
            classes = counts;
        }

        public void accept(Outcome o) {
            events.add("row");
            rows.add(o.row());
            outcomes.add(o);
            predictions.add(o.predictions());
        }

        public Shots shots(int k, long seed, java.util.function.Supplier<Shots> sample) {
            return manifests.computeIfAbsent(k + "/" + seed, key -> sample.get());
        }

        @Override
        public boolean hasThumbnail(ThumbnailKey key) {
            return thumbnails.containsKey(key);
        }

        @Override
        public void thumbnail(ThumbnailKey key, RgbImage upsampled) {
            assertTrue(thumbnails.put(key, upsampled) == null, "stored twice: " + key);
        }
    }

    static BackboneProvider provider(FakeColorBackbone backbone) {
        return new BackboneProvider() {
            public String id() {
                return "fake";
            }

            public String description() {
                return "test double";
            }

            public String artifactFormat() {
                return "fake";
            }

            public String runtimeVersion() {
                return "fake 1";
            }

            public clipbench.api.spi.Backbone open(ModelCard card, BackendOptions options) {
                return backbone;
            }
        };
    }

    RunPlan plan(FakeColorBackbone backbone, Path dir) throws IOException {
        Files.writeString(dir.resolve("none"), "stand-in artifact");
        return new RunPlan("run-1", List.of(new RunPlan.BackendChoice(provider(backbone), BackendOptions.defaults())),
                backbone.card(), colours(), List.of(new RunPlan.UpsamplerChoice("none", (img, side) -> img)),
                List.of("zero-shot"), List.of(new ZeroShotHeadProvider()), List.of(), 1, 0, PromptTemplates.PHOTO, 5,
                null);
    }

    @Test
    void zeroShotClassifiesByPromptAndSkipsUnreadableImages(@TempDir Path dir) throws IOException {
        FakeColorBackbone backbone = new FakeColorBackbone(colourTokens, true, dir);
        MemorySink sink = new MemorySink();
        new Runner(plan(backbone, dir), sink, ProgressListener.NONE).run();
        assertEquals(1, sink.rows.size());
        ResultRow row = sink.rows.get(0);
        assertEquals(1.0, row.top1(), "pure colours match their colour word");
        assertEquals(12, row.nTest());
        assertEquals(1, row.skipped());
        assertEquals(List.of(5, 5, 2), backbone.batchSizes, "batches of 5, last one partial");
        assertEquals(12, sink.predictions.get(0).size());
        assertEquals("red_1", sink.predictions.get(0).get(0).trueClass());
        assertEquals(ModelCardsSha.of(dir.resolve("none")), row.provenance().modelSha256());
    }

    @Test
    void resumeSkipsStoredRowsAndTextlessBackbonesGetANote(@TempDir Path dir) throws IOException {
        FakeColorBackbone imageOnly = new FakeColorBackbone(colourTokens, false, dir);
        MemorySink sink = new MemorySink();
        Runner runner = new Runner(plan(imageOnly, dir), sink, ProgressListener.NONE);
        runner.run();
        assertEquals("needs a text tower", sink.rows.get(0).note());
        assertTrue(Double.isNaN(sink.rows.get(0).top1()));

        sink.done.add(sink.rows.get(0).key());
        imageOnly.batchSizes.clear();
        runner.run();
        assertEquals(1, sink.rows.size(), "a stored row is not computed again");
        assertTrue(imageOnly.batchSizes.isEmpty(), "nothing was embedded on resume");
    }

    /** An upsampler whose output is told from its input: a square of the input's top-left colour. */
    static final clipbench.api.spi.Upsampler SQUARE = (img, side) -> RgbImage.filled(side, side, img.r(0, 0),
            img.g(0, 0), img.b(0, 0));

    @Test
    void testImagesAreKeptAsTheUpsamplerMadeThemAndRemadeWhenEmbeddingsComeFromTheCache(@TempDir Path dir)
            throws IOException {
        FakeColorBackbone backbone = new FakeColorBackbone(colourTokens, true, dir);
        RunPlan base = plan(backbone, dir);
        RunPlan plan = new RunPlan(base.runId(), base.backends(), base.card(), base.dataset(),
                List.of(new RunPlan.UpsamplerChoice("square", SQUARE)), base.protocols(), base.heads(), base.ks(),
                base.seeds(), base.validationPerClass(), base.templates(), base.batchSize(),
                new EmbeddingCache(dir.resolve("cache")));
        MemorySink first = new MemorySink();
        new Runner(plan, first, ProgressListener.NONE).run();
        java.util.Map<Boolean, List<ThumbnailKey>> byKind = first.thumbnails.keySet().stream()
                .collect(java.util.stream.Collectors.partitioningBy(k -> k.upsampler().equals(ThumbnailKey.ORIGINAL)));
        assertEquals(12, byKind.get(false).size(), "every readable test image (fewer than the bound)");
        int side = backbone.card().preprocess().imageSize();
        for (java.util.Map.Entry<ThumbnailKey, RgbImage> e : first.thumbnails.entrySet()) {
            ThumbnailKey key = e.getKey();
            assertEquals("colours", key.dataset());
            RgbImage source = colours().items("Test").stream().filter(i -> i.id().equals(key.item())).findFirst()
                    .orElseThrow().load();
            if (key.upsampler().equals(ThumbnailKey.ORIGINAL)) {
                assertEquals(source, e.getValue(), "the dataset's image before the upsampler, " + key.item());
            } else {
                assertEquals("square", key.upsampler());
                assertEquals(SQUARE.upsample(source, side), e.getValue(), "the upsampler's output, " + key.item());
            }
        }
        java.util.Set<String> predicted = new java.util.HashSet<>();
        first.predictions.get(0).forEach(p -> predicted.add(p.image()));
        assertEquals(predicted, byKind.get(false).stream().map(ThumbnailKey::item)
                .collect(java.util.stream.Collectors.toSet()), "named as predictions.csv names the images");
        // originals: the first candidates (classes in turn) that the embedding pass could read
        List<String> firstCandidates = GalleryThumbnails.candidates(colours().items("Test"),
                        colours().classes().stream().map(ClassInfo::originalName).toList(), GalleryThumbnails.ORIGINALS)
                .stream().map(DatasetItem::id).filter(predicted::contains).toList();
        assertFalse(firstCandidates.isEmpty());
        assertEquals(firstCandidates, byKind.get(true).stream().map(ThumbnailKey::item).toList());

        // Cached embeddings: the backbone is not run, yet a new sink gets the same thumbnails.
        backbone.batchSizes.clear();
        MemorySink second = new MemorySink();
        new Runner(plan, second, ProgressListener.NONE).run();
        assertEquals(1.0, second.rows.get(0).top1());
        assertTrue(backbone.batchSizes.isEmpty(), "no image embedded on the second run");
        assertEquals(first.thumbnails, second.thumbnails);
    }

    @Test
    void thumbnailCandidatesAreBoundedTakeClassesInTurnAndIgnoreItemOrder() {
        List<DatasetItem> items = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 30; i++) {
                items.add(new DatasetItem(String.format("%s/%02d", COLOURS[c], i), c, () -> null));
            }
        }
        List<String> names = List.of(COLOURS);
        List<DatasetItem> picked = GalleryThumbnails.candidates(items, names, 48);
        assertEquals(48, picked.size());
        // blue, green, red (by name), each from its first image on
        assertEquals(List.of("blue/00", "green/00", "red/00", "blue/01"),
                picked.subList(0, 4).stream().map(DatasetItem::id).toList());
        assertEquals(16, picked.stream().filter(i -> i.label() == 0).count());
        List<DatasetItem> reversed = new ArrayList<>(items);
        java.util.Collections.reverse(reversed);
        assertEquals(picked, GalleryThumbnails.candidates(reversed, names, 48));
        assertEquals(5, GalleryThumbnails.candidates(items.subList(0, 5), names, 48).size());
    }

    @Test
    void provenanceComesFirstAndClassesCountImagesAndSkipsPerSplit(@TempDir Path dir) throws IOException {
        FakeColorBackbone backbone = new FakeColorBackbone(colourTokens, true, dir);
        RunPlan colours = plan(backbone, dir);
        Dataset data = coloursWithTraining();
        RunPlan plan = new RunPlan("run-3", colours.backends(), colours.card(), data, colours.upsamplers(),
                List.of("zero-shot", "k-shot"), List.of(new ZeroShotHeadProvider(), new MeanHead(false)), List.of(1),
                1, 0, PromptTemplates.PHOTO, 5, null);
        MemorySink sink = new MemorySink();
        new Runner(plan, sink, ProgressListener.NONE).run();

        assertEquals(List.of("provenance", "classes"), sink.events.subList(0, 2), "before any work");
        java.util.Map<String, Object> identity = sink.provenance.identity();
        assertEquals(data.fingerprint(), ((java.util.Map<?, ?>) identity.get("dataset")).get("fingerprint"));
        java.util.Map<?, ?> fake = (java.util.Map<?, ?>) ((java.util.Map<?, ?>) identity.get("backends")).get("fake");
        assertEquals(ModelCardsSha.of(dir.resolve("none")), fake.get("model_sha256"));
        assertEquals("fake 1", fake.get("runtime_version"));
        assertEquals(List.of("zero-shot", "mean"), List.copyOf(((java.util.Map<?, ?>) identity.get("heads")).keySet()));
        assertEquals(5, sink.provenance.session().get("batch_size"));
        assertTrue(sink.provenance.session().containsKey("java"));

        assertEquals(List.of(new ClassCount("red_1", "red", 10, 5, 0, 1), new ClassCount("green_1", "green", 10, 4, 0, 0),
                new ClassCount("blue_1", "blue", 10, 4, 0, 0)), sink.classes, "broken.png is red's test image");
    }

    /** The SHA-256 the runner must record for a single artifact file. */
    static final class ModelCardsSha {
        static String of(Path file) throws IOException {
            return clipbench.api.model.ModelCards.sha256(List.of(file));
        }
    }

    /** A trainable test double: nearest class mean of the training rows; records what it was given. */
    static final class MeanHead implements clipbench.api.spi.HeadProvider {
        final List<clipbench.api.spi.HeadInputs> seen = new ArrayList<>();
        final boolean needsText;

        MeanHead(boolean needsText) {
            this.needsText = needsText;
        }

        public String id() {
            return needsText ? "mean-text" : "mean";
        }

        public String description() {
            return "test double";
        }

        public boolean needsText() {
            return needsText;
        }

        public boolean trainable() {
            return true;
        }

        public clipbench.api.spi.Head fit(clipbench.api.spi.HeadInputs in) {
            seen.add(in);
            float[][] means = new float[in.numClasses()][3];
            for (int i = 0; i < in.trainLabels().length; i++) {
                for (int d = 0; d < 3; d++) {
                    means[in.trainLabels()[i]][d] += in.trainFeatures()[i][d];
                }
            }
            return new clipbench.api.spi.Head() {
                public float[][] logits(float[][] x) {
                    return Vectors.scaledProducts(x, Vectors.normalizeRows(means), 1);
                }

                public long trainableParameters() {
                    return 9;
                }
            };
        }
    }

    /** The colour dataset with a training split of 10 images per class. */
    static Dataset coloursWithTraining() {
        Dataset test = colours();
        List<DatasetItem> train = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            int[] rgb = new int[3];
            rgb[c] = 200;
            for (int i = 0; i < 10; i++) {
                RgbImage img = RgbImage.filled(9, 9 + i, rgb[0], rgb[1], rgb[2]);
                train.add(new DatasetItem("Training/" + COLOURS[c] + "/" + i + ".png", c, () -> img));
            }
        }
        return new Dataset() {
            public String name() {
                return "colours";
            }

            public List<String> splits() {
                return List.of("Training", "Test");
            }

            public List<ClassInfo> classes() {
                return test.classes();
            }

            public List<DatasetItem> items(String split) {
                return split.equals("Training") ? train : test.items("Test");
            }
        };
    }

    @Test
    void kShotFitsEveryHeadAtEveryKAndSeedOnTheSameShotsForEveryBackend(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("none"), "stand-in artifact");
        FakeColorBackbone a = new FakeColorBackbone(colourTokens, false, dir);
        FakeColorBackbone b = new FakeColorBackbone(colourTokens, false, dir);
        MeanHead head = new MeanHead(false);
        MeanHead textHead = new MeanHead(true);
        RunPlan plan = new RunPlan("run-2", List.of(
                new RunPlan.BackendChoice(provider(a), BackendOptions.defaults()),
                new RunPlan.BackendChoice(renamed(provider(b), "fake-b"), BackendOptions.defaults())),
                a.card(), coloursWithTraining(), List.of(new RunPlan.UpsamplerChoice("none", (img, side) -> img)),
                List.of("k-shot"), List.of(head, textHead), List.of(1, 2, Shots.ALL), 2, 1, PromptTemplates.PHOTO, 4,
                new EmbeddingCache(dir.resolve("cache")));
        MemorySink sink = new MemorySink();
        new Runner(plan, sink, ProgressListener.NONE).run();
        assertEquals(2 * 3 * 2 * 2, sink.rows.size(), "backends x k x seeds x heads");
        assertEquals(6, sink.manifests.size(), "one draw per (k, seed), shared by both backends");
        assertEquals(2 * 3 * 2, head.seen.size());
        assertTrue(textHead.seen.isEmpty(), "a head needing text is skipped on an image-only backbone");
        assertTrue(sink.rows.stream().filter(r -> r.head().equals("mean-text"))
                .allMatch(r -> r.note().equals("needs a text tower")));
        for (ResultRow r : sink.rows) {
            if (r.head().equals("mean")) {
                assertEquals(1.0, r.top1(), "class means of pure colours classify pure colours");
                int expectedTrain = r.k() == Shots.ALL ? 3 * 10 - 3 : 3 * r.k();
                assertEquals(expectedTrain, r.nTrain(), "k=" + r.k());
            }
        }
        for (clipbench.api.spi.HeadInputs in : head.seen) {
            assertTrue(in.valFeatures().length >= 3, "validation rows come from the training split");
        }
        assertTrue(sink.rows.stream().allMatch(r -> r.timing() == EmbeddedSplit.TimingSource.FRESH
                && r.timedImages() == r.nTest() && !r.cached()), "embedded by this run: a fresh measurement");
        assertTrue(sink.rows.stream().allMatch(r -> r.steadyImages() == r.nTest() - 4),
                "batches of 4: the rate is over the images after the first batch");
        MemorySink again = new MemorySink();
        new Runner(plan, again, ProgressListener.NONE).run();
        assertTrue(again.rows.stream().allMatch(r -> r.timing() == EmbeddedSplit.TimingSource.CACHED && r.cached()),
                "read from the cache: marked as the cached block's timing");
        assertTrue(again.rows.stream().allMatch(r -> r.steadyImages() == r.nTest() - 4), "and its steady state");
    }

    /** Colours with {@code perClass[c]} training images of class c; class {@code unreadable} cannot be read. */
    static Dataset colours(int[] perClass, int unreadable) {
        Dataset test = colours();
        List<DatasetItem> train = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            int[] rgb = new int[3];
            rgb[c] = 200;
            for (int i = 0; i < perClass[c]; i++) {
                RgbImage img = RgbImage.filled(9, 9 + i, rgb[0], rgb[1], rgb[2]);
                String id = "Training/" + COLOURS[c] + "/" + i + ".png";
                train.add(new DatasetItem(id, c, c != unreadable ? () -> img : () -> {
                    throw new IOException(id + ": not an image");
                }));
            }
        }
        return new Dataset() {
            public String name() {
                return "colours";
            }

            public List<String> splits() {
                return List.of("Training", "Test");
            }

            public List<ClassInfo> classes() {
                return test.classes();
            }

            public List<DatasetItem> items(String split) {
                return split.equals("Training") ? train : test.items("Test");
            }
        };
    }

    List<ResultRow> kShot(Path dir, Dataset data, int k) throws IOException {
        Files.writeString(dir.resolve("none"), "stand-in artifact");
        FakeColorBackbone a = new FakeColorBackbone(colourTokens, false, dir);
        RunPlan plan = new RunPlan("run-3", List.of(new RunPlan.BackendChoice(provider(a), BackendOptions.defaults())),
                a.card(), data, List.of(new RunPlan.UpsamplerChoice("none", (img, side) -> img)), List.of("k-shot"),
                List.of(new MeanHead(false)), List.of(k), 1, 1, PromptTemplates.PHOTO, 4, null);
        MemorySink sink = new MemorySink();
        new Runner(plan, sink, ProgressListener.NONE).run();
        return sink.rows;
    }

    /** k=4 on a class of 2 images: the row says it used 2, and that validation fell short. */
    @Test
    void aRowThatUsedFewerShotsThanItsKSaysSo(@TempDir Path dir) throws IOException {
        ResultRow row = kShot(dir, colours(new int[] {10, 2, 10}, -1), 4).get(0);
        assertEquals(2, row.kEffective());
        assertEquals(4 + 2 + 4, row.nTrain());
        assertEquals(0, row.trainSkipped());
        assertTrue(row.note().contains("k=4 used fewer shots for 1 classes (green_1 2)"), row.note());
        assertTrue(row.note().contains("2 of 3 validation rows"), row.note());

        ResultRow plenty = kShot(dir, colours(new int[] {10, 10, 10}, -1), 4).get(0);
        assertEquals(4, plenty.kEffective());
        assertEquals("", plenty.note(), "a row that is what its k says has no note");
    }

    /** A class whose drawn training images are all unreadable is not silently dropped: the row is refused. */
    @Test
    void aClassWithoutReadableShotsRefusesTheRowNamingIt(@TempDir Path dir) throws IOException {
        ResultRow row = kShot(dir, colours(new int[] {10, 10, 10}, 2), 4).get(0);
        assertTrue(Double.isNaN(row.top1()), "not evaluated");
        assertEquals(0, row.kEffective());
        assertEquals(4 + 1, row.trainSkipped(), "blue's 4 shots and 1 validation image, counted per split");
        assertTrue(row.note().startsWith("not run") && row.note().contains("blue_1"), row.note());
    }

    static BackboneProvider renamed(BackboneProvider p, String id) {
        return new BackboneProvider() {
            public String id() {
                return id;
            }

            public String description() {
                return p.description();
            }

            public String artifactFormat() {
                return p.artifactFormat();
            }

            public String runtimeVersion() {
                return p.runtimeVersion();
            }

            public clipbench.api.spi.Backbone open(ModelCard card, BackendOptions options) throws IOException {
                return p.open(card, options);
            }
        };
    }
}
