package clipbench.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.FineTunable;
import clipbench.api.spi.ImageBatch;
import clipbench.api.spi.TowerCut;
import clipbench.api.spi.TrainableParameter;
import clipbench.checkpoint.Checkpoint;
import clipbench.checkpoint.ClipCheckpoint;
import clipbench.checkpoint.ClipCheckpoints;
import clipbench.keras.KerasModel;
import clipbench.keras.TfjsImporter;
import clipbench.keras.contract.KerasTestNet;
import clipbench.keras.contract.NpmTestData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fine-tuning cuts of TensorFlow towers: the top on the frozen bottom's activations gives exactly what the
 * backbone embeds; TF's graph gradients agree with central finite differences; which parameters train.
 */
class TfFineTuneTest {
    private static final TfBackboneProvider PROVIDER = new TfBackboneProvider();
    /** top(frozen(x)) against embedImages(x). */
    private static final double IDENTITY_TOLERANCE = 1e-5;
    /** Directional derivatives: |analytic - numeric| / max(|gradient|, FLOOR). */
    private static final double GRADIENT_TOLERANCE = 2e-2;
    /**
     * The whole ModifiedResNet: its ReLUs over 112x112 maps put kinks within the larger steps, and its outputs
     * (gradients in the hundreds) leave float32 differences at the smaller ones about 3 % off.
     */
    private static final double WHOLE_RESNET_TOLERANCE = 5e-2;
    private static final double FLOOR = 1e-2;
    /**
     * Central-difference steps, the best of which counts: float32 rounding spoils small steps, ReLU kinks and
     * curvature large ones, and which wins depends on the parameter.
     */
    private static final double[] STEPS = {1e-2, 3e-3, 1e-3, 3e-4};

