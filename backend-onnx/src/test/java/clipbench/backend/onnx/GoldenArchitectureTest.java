package clipbench.backend.onnx;

import clipbench.checkpoint.fixtures.CheckpointFixtures;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import clipbench.api.contract.ContractFixtures;
import clipbench.checkpoint.Checkpoint;
import clipbench.checkpoint.ClipArchitecture;
import clipbench.checkpoint.ClipArchitecture.Activation;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the golden-checked modules of testdata/golden (OpenAI's VisionTransformer and
 * ResidualAttentionBlock loaded with the weights of shared/golden/openai-clip-reference.json) with ONNX
 * Runtime and compares them with the outputs OpenAI's code produced: checks the architecture behind the
 * tiny fixtures as ONNX Runtime computes it; and the same modules written as ONNX from the golden state dicts by
 * {@link ClipOnnxWriter}.
 */
class GoldenArchitectureTest {
    private static final double TOLERANCE = 1e-5;
    private static final JsonNode GOLDEN = ContractFixtures.golden();

    @Test
    void visionTransformerMatchesOpenAi() throws OrtException {
        int size = GOLDEN.path("vit_input").get(0).size();
        float[] out = run(golden("vit-golden.onnx"), "image", ContractFixtures.goldenVitInputNchw(),
                new long[] {1, 3, size, size});
        float[] want = ContractFixtures.flatten(GOLDEN.path("vit_output"));
        assertEquals(8, want.length);
        check("vit-golden.onnx on onnxruntime vs OpenAI", out, want);
    }

    /** The golden state dict written as ONNX by {@link ClipOnnxWriter}, hyper-parameters inferred as for a folder. */
    @Test
    void visionTransformerWrittenFromTheCheckpointMatchesOpenAi(@TempDir Path tmp) throws Exception {
        Checkpoint weights = CheckpointFixtures.golden("vit_weights", "visual.");
        ClipArchitecture arch = ClipArchitecture.infer(weights, ContractFixtures.goldenVitCard());
        assertInstanceOf(ClipArchitecture.Vit.class, arch.vision());
        Path model = tmp.resolve("visual.onnx");
        ClipOnnxWriter.writeImage(weights, arch, model, null);
        int size = arch.imageResolution();
        float[] out = run(model, ClipOnnxWriter.IMAGE_INPUT, ContractFixtures.goldenVitInputNchw(),
                new long[] {1, 3, size, size});
        check("vit written by ClipOnnxWriter vs OpenAI", out, ContractFixtures.flatten(GOLDEN.path("vit_output")));
    }

    /**
     * The golden block written by {@link ClipOnnxWriter} against OpenAI (QuickGELU), and with either activation
     * against a plain-Java computation of the block, itself checked against OpenAI.
     */
    @Test
    void residualAttentionBlockWrittenFromTheCheckpointMatchesOpenAiAndJava(@TempDir Path tmp) throws Exception {
        JsonNode cfg = GOLDEN.path("attn_config");
        int width = cfg.path("d_model").asInt();
        int heads = cfg.path("n_head").asInt();
        Checkpoint weights = CheckpointFixtures.golden("attn_weights", "");
        // OpenAI's block runs LND: the golden [1, 4, 8] is one sequence of 4 tokens, as the batch-first graph takes it
        float[] x = ContractFixtures.flatten(GOLDEN.path("attn_input"));
        int tokens = x.length / width;
        float[] expected = ContractFixtures.flatten(GOLDEN.path("attn_output"));
        check("attn in plain Java vs OpenAI", JavaAttentionBlock.forward(weights, x, tokens, width, heads,
                Activation.QUICK_GELU), expected);
        for (Activation activation : Activation.values()) {
            Path model = tmp.resolve(activation + ".onnx");
            ClipOnnxWriter.writeBlock(weights, model, tokens, width, heads, activation);
            float[] out = run(model, "x", x, new long[] {1, tokens, width});
            if (activation == Activation.QUICK_GELU) {
                check("attn written by ClipOnnxWriter vs OpenAI", out, expected);
            }
            float[] java = JavaAttentionBlock.forward(weights, x, tokens, width, heads, activation);
            check("attn " + activation + " written by ClipOnnxWriter vs plain Java", out, java);
        }
    }

    @Test
    void residualAttentionBlockMatchesOpenAi() throws OrtException {
        JsonNode input = GOLDEN.path("attn_input");
        int[] shape = {input.size(), input.get(0).size(), input.get(0).get(0).size()};
        assertArrayEquals(new int[] {1, 4, 8}, shape, "attn_input is [batch, tokens, dim]");
        float[] out = run(golden("attn-golden.onnx"), "x", ContractFixtures.flatten(input), new long[] {1, 4, 8});
        check("attn-golden.onnx on onnxruntime vs OpenAI", out, ContractFixtures.flatten(GOLDEN.path("attn_output")));
    }

    private static Path golden(String file) {
        return ContractFixtures.testdata("golden/" + file);
    }

    private static float[] run(Path model, String input, float[] data, long[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(model.toString(), options);
             OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
             OrtSession.Result result = session.run(Map.of(input, tensor))) {
            FloatBuffer buffer = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] out = new float[buffer.remaining()];
            buffer.get(out);
            return out;
        }
    }

    private static void check(String file, float[] actual, float[] expected) {
        assertEquals(expected.length, actual.length, file + ": output size");
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs((double) actual[i] - expected[i]));
        }
        System.out.printf("[golden] %s: max |error| = %.3e%n", file, max);
        assertTrue(max <= TOLERANCE, file + ": max |error| " + max + " > " + TOLERANCE);
    }
}
