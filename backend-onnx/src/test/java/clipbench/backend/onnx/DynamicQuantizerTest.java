package clipbench.backend.onnx;

import static clipbench.api.contract.ContractFixtures.sineImages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Device;
import clipbench.api.spi.Precision;
import clipbench.onnx.DynamicQuantizer;
import clipbench.onnx.OnnxAttributes;
import clipbench.onnx.OnnxGraphBuilder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** int8 dynamic quantisation: the ops it rewrites, outputs close to fp32 on ONNX Runtime, the checked cache. */
class DynamicQuantizerTest {
    private static final Path VIT = ContractFixtures.testdata("models/tiny-clip-vit");

    /** Conv (bias) → Relu → depthwise Conv → GlobalAveragePool → Flatten → Gemm (transB, bias) → MatMul. */
    static ModelProto smallNet() {
        OnnxGraphBuilder g = new OnnxGraphBuilder();
        SplittableRandom r = new SplittableRandom(7);
        g.input("x", "n", 3, 8, 8);
        String w1 = init(g, r, "w1", 6, 3, 3, 3);
        String b1 = init(g, r, "b1", 6);
        g.claim("c1");
        g.node("Conv", "conv1", List.of("x", w1, b1), List.of("c1"), OnnxAttributes.ints("kernel_shape", 3, 3),
                OnnxAttributes.ints("pads", 1, 1, 1, 1));
        g.claim("r1");
        g.node("Relu", "relu", List.of("c1"), List.of("r1"));
        String w2 = init(g, r, "w2", 6, 1, 3, 3);
        g.claim("c2");
        g.node("Conv", "depthwise", List.of("r1", w2), List.of("c2"), OnnxAttributes.i("group", 6),
                OnnxAttributes.ints("kernel_shape", 3, 3), OnnxAttributes.ints("strides", 2, 2));
        g.claim("p");
        g.node("GlobalAveragePool", "pool", List.of("c2"), List.of("p"));
        g.claim("f");
        g.node("Flatten", "flatten", List.of("p"), List.of("f"));
        String w3 = init(g, r, "w3", 10, 6);
        String b3 = init(g, r, "b3", 10);
        g.claim("d");
        g.node("Gemm", "dense", List.of("f", w3, b3), List.of("d"), OnnxAttributes.i("transB", 1));
        String w4 = init(g, r, "w4", 10, 5);
        g.claim("y");
        g.node("MatMul", "project", List.of("d", w4), List.of("y"));
        g.output("y", "n", 5);
        return g.model("small", "clipbench-test", "0", null);
    }

