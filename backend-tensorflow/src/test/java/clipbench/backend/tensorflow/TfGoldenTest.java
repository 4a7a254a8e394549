package clipbench.backend.tensorflow;

import clipbench.checkpoint.fixtures.CheckpointFixtures;
import clipbench.checkpoint.Checkpoint;
import clipbench.checkpoint.ClipArchitecture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.contract.ContractFixtures;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ImageBatch;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * OpenAI's reference outputs ({@code shared/golden/openai-clip-reference.json}) through this backend's
 * checkpoint builder: the {@code vit_*} VisionTransformer (its state dict as a checkpoint, hyper-parameters
 * inferred from shapes as for a model directory, then {@link TfModel#build}) and the {@code attn_*}
 * ResidualAttentionBlock ({@link ClipGraph#residualAttentionBlock}, the block the towers use).
 */
class TfGoldenTest {
    private static final double TOLERANCE = 1e-5;
    private static final JsonNode GOLDEN = ContractFixtures.golden();

    @Test
    void visionTransformerMatchesOpenAi() throws IOException {
        JsonNode cfg = GOLDEN.path("vit_config");
        Checkpoint weights = CheckpointFixtures.golden("vit_weights", "visual.");
        // heads cannot be read from shapes: give them as a model card would; the rest is cross-checked
        ObjectNode card = new ObjectMapper().createObjectNode();
        card.putObject("architecture").put("vision_heads", cfg.path("heads").asInt())
                .put("vision_width", cfg.path("width").asInt()).put("vision_layers", cfg.path("layers").asInt())
                .put("vision_patch_size", cfg.path("patch_size").asInt())
                .put("image_resolution", cfg.path("input_resolution").asInt())
                .put("embed_dim", cfg.path("output_dim").asInt());
        ClipArchitecture arch = ClipArchitecture.infer(weights, card);
        assertInstanceOf(ClipArchitecture.Vit.class, arch.vision());
        assertNull(arch.text());

        float[] nchw = ContractFixtures.goldenVitInputNchw();
        int size = cfg.path("input_resolution").asInt();
        try (TfModel model = TfModel.build(weights, arch, false, TfRuntime.config(BackendOptions.defaults(), false))) {
            float[] out = ImageTower.find(model, size, 0).embed(new ImageBatch(1, size, nchw))[0];
            check("vit", out, ContractFixtures.flatten(GOLDEN.path("vit_output")));
        }
    }

    @Test
    void residualAttentionBlockMatchesOpenAi() {
        JsonNode cfg = GOLDEN.path("attn_config");
        JsonNode input = GOLDEN.path("attn_input");
        int[] shape = {input.size(), input.get(0).size(), input.get(0).get(0).size()};
        assertArrayEquals(new int[] {1, 4, 8}, shape, "attn_input is [batch, tokens, dim]");
        // OpenAI's block runs LND: the golden [batch, tokens, dim] is permuted to [4, 1, 8] and back, i.e. it is
        // one sequence of 4 tokens, which is what this batch-first [N, L, D] block takes as is.
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 8)));
            GraphParams params = GraphParams.constants(tf, CheckpointFixtures.golden("attn_weights", ""));
            Operand<TFloat32> y = new ClipGraph(tf, params)
                    .residualAttentionBlock(x, "", shape[1], cfg.path("d_model").asInt(), cfg.path("n_head").asInt(),
                            ClipArchitecture.Activation.QUICK_GELU, null);
            try (Session session = new Session(graph);
                 TFloat32 in = TFloat32.tensorOf(Shape.of(1, 4, 8), DataBuffers.of(ContractFixtures.flatten(input)));
                 Result result = session.runner().feed(x, in).fetch(y).run()) {
                TFloat32 out = (TFloat32) result.get(0);
                float[] values = new float[(int) out.shape().size()];
                out.copyTo(DataBuffers.of(values, false, false));
                check("attn", values, ContractFixtures.flatten(GOLDEN.path("attn_output")));
            }
        }
    }

    private static void check(String what, float[] actual, float[] expected) {
        assertEquals(expected.length, actual.length, what + ": output size");
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs((double) actual[i] - expected[i]));
        }
        System.out.printf("[golden] %s through the TensorFlow checkpoint builder: max |error| vs OpenAI = %.3e%n",
                what, max);
        assertTrue(max <= TOLERANCE, what + ": max |error| " + max + " > " + TOLERANCE);
    }
}
