package clipbench.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import clipbench.api.contract.ContractFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.FloatBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs the golden-checked modules of testdata/golden (OpenAI's VisionTransformer and
 * ResidualAttentionBlock loaded with the weights of shared/golden/openai-clip-reference.json) with ONNX
 * Runtime and compares them with the outputs OpenAI's code produced: checks the architecture behind the
 * tiny fixtures as ONNX Runtime computes it.
 */
class GoldenArchitectureTest {
    private static final double TOLERANCE = 1e-5;
    private static final JsonNode GOLDEN = ContractFixtures.golden();

    @Test
    void visionTransformerMatchesOpenAi() throws OrtException {
        // vit_input is stored NHWC [1,32,32,3]; the model takes NCHW
        JsonNode nhwc = GOLDEN.path("vit_input").get(0);
        int size = nhwc.size();
        float[] nchw = new float[3 * size * size];
        for (int h = 0; h < size; h++) {
            for (int w = 0; w < size; w++) {
                for (int c = 0; c < 3; c++) {
                    nchw[c * size * size + h * size + w] = nhwc.get(h).get(w).get(c).floatValue();
                }
            }
        }
        float[] out = run("vit-golden.onnx", "image", nchw, new long[] {1, 3, size, size});
        float[] want = ContractFixtures.flatten(GOLDEN.path("vit_output"));
        assertEquals(8, want.length);
        check("vit-golden.onnx", out, want);
    }

    @Test
    void residualAttentionBlockMatchesOpenAi() throws OrtException {
        JsonNode input = GOLDEN.path("attn_input");
        int[] shape = {input.size(), input.get(0).size(), input.get(0).get(0).size()};
        assertArrayEquals(new int[] {1, 4, 8}, shape, "attn_input is [batch, tokens, dim]");
        float[] out = run("attn-golden.onnx", "x", ContractFixtures.flatten(input), new long[] {1, 4, 8});
        check("attn-golden.onnx", out, ContractFixtures.flatten(GOLDEN.path("attn_output")));
    }

    private static float[] run(String file, String input, float[] data, long[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String path = ContractFixtures.testdata("golden/" + file).toString();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(path, options);
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
        System.out.printf("[golden] %s with onnxruntime: max |error| vs OpenAI = %.3e%n", file, max);
        assertTrue(max <= TOLERANCE, file + ": max |error| " + max + " > " + TOLERANCE);
    }
}