    private static String init(OnnxGraphBuilder g, SplittableRandom r, String name, int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() - 0.5);
        }
        String fresh = g.fresh(name);
        g.initializer(fresh, dims, v);
        return fresh;
    }

    private static float[] run(ModelProto model, float[] input, int n) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toByteArray(), new OrtSession.SessionOptions());
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[]{n, 3, 8, 8});
             OrtSession.Result out = s.run(Map.of("x", x))) {
            float[][] rows = (float[][]) out.get(0).getValue();
            float[] flat = new float[n * 5];
            for (int i = 0; i < n; i++) {
                System.arraycopy(rows[i], 0, flat, i * 5, 5);
            }
            return flat;
        }
    }

    @Test
    void rewritesEveryConstantWeightOpAndStaysCloseToFp32OnOnnxRuntime() throws Exception {
        ModelProto fp32 = smallNet();
        DynamicQuantizer.Result q = DynamicQuantizer.quantize(fp32);
        assertEquals(1, q.matMuls());
        assertEquals(1, q.gemms());
        assertEquals(1, q.convs(), "the depthwise convolution stays float32");
        List<String> ops = q.model().getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
        assertFalse(ops.contains("Gemm") || ops.contains("MatMul"), ops.toString());
        assertEquals(1, ops.stream().filter("Conv"::equals).count(), ops.toString());
        assertEquals(1, ops.stream().filter("ConvInteger"::equals).count());
        assertEquals(2, ops.stream().filter("MatMulInteger"::equals).count());
        assertEquals(3, ops.stream().filter("DynamicQuantizeLinear"::equals).count());
        assertTrue(q.model().getGraph().getInitializerList().stream().noneMatch(t -> t.getName().equals("w1")),
                "float weights read only by a quantised op are dropped");

        float[] input = new float[2 * 3 * 8 * 8];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) (r.nextDouble() * 2 - 1);
        }
        float[] reference = run(fp32, input, 2);
        float[] quantised = run(q.model(), input, 2);
        double maxAbs = 0;
        double maxErr = 0;
        for (int i = 0; i < reference.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(reference[i]));
            maxErr = Math.max(maxErr, Math.abs(reference[i] - quantised[i]));
        }
        assertTrue(maxErr > 0, "the int8 graph really ran (its output differs from fp32)");
        assertTrue(maxErr < 0.05 * maxAbs, "int8 within 5 % of the largest output: error " + maxErr + " of " + maxAbs);
    }

    @Test
    void aModelWithoutWeightsToQuantiseIsRefused() {
        OnnxGraphBuilder g = new OnnxGraphBuilder();
        g.input("x", "n", 3);
        g.claim("y");
        g.node("Relu", "relu", List.of("x"), List.of("y"));
        g.output("y", "n", 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DynamicQuantizer.quantize(g.model("relu", "t", "0", null)));
        assertTrue(e.getMessage().contains("no MatMul, Gemm or Conv"), e.getMessage());
    }

    private static float[][] embed(Path cache, Precision precision) throws Exception {
        BackendOptions options = new BackendOptions(1, Device.CPU, Map.of("onnx.optimized-cache", cache.toString()),
                precision);
        try (Backbone b = new OnnxBackboneProvider().open(ModelCards.load(VIT), options)) {
            return b.embedImages(sineImages(0, 3, 224));
        }
    }

    private static double minCosine(float[][] a, float[][] b) {
        double min = 1;
        for (int i = 0; i < a.length; i++) {
            double dot = 0;
            double na = 0;
            double nb = 0;
            for (int j = 0; j < a[i].length; j++) {
                dot += a[i][j] * b[i][j];
                na += a[i][j] * a[i][j];
                nb += b[i][j] * b[i][j];
            }
            min = Math.min(min, dot / Math.sqrt(na * nb));
        }
        return min;
    }

    @Test
    void theBackboneRunsTheCachedInt8ModelAndRebuildsACorruptedOne(@TempDir Path cache) throws Exception {
        float[][] fp32 = embed(cache, Precision.FP32);
        float[][] int8 = embed(cache, Precision.INT8);
        double cosine = minCosine(fp32, int8);
        assertTrue(cosine > 0.95 && cosine < 1, "int8 close to fp32 but not equal: min cosine " + cosine);

        OptimizedModelCache.Entry entry = new OptimizedModelCache(cache).quantized(VIT.resolve("visual.onnx"),
                DynamicQuantizer.VERSION);
        assertTrue(new OptimizedModelCache(cache).valid(entry));
        ModelProto stored = ModelProto.parseFrom(Files.readAllBytes(entry.model()));
        assertTrue(stored.getGraph().getNodeList().stream().anyMatch(n -> n.getOpType().equals("MatMulInteger")));
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(entry.model(), old);
        assertEquals(minCosine(int8, embed(cache, Precision.INT8)), 1, 1e-6, "the same int8 model again");
        assertEquals(old, Files.getLastModifiedTime(entry.model()), "reused, not rewritten");

        byte[] bytes = Files.readAllBytes(entry.model());
        bytes[bytes.length / 2] ^= 0x5a; // one flipped byte in the weights
        Files.write(entry.model(), bytes);
        assertFalse(new OptimizedModelCache(cache).valid(entry));
        float[][] again = embed(cache, Precision.INT8);
        assertTrue(new OptimizedModelCache(cache).valid(entry), "rebuilt and recorded");
        assertNotEquals(old, Files.getLastModifiedTime(entry.model()));
        assertEquals(1, minCosine(int8, again), 1e-6, "the rebuilt model gives the same embeddings");
    }

    @Test
    void bf16IsRefusedNamingTheBackend() throws Exception {
        var card = ModelCards.load(VIT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OnnxBackboneProvider().checkPrecision(card, Precision.BF16));
        assertTrue(e.getMessage().startsWith("--precision bf16: not supported on backend onnx: "), e.getMessage());
    }
}
