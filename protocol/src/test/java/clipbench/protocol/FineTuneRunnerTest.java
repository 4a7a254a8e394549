package clipbench.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.FineTunable;
import clipbench.api.spi.HeadProvider;
import clipbench.api.spi.ImageBatch;
import clipbench.api.spi.TowerCut;
import clipbench.api.spi.TrainableParameter;
import clipbench.protocol.finetune.FineTuneMode;
import clipbench.protocol.finetune.FineTuneSettings;
import clipbench.protocol.finetune.TanhTop;
import clipbench.protocol.heads.LiteHeadProvider;
import clipbench.protocol.heads.ProHeadProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FineTuneRunnerTest {
    @BeforeAll
    static void tokens() throws IOException {
        RunnerTest.tokens();
    }

    /** The colour backbone with a two-block tower: the bottom is its colour means, the top a tanh layer pair. */
    static final class TunableColours extends FakeColorBackbone {
        int frozenImages;

        TunableColours(Path dir) {
            super(RunnerTest.colourTokens, true, dir);
        }

        @Override
        public Set<Capability> capabilities() {
            return EnumSet.of(Capability.TEXT_TOWER, Capability.FINE_TUNE);
        }

        @Override
        public FineTunable fineTunable() {
            return new FineTunable() {
                @Override
                public List<String> blocks() {
                    return List.of("block_1", "block_2");
                }

                @Override
                public TowerCut cut(int lastBlocks) {
                    return cutOf(new TanhTop(3, 4, 3, lastBlocks));
                }
            };
        }

        private TowerCut cutOf(TanhTop top) {
            return new TowerCut() {
                public String cutName() {
                    return "block_0";
                }

                public int activationLength() {
                    return 3;
                }

                public float[][] frozen(ImageBatch batch) {
                    frozenImages += batch.count();
                    return embedImages(batch);
                }

                public List<TrainableParameter> parameters() {
                    return top.parameters();
                }

                public float[][] forward(float[][] a, List<float[]> v) {
                    return top.forward(a, v);
                }

                public List<float[]> backward(float[][] a, List<float[]> v, float[][] up) {
                    return top.backward(a, v, up);
                }

                public void close() {
                }
            };
        }
    }

    static RunPlan plan(FakeColorBackbone backbone, Path dir, List<HeadProvider> heads, String modes)
            throws IOException {
        return plan(backbone, dir, heads, modes, null);
    }

    static RunPlan plan(FakeColorBackbone backbone, Path dir, List<HeadProvider> heads, String modes,
                        EmbeddingCache cache) throws IOException {
        Files.writeString(dir.resolve("none"), "stand-in artifact");
        return new RunPlan("run-ft", List.of(new RunPlan.BackendChoice(RunnerTest.provider(backbone),
                BackendOptions.defaults())), backbone.card(), RunnerTest.coloursWithTraining(),
                List.of(new RunPlan.UpsamplerChoice("none", (img, side) -> img)), List.of("k-shot"), heads,
                List.of(2, 4), 2, 2, PromptTemplates.PHOTO, 4, cache, 0, FineTuneMode.parseList(modes),
                FineTuneSettings.DEFAULTS);
    }

    @Test
    void lastZeroRowsAreTheHeadRows(@TempDir Path dir) throws IOException {
        FakeColorBackbone backbone = new FakeColorBackbone(RunnerTest.colourTokens, true, dir);
        RunnerTest.MemorySink sink = new RunnerTest.MemorySink();
        new Runner(plan(backbone, dir, List.of(new LiteHeadProvider(), new ProHeadProvider()), "head,last:0"), sink,
                ProgressListener.NONE).run();
        List<ResultRow> head = sink.rows.stream().filter(r -> r.training().finetune().equals("head")).toList();
        List<ResultRow> last0 = sink.rows.stream().filter(r -> r.training().finetune().equals("last:0")).toList();
        assertEquals(2 * 2 * 2, head.size(), "k x seeds x heads");
        assertEquals(head.size(), last0.size());
        for (int i = 0; i < head.size(); i++) {
            ResultRow a = head.get(i);
            ResultRow b = last0.get(i);
            assertEquals(RunPlan.K_SHOT, a.protocol());
            assertEquals(RunPlan.FINE_TUNE, b.protocol());
            assertEquals(List.of(a.head(), a.k(), a.seed()), List.of(b.head(), b.k(), b.seed()));
            assertEquals(a.selected(), b.selected(), "same selected settings");
            assertEquals(a.top1(), b.top1(), "same accuracy");
            assertEquals(a.trainableParams(), b.trainableParams());
            assertFalse(a.key().equals(b.key()), "rows of their own");
        }
    }

    @Test
    void anInferenceOnlyBackendGetsNoteRowsNotNumbers(@TempDir Path dir) throws IOException {
        FakeColorBackbone backbone = new FakeColorBackbone(RunnerTest.colourTokens, true, dir); // no FINE_TUNE
        RunnerTest.MemorySink sink = new RunnerTest.MemorySink();
        new Runner(plan(backbone, dir, List.of(new LiteHeadProvider()), "head,last:1"), sink,
                ProgressListener.NONE).run();
        List<ResultRow> tuned = sink.rows.stream().filter(r -> r.protocol().equals(RunPlan.FINE_TUNE)).toList();
        assertEquals(2 * 2, tuned.size());
        for (ResultRow r : tuned) {
            assertEquals("last:1", r.training().finetune());
            assertTrue(Double.isNaN(r.top1()), "no accuracy");
            assertEquals(0, r.trainableParams());
            assertTrue(r.note().contains("inference-only"), r.note());
        }
        assertTrue(sink.rows.stream().filter(r -> r.protocol().equals(RunPlan.K_SHOT))
                .allMatch(r -> r.top1() == 1.0), "the head rows still run");
    }

    @Test
    void fineTuneRowsTrainTheTopOnActivationsComputedOncePerImage(@TempDir Path dir) throws IOException {
        TunableColours backbone = new TunableColours(dir);
        RunnerTest.MemorySink sink = new RunnerTest.MemorySink();
        new Runner(plan(backbone, dir, List.of(new LiteHeadProvider(), new ProHeadProvider()), "last:1,all"), sink,
                ProgressListener.NONE).run();
        assertEquals(2 * 2 * 2 * 2, sink.rows.size(), "modes x k x seeds x heads; no head rows asked");
        // 12 readable test images + the training images some draw uses, once per mode's cut.
        int trainUsed = (int) sink.manifests.values().stream().flatMap(s -> java.util.stream.Stream.concat(
                s.train().stream(), s.validation().stream())).distinct().count();
        assertEquals(2 * (12 + trainUsed), backbone.frozenImages, "activations once per image and cut");
        for (Outcome o : sink.outcomes) {
            ResultRow r = o.row();
            assertEquals(RunPlan.FINE_TUNE, r.protocol());
            assertTrue(r.note().isEmpty() || !r.note().contains("inference"), r.note());
            if (r.head().equals("lite")) {
                assertTrue(r.top1() > 0.5, "started from the linear probe: " + r);
            } // pro starts from text embeddings the random test top does not match; only selection is checked
            int best = Integer.parseInt(r.selected().get("best_epoch"));
            assertTrue(o.training().get(best).valAccuracy() >= o.training().get(0).valAccuracy());
            assertEquals(r.training().epochs() + 1, o.training().size(), "epoch 0 and every epoch run");
            assertTrue(r.training().epochs() >= 1);
            assertTrue(r.selected().containsKey("best_epoch"));
            long top = 4 * 3 + 4 + 3 * 4;
            assertEquals(top + (r.head().equals("lite") ? 3 * 3 + 3 : 3 * 3 + 1), r.trainableParams());
            assertTrue(Double.isNaN(r.training().peakRssMb()) || r.training().peakRssMb() > 0);
        }
        assertTrue(sink.provenance.identity().containsKey("finetune"), "settings are provenance");
    }

    @Test
    void activationsAreCachedByCutAndASecondRunGivesTheSameRows(@TempDir Path dir) throws IOException {
        EmbeddingCache cache = new EmbeddingCache(dir.resolve("cache"));
        TunableColours first = new TunableColours(dir);
        RunnerTest.MemorySink a = new RunnerTest.MemorySink();
        new Runner(plan(first, dir, List.of(new LiteHeadProvider()), "head,last:1", cache), a, ProgressListener.NONE)
                .run();
        assertTrue(first.frozenImages > 0);
        TunableColours second = new TunableColours(dir);
        RunnerTest.MemorySink b = new RunnerTest.MemorySink();
        new Runner(plan(second, dir, List.of(new LiteHeadProvider()), "head,last:1", cache), b, ProgressListener.NONE)
                .run();
        assertEquals(0, second.frozenImages, "the activations came from the cache");
        assertEquals(a.rows.size(), b.rows.size());
        for (int i = 0; i < a.rows.size(); i++) {
            assertEquals(a.rows.get(i).top1(), b.rows.get(i).top1());
            assertEquals(a.rows.get(i).selected(), b.rows.get(i).selected());
            assertEquals(a.outcomes.get(i).training(), b.outcomes.get(i).training(), "byte-identical training");
        }
        // Embeddings (normalised) and activations (raw) of the same images are different blocks.
        try (var files = Files.list(dir.resolve("cache"))) {
            long indexes = files.filter(f -> f.toString().endsWith(".json")).count();
            assertEquals(4, indexes, "test + training embeddings, test + training activations");
        }
    }
}
