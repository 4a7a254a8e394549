package clipbench.backend.djl;

import clipbench.checkpoint.fixtures.CheckpointFixtures;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.ImageBatch;
import clipbench.checkpoint.Checkpoint;
import clipbench.checkpoint.ClipArchitecture;
import clipbench.checkpoint.ClipArchitecture.Activation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CLIP built from a checkpoint with libtorch operations ({@link ClipNet}): OpenAI's golden outputs, the traced
 * TorchScript towers of the same weights, the card's activation and end-of-text pooling, and when a card runs it.
 */
class ClipNetTest {
    private static final JsonNode GOLDEN = ContractFixtures.golden();
    private static final double GOLDEN_TOLERANCE = 1e-5;
    /** ClipNet vs the traced towers of the same weights (same libtorch, other kernels and summation orders). */
    /**
     * ClipNet runs ModifiedResNet channels-last, the traced tower NCHW: different convolution kernels, whose rounding
     * differs by up to 1.3e-5 where oneDNN is capped at SSE4.1 (see DjlRuntime).
     */
    private static final double TRACED_TOLERANCE = 3e-5;
    private final DjlBackboneProvider provider = new DjlBackboneProvider();

    @Test
    void visionTransformerMatchesOpenAi() {
        Checkpoint weights = CheckpointFixtures.golden("vit_weights", "visual.");
        ClipArchitecture arch = ClipArchitecture.infer(weights, ContractFixtures.goldenVitCard());
        assertInstanceOf(ClipArchitecture.Vit.class, arch.vision());
        assertNull(arch.text());
        float[] nchw = ContractFixtures.goldenVitInputNchw();
        int size = arch.imageResolution();
        try (ClipNet net = ClipNet.build(weights, arch, false, ai.djl.Device.cpu(), 0)) {
            check("vit", net.embedImages(nchw, 1, size)[0], ContractFixtures.flatten(GOLDEN.path("vit_output")));
        }
    }

    @Test
    void residualAttentionBlockMatchesOpenAi() {
        JsonNode cfg = GOLDEN.path("attn_config");
        // OpenAI's block runs LND; the golden [1, 4, 8] is one sequence of 4 tokens, as this batch-first block takes it
        try (ClipNet net = ClipNet.ofWeights(CheckpointFixtures.golden("attn_weights", ""), ai.djl.Device.cpu())) {
            float[] out = net.residualBlock(ContractFixtures.flatten(GOLDEN.path("attn_input")), new Shape(1, 4, 8), "",
                    cfg.path("n_head").asInt(), Activation.QUICK_GELU);
            check("attn", out, ContractFixtures.flatten(GOLDEN.path("attn_output")));
        }
    }