    @ParameterizedTest
    @ValueSource(strings = {"tiny-clip-vit", "tiny-clip-rn"})
    void clipTopsMatchTheTowerAndTheirGradientsFiniteDifferences(String fixture) throws IOException {
        try (Backbone b = PROVIDER.open(ModelCards.load(TfFixtures.fixture(fixture)), BackendOptions.defaults())) {
            assertTrue(b.capabilities().contains(Capability.FINE_TUNE), b.capabilities().toString());
            FineTunable tower = b.fineTunable();
            int blocks = tower.blocks().size();
            ImageBatch x = images(2, b.preprocess().imageSize(), 3);
            for (int n : new int[] {1, blocks}) {
                try (TowerCut cut = tower.cut(n)) {
                    check(fixture + " last:" + n, b, cut, x, fixture.endsWith("rn") && n == blocks
                            ? WHOLE_RESNET_TOLERANCE : GRADIENT_TOLERANCE);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-clip-vit", "tiny-clip-rn"})
    void clipParametersAreTheTrainedStateDictTensors(String fixture) throws IOException {
        ModelCardAndCheckpoint m = open(fixture);
        try (Backbone b = PROVIDER.open(m.card(), BackendOptions.defaults())) {
            FineTunable tower = b.fineTunable();
            int blocks = tower.blocks().size();
            String last = "visual." + tower.blocks().get(blocks - 1) + ".";
            List<String> one;
            List<String> all;
            try (TowerCut cut = tower.cut(1)) {
                assertEquals(tower.blocks().get(blocks - 2), cut.cutName());
                one = names(cut.parameters());
                for (TrainableParameter p : cut.parameters()) {
                    assertTrue(p.name().startsWith(last) || p.name().startsWith("visual.ln_post.")
                            || p.name().equals("visual.proj") || p.name().startsWith("visual.attnpool."), p.name());
                    assertArrayEquals(m.weights().floats(p.name()), p.values(), p.name());
                    assertArrayEquals(m.weights().shape(p.name()), toLongs(p.shape()), p.name());
                }
            }
            try (TowerCut cut = tower.cut(blocks)) {
                assertEquals("input", cut.cutName());
                assertEquals(3 * 224 * 224, cut.activationLength());
                all = names(cut.parameters());
            }
            assertTrue(all.containsAll(one) && all.contains("visual.conv1.weight") && all.size() > one.size(),
                    one + " / " + all);
            assertTrue(all.stream().noneMatch(k -> k.contains("running_")), "BatchNorm statistics do not train");
            System.out.printf("[finetune] %s: last:1 trains %d tensors, all %d%n", fixture, one.size(), all.size());
            for (int n : new int[] {0, blocks + 1}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tower.cut(n).close());
                assertTrue(e.getMessage().contains("last:" + n) && e.getMessage().contains("1.." + blocks),
                        e.getMessage());
            }
        }
    }

    @Test
    void savedModelTowersCannotBeCut(@TempDir Path dir) throws IOException {
        Path model = TfFixtures.modelDir("tiny-clip-vit", true, dir.resolve("m"));
        try (Backbone b = PROVIDER.open(ModelCards.load(model), BackendOptions.defaults())) {
            assertFalse(b.capabilities().contains(Capability.FINE_TUNE), b.capabilities().toString());
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, b::fineTunable);
            assertTrue(e.getMessage().contains("SavedModel"), e.getMessage());
        }
    }

    /** Two blocks named as Keras applications name them: conv, BN, ReLU, depthwise conv, residual add, pooling. */
    static KerasModel blockNet() {
        KerasTestNet n = new KerasTestNet("blocks", KerasBackboneTest.SIZE, KerasBackboneTest.SIZE, 3, 11);
        n.conv("Conv1", "input", 3, "{'filters':8,'kernel_size':3,'strides':2,'padding':'same','use_bias':false}");
        n.bn("bn_Conv1", "Conv1", 8, "{'epsilon':0.001}");
        n.layer("ReLU", "Conv1_relu", "{'max_value':6.0}", "bn_Conv1");
        n.conv("block_1_expand", "Conv1_relu", 8, "{'filters':8,'kernel_size':1,'use_bias':false}");
        n.bn("block_1_expand_BN", "block_1_expand", 8, "{}");
        n.layer("ReLU", "block_1_expand_relu", "{}", "block_1_expand_BN");
        n.depthwise("block_1_depthwise", "block_1_expand_relu", 8, "{'kernel_size':3,'padding':'same'}");
        n.layer("Add", "block_1_add", "{}", "Conv1_relu", "block_1_depthwise");
        n.conv("block_2_project", "block_1_add", 8, "{'filters':12,'kernel_size':3,'padding':'same'}");
        n.bn("block_2_project_BN", "block_2_project", 12, "{}");
        n.layer("ReLU", "block_2_relu", "{'max_value':6.0}", "block_2_project_BN");
        n.layer("AveragePooling2D", "block_2_pool", "{'pool_size':2,'padding':'same'}", "block_2_relu");
        n.layer("GlobalAveragePooling2D", "gap", "{}", "block_2_pool");
        n.dense("features", "gap", 12, "{'units':6}");
        return n.build();
    }

    @Test
    void kerasTopsMatchTheModelAndTheirGradientsFiniteDifferences(@TempDir Path dir) throws IOException {
        KerasModel model = blockNet();
        try (Backbone b = KerasBackbone.open(KerasBackboneTest.card(dir, "keras", KerasBackboneTest.SIZE, 6), model,
                BackendOptions.defaults())) {
            assertTrue(b.capabilities().contains(Capability.FINE_TUNE));
            FineTunable tower = b.fineTunable();
            assertEquals(List.of("block_1", "block_2"), tower.blocks());
            ImageBatch x = KerasBackboneTest.images(3, 4);
            try (TowerCut cut = tower.cut(1)) {
                assertEquals("block_1_add", cut.cutName());
                assertEquals(8 * 8 * 8, cut.activationLength(), "NHWC [8, 8, 8] after the stride-2 stem");
                assertEquals(List.of("block_2_project/kernel", "block_2_project/bias", "block_2_project_BN/gamma",
                        "block_2_project_BN/beta", "features/kernel", "features/bias"), names(cut.parameters()));
                check("keras last:1", b, cut, x, GRADIENT_TOLERANCE);
                List<float[]> wrong = new ArrayList<>();
                cut.parameters().forEach(p -> wrong.add(p.values()));
                wrong.set(0, new float[1]);
                IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                        () -> cut.forward(cut.frozen(x), wrong));
                assertTrue(bad.getMessage().contains("block_2_project/kernel"), bad.getMessage());
            }
            try (TowerCut cut = tower.cut(2)) {
                assertEquals("input", cut.cutName());
                List<String> all = names(cut.parameters());
                assertEquals(List.of("Conv1/kernel", "bn_Conv1/gamma", "bn_Conv1/beta"), all.subList(0, 3));
                assertEquals(14, all.size(), all.toString());
                check("keras all", b, cut, x, GRADIENT_TOLERANCE);
            }
            try (TowerCut cut = tower.cutAfter("block_2_relu")) {
                assertEquals(List.of("features/kernel", "features/bias"), names(cut.parameters()));
                check("keras after block_2_relu", b, cut, x, GRADIENT_TOLERANCE);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tower.cut(3).close());
            assertTrue(e.getMessage().contains("last:3") && e.getMessage().contains("1..2"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> tower.cutAfter("block_1_expand").close());
            assertTrue(e.getMessage().contains("single-tensor"), e.getMessage());
        }
    }

    /**
     * nsfwjs's MobileNetV2 (imported as {@link KerasNsfwjsTest} does) cut below its last two blocks: the identity,
     * the gradient check on two images, and the time of the top's forward and backward on a batch of 16.
     */
    @Test
    void mobileNetV2LastTwoBlocks(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("mobilenet_v2");
        TfjsImporter.importModel(NpmTestData.nsfwjsModel("mobilenet_v2"), dir, null);
        try (Backbone b = PROVIDER.open(ModelCards.load(dir), BackendOptions.defaults())) {
            FineTunable tower = b.fineTunable();
            assertEquals("block_16", tower.blocks().get(tower.blocks().size() - 1), tower.blocks().toString());
            int size = b.preprocess().imageSize();
            try (TowerCut cut = tower.cut(2)) {
                assertEquals("block_14_add", cut.cutName());
                assertTrue(names(cut.parameters()).contains("block_15_expand/kernel"), names(cut.parameters())
                        .toString());
                check("MobileNetV2 last:2", b, cut, images(2, size, 5), GRADIENT_TOLERANCE);
                ImageBatch batch = images(16, size, 6);
                float[][] acts = cut.frozen(batch);
                List<float[]> values = new ArrayList<>();
                cut.parameters().forEach(p -> values.add(p.values()));
                float[][] upstream = cut.forward(acts, values);
                cut.backward(acts, values, upstream);
                int runs = 3;
                long t0 = System.nanoTime();
                for (int i = 0; i < runs; i++) {
                    cut.forward(acts, values);
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < runs; i++) {
                    cut.backward(acts, values, upstream);
                }
                long t2 = System.nanoTime();
                System.out.printf("[finetune] MobileNetV2 last:2 (%d parameters, %d floats per image at %s), batch 16,"
                        + " %d threads: forward %.1f ms, backward %.1f ms%n", values.size(), cut.activationLength(),
                        cut.cutName(), Runtime.getRuntime().availableProcessors(), (t1 - t0) / 1e6 / runs,
                        (t2 - t1) / 1e6 / runs);
            }
        }
    }

    /** TF throws on graph gradients through an op without one; the error names the op and the Keras layer. */
    @Test
    void anOpWithoutAGradientIsNamedWithItsLayer() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> TfTowerCut.create(
                "net", "input", 2, TfRuntime.config(BackendOptions.defaults(), false), null, (tf, params, x) -> {
                    params.add("rounding/scale", new long[] {1}, new float[] {1f});
                    Operand<TFloat32> y = tf.withSubScope("keras").withSubScope("rounding").math.round(
                            tf.math.mul(x, params.get("rounding/scale")));
                    return tf.reshape(y, tf.constant(new long[] {-1, 12}));
                }).close());
        assertTrue(e.getMessage().contains("op Round") && e.getMessage().contains("layer 'rounding'"),
                e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------

    /** The identity top(frozen(x)) == embedImages(x), and the gradient check; prints both errors. */
    private static void check(String what, Backbone b, TowerCut cut, ImageBatch x, double tolerance) {
        float[][] acts = cut.frozen(x);
        assertEquals(cut.activationLength(), acts[0].length);
        List<float[]> initial = new ArrayList<>();
        cut.parameters().forEach(p -> initial.add(p.values()));
        double identity = KerasBackboneTest.maxAbsDiff(cut.forward(acts, initial), b.embedImages(x));
        double gradient = gradientError(cut, acts, initial, 7);
        System.out.printf("[finetune] %s: %d parameters; |top(frozen(x)) - embed(x)| = %.2e; gradient vs central"
                + " differences: worst relative error %.2e%n", what, initial.size(), identity, gradient);
        assertTrue(identity <= IDENTITY_TOLERANCE, what + ": top(frozen(x)) differs by " + identity);
        assertTrue(gradient <= tolerance, what + ": gradient error " + gradient);
    }

    /**
     * For each parameter, two unit directions v, along its analytic gradient g (where the derivative is largest) and
     * random: the analytic {@code <g, v>} against {@code (f(θ + εv) - f(θ - εv)) / 2ε} with
     * {@code f = sum(u ⊙ forward)}, relative to {@code max(|g|, FLOOR)}; the worst error over parameters and
     * directions, each at its best step.
     */
    static double gradientError(TowerCut cut, float[][] acts, List<float[]> theta, long seed) {
        Random rnd = new Random(seed);
        float[][] y = cut.forward(acts, theta);
        float[][] u = new float[y.length][y[0].length];
        for (float[] row : u) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) rnd.nextGaussian();
            }
        }
        List<float[]> grads = cut.backward(acts, theta, u);
        assertEquals(theta.size(), grads.size());
        double worst = 0;
        for (int p = 0; p < theta.size(); p++) {
            float[] g = grads.get(p);
            assertEquals(theta.get(p).length, g.length, cut.parameters().get(p).name());
            double[] random = new double[g.length];
            double[] along = new double[g.length];
            for (int i = 0; i < g.length; i++) {
                random[i] = rnd.nextGaussian();
                along[i] = g[i];
            }
            double norm = Math.sqrt(dot(along, along));
            for (double[] v : norm > 0 ? List.of(unit(random), unit(along)) : List.of(unit(random))) {
                double analytic = 0;
                for (int i = 0; i < v.length; i++) {
                    analytic += g[i] * v[i];
                }
                double error = Double.MAX_VALUE;
                for (double eps : STEPS) {
                    double numeric = (f(cut, acts, theta, p, v, eps, u) - f(cut, acts, theta, p, v, -eps, u))
                            / (2 * eps);
                    double e = Math.abs(analytic - numeric) / Math.max(FLOOR, norm);
                    if (e > WHOLE_RESNET_TOLERANCE) {
                        System.out.printf("  %s, step %.0e: analytic %.6f numeric %.6f (|g| %.6f)%n",
                                cut.parameters().get(p).name(), eps, analytic, numeric, norm);
                    }
                    error = Math.min(error, e);
                }
                worst = Math.max(worst, error);
            }
        }
        return worst;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double[] unit(double[] v) {
        double n = Math.sqrt(dot(v, v));
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / n;
        }
        return out;
    }

    private static double f(TowerCut cut, float[][] acts, List<float[]> theta, int p, double[] v, double step,
                            float[][] u) {
        List<float[]> moved = new ArrayList<>(theta);
        float[] w = theta.get(p).clone();
        for (int i = 0; i < w.length; i++) {
            w[i] += (float) (step * v[i]);
        }
        moved.set(p, w);
        float[][] y = cut.forward(acts, moved);
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            for (int j = 0; j < y[i].length; j++) {
                sum += (double) u[i][j] * y[i][j];
            }
        }
        return sum;
    }

    /** Normalised-looking pixels, NCHW. */
    private static ImageBatch images(int count, int size, long seed) {
        Random rnd = new Random(seed);
        float[] data = new float[count * 3 * size * size];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) rnd.nextGaussian();
        }
        return new ImageBatch(count, size, data);
    }

    private record ModelCardAndCheckpoint(clipbench.api.model.ModelCard card, Checkpoint weights) {
    }

    private static ModelCardAndCheckpoint open(String fixture) throws IOException {
        var card = ModelCards.load(TfFixtures.fixture(fixture));
        ClipCheckpoint c = ClipCheckpoints.open(card, card.directory().resolve("model.safetensors"));
        return new ModelCardAndCheckpoint(card, c.weights());
    }

    private static List<String> names(List<TrainableParameter> parameters) {
        return parameters.stream().map(TrainableParameter::name).toList();
    }

    private static long[] toLongs(int[] shape) {
        long[] out = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = shape[i];
        }
        return out;
    }
}