    /** The same weights as the fixture's traced visual.pt / textual.pt, run by libtorch: equal up to rounding. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-clip-vit", "tiny-clip-rn"})
    void equalsTheTracedTowersOfTheSameWeights(String fixture, @TempDir Path tmp) throws IOException {
        ModelCard traced = ModelCards.load(CheckpointCards.fixture(fixture));
        ModelCard built = ModelCards.load(CheckpointCards.checkpointOnly(fixture, tmp.resolve(fixture)));
        assertEquals(List.of(built.directory().resolve("model.safetensors")), provider.artifactFiles(built),
                "the model hash covers the checkpoint that runs");
        ImageBatch images = ContractFixtures.sineImages(0, 4, 224);
        int[][] tokens = ContractFixtures.goldenTokens();
        try (Backbone a = provider.open(traced, BackendOptions.defaults());
             DjlBackbone b = provider.open(built, BackendOptions.defaults())) {
            assertTrue(b.capabilities().contains(Capability.TEXT_TOWER));
            double image = ContractFixtures.maxAbsDiff(b.embedImages(images), a.embedImages(images));
            double text = ContractFixtures.maxAbsDiff(b.embedTokens(tokens), a.embedTokens(tokens));
            System.out.printf("[djl] %s ClipNet vs traced TorchScript: image max |diff| %.3e, text %.3e%n", fixture,
                    image, text);
            assertTrue(image <= TRACED_TOLERANCE, "image embeddings differ by " + image);
            assertTrue(text <= TRACED_TOLERANCE, "text embeddings differ by " + text);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-clip-vit", "tiny-clip-rn"})
    void callsLeaveNoNativeArraysBehind(String fixture, @TempDir Path tmp) throws IOException {
        ModelCard card = ModelCards.load(CheckpointCards.checkpointOnly(fixture, tmp.resolve(fixture)));
        try (DjlBackbone backbone = provider.open(card, BackendOptions.defaults())) {
            int before = backbone.liveArrays();
            backbone.embedImages(ContractFixtures.sineImages(0, 3, 224));
            backbone.embedTokens(ContractFixtures.goldenTokens());
            assertEquals(before, backbone.liveArrays());
        }
    }

    /** The weights are only read: calls from several threads at once give what each gives alone. */
    @Test
    void concurrentCallsGiveTheSequentialResults(@TempDir Path tmp) throws Exception {
        ModelCard card = ModelCards.load(CheckpointCards.checkpointOnly("tiny-clip-vit", tmp.resolve("vit")));
        try (Backbone backbone = provider.open(card, new BackendOptions(1, clipbench.api.spi.Device.CPU))) {
            int calls = 8;
            float[][][] images = new float[calls][][];
            float[][][] texts = new float[calls][][];
            int[][] tokens = ContractFixtures.goldenTokens();
            for (int i = 0; i < calls; i++) {
                images[i] = backbone.embedImages(ContractFixtures.sineImages(i, 2, 224));
                texts[i] = backbone.embedTokens(tokens);
            }
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<Double>> diffs = new ArrayList<>();
                for (int round = 0; round < 3; round++) {
                    for (int i = 0; i < calls; i++) {
                        int call = i;
                        diffs.add(pool.submit(() -> Math.max(
                                ContractFixtures.maxAbsDiff(backbone.embedImages(ContractFixtures.sineImages(call, 2,
                                        224)), images[call]),
                                ContractFixtures.maxAbsDiff(backbone.embedTokens(tokens), texts[call]))));
                    }
                }
                for (java.util.concurrent.Future<Double> diff : diffs) {
                    assertEquals(0, diff.get(), 1e-6);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** A TorchScript export listed on the card runs, not the checkpoint beside it (and its files are hashed). */
    @Test
    void torchScriptWinsOverTheCheckpoint() throws IOException {
        ModelCard both = ModelCards.load(CheckpointCards.fixture("tiny-clip-vit"));
        assertTrue(both.artifact("safetensors", "checkpoint").isPresent());
        assertTrue(DjlBackbone.checkpoint(both).isEmpty());
        assertEquals(List.of("textual.pt", "visual.pt"),
                provider.artifactFiles(both).stream().map(p -> p.getFileName().toString()).sorted().toList());
    }

    /** {@code architecture.activation: gelu} reaches the blocks: other embeddings than OpenAI's QuickGELU. */
    @Test
    void theCardsActivationIsUsed(@TempDir Path tmp) throws IOException {
        ModelCard quick = ModelCards.load(CheckpointCards.checkpointOnly("tiny-clip-vit", tmp.resolve("quick")));
        ModelCard gelu = ModelCards.load(CheckpointCards.dir("tiny-clip-vit", tmp.resolve("gelu"),
                Map.of("safetensors", Map.of("checkpoint", "model.safetensors")), a -> a.put("activation", "gelu")));
        ImageBatch images = ContractFixtures.sineImages(0, 2, 224);
        try (Backbone a = provider.open(quick, BackendOptions.defaults());
             Backbone b = provider.open(gelu, BackendOptions.defaults())) {
            double diff = ContractFixtures.maxAbsDiff(a.embedImages(images), b.embedImages(images));
            assertTrue(diff > 1e-4, "GELU and QuickGELU gave the same embeddings (max |diff| " + diff + ")");
        }
    }

    /**
     * One block whose attention adds nothing and whose MLP sees the constant {@code ln_2.bias} (weight 0) through
     * identity layers: its output is {@code x + act(bias)}, computed here by hand for both activations.
     */
    @Test
    void activationsMatchTheirFormulas() {
        float[] bias = {-1.5f, 0.7f};
        // x·Φ(x) from Python's math.erf: b * 0.5 * (1 + erf(b / sqrt(2)))
        double[] gelu = {-0.10021080190328713, 0.5306254434438489};
        float[] x = {0.25f, -2f, 1f, 3f}; // [1, 2 tokens, width 2]
        Map<String, float[]> v = new LinkedHashMap<>();
        Map<String, long[]> s = new LinkedHashMap<>();
        put(s, v, "ln_1.weight", new long[] {2}, 1, 1);
        put(s, v, "ln_1.bias", new long[] {2}, 0, 0);
        put(s, v, "attn.in_proj_weight", new long[] {6, 2}, new float[12]);
        put(s, v, "attn.in_proj_bias", new long[] {6}, new float[6]);
        put(s, v, "attn.out_proj.weight", new long[] {2, 2}, new float[4]);
        put(s, v, "attn.out_proj.bias", new long[] {2}, new float[2]);
        put(s, v, "ln_2.weight", new long[] {2}, 0, 0);
        put(s, v, "ln_2.bias", new long[] {2}, bias);
        put(s, v, "mlp.c_fc.weight", new long[] {2, 2}, 1, 0, 0, 1);
        put(s, v, "mlp.c_fc.bias", new long[] {2}, 0, 0);
        put(s, v, "mlp.c_proj.weight", new long[] {2, 2}, 1, 0, 0, 1);
        put(s, v, "mlp.c_proj.bias", new long[] {2}, 0, 0);
        try (ClipNet net = ClipNet.ofWeights(Checkpoint.of("hand-made block", s, v), ai.djl.Device.cpu())) {
            float[] g = net.residualBlock(x, new Shape(1, 2, 2), "", 1, Activation.GELU);
            float[] q = net.residualBlock(x, new Shape(1, 2, 2), "", 1, Activation.QUICK_GELU);
            for (int i = 0; i < x.length; i++) {
                double b = bias[i % 2];
                assertEquals(x[i] + gelu[i % 2], g[i], 1e-6, "GELU, value " + i);
                assertEquals(x[i] + b / (1 + Math.exp(-1.702 * b)), q[i], 1e-6, "QuickGELU, value " + i);
            }
        }
    }

    /**
     * {@code architecture.eos_token_id} pools the first position holding that id (transformers), not the largest id
     * (OpenAI). The mask is causal, so the row at position p depends only on ids 0..p: pooling {@code [5, 7, 100,
     * 3, 200, 0...]} at its first 100 equals OpenAI's argmax pooling of {@code [5, 7, 100, 0...]}.
     */
    @Test
    void anEndOfTextIdPoolsItsFirstPosition(@TempDir Path tmp) throws IOException {
        ModelCard argmax = ModelCards.load(CheckpointCards.checkpointOnly("tiny-clip-vit", tmp.resolve("argmax")));
        ModelCard eos = ModelCards.load(CheckpointCards.dir("tiny-clip-vit", tmp.resolve("eos"),
                Map.of("safetensors", Map.of("checkpoint", "model.safetensors")), a -> a.put("eos_token_id", 100)));
        int[] row = new int[77];
        int[] prefix = new int[77];
        int[] ids = {5, 7, 100, 3, 200, 100};
        System.arraycopy(ids, 0, row, 0, ids.length);
        System.arraycopy(ids, 0, prefix, 0, 3);
        try (Backbone a = provider.open(argmax, BackendOptions.defaults());
             Backbone b = provider.open(eos, BackendOptions.defaults())) {
            float[][] pooledAtEos = b.embedTokens(new int[][] {row});
            assertTrue(ContractFixtures.maxAbsDiff(pooledAtEos, a.embedTokens(new int[][] {prefix})) <= 1e-6);
            assertTrue(ContractFixtures.maxAbsDiff(pooledAtEos, a.embedTokens(new int[][] {row})) > 1e-4,
                    "pooling at the largest id gave the same embedding");
        }
    }

    @Test
    void poolIndexFollowsOpenAiAndTransformers() {
        int[] ids = {49406, 320, 49407, 0, 49407};
        assertEquals(2, ClipNet.poolIndex(ids, ClipArchitecture.Text.ARGMAX), "the first largest id");
        assertEquals(1, ClipNet.poolIndex(ids, 320));
        assertEquals(2, ClipNet.poolIndex(ids, 49407), "the first end-of-text id");
        assertEquals(0, ClipNet.poolIndex(ids, 7), "absent: position 0, as argmax of an all-false row");
    }

    @Test
    void anEmbedDimOtherThanTheCheckpointsIsNamed(@TempDir Path tmp) throws IOException {
        Path dir = CheckpointCards.checkpointOnly("tiny-clip-vit", tmp.resolve("vit"));
        ModelCard card = ModelCards.load(dir);
        ModelCard wrong = new ModelCard(dir, card.name(), card.family(), card.preprocess(), card.contextLength(), 32,
                card.logitScale(), card.vocabFile(), card.artifacts());
        IOException e = assertThrows(IOException.class, () -> provider.open(wrong, BackendOptions.defaults()).close());
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("embed_dim 32"),
                e.getMessage());
    }

    @Test
    void aTensorOfTheWrongShapeIsNamed() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> values = new LinkedHashMap<>();
        Checkpoint golden = CheckpointFixtures.golden("vit_weights", "visual.");
        for (String name : golden.names()) {
            shapes.put(name, golden.shape(name));
            values.put(name, golden.floats(name));
        }
        String bad = "visual.transformer.resblocks.1.mlp.c_proj.weight";
        long[] shape = shapes.get(bad);
        shapes.put(bad, new long[] {shape[1], shape[0]});
        Checkpoint broken = Checkpoint.of("broken", shapes, values);
        ObjectNode card = new ObjectMapper().createObjectNode();
        card.putObject("architecture").put("vision_heads", 2);
        ClipArchitecture arch = ClipArchitecture.infer(broken, card);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipNet.build(broken, arch, false, ai.djl.Device.cpu(), 0).close());
        assertTrue(e.getMessage().contains(bad) && e.getMessage().contains("broken"), e.getMessage());
    }

    private static void put(Map<String, long[]> shapes, Map<String, float[]> values, String name, long[] shape,
                            float... v) {
        shapes.put(name, shape);
        values.put(name, v);
    }

    private static void check(String what, float[] actual, float[] expected) {
        double max = ContractFixtures.maxAbsDiff(new float[][] {actual}, new float[][] {expected});
        System.out.printf("[golden] %s through DJL ClipNet: max |error| vs OpenAI = %.3e%n", what, max);
        assertTrue(max <= GOLDEN_TOLERANCE, what + ": max |error| " + max + " > " + GOLDEN_TOLERANCE);
    }
}
