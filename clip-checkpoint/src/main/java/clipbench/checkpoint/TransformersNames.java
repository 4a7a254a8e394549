package clipbench.checkpoint;

import java.util.Map;

/**
 * Hugging Face {@code transformers} CLIPModel tensor names and their OpenAI names, for {@link TransformersCheckpoint}
 * and for tools that write the layout (the test fixtures). The q/k/v projections, concatenated into OpenAI's
 * {@code attn.in_proj_*}, and the two projection matrices, transposed, are handled by the view.
 */
public final class TransformersNames {
    /** Renames outside the encoder layers: Hugging Face name to OpenAI name. */
    public static final Map<String, String> PLAIN = Map.ofEntries(
            Map.entry("vision_model.embeddings.patch_embedding.weight", "visual.conv1.weight"),
            Map.entry("vision_model.embeddings.class_embedding", "visual.class_embedding"),
            Map.entry("vision_model.embeddings.position_embedding.weight", "visual.positional_embedding"),
            Map.entry("vision_model.pre_layrnorm.weight", "visual.ln_pre.weight"),
            Map.entry("vision_model.pre_layrnorm.bias", "visual.ln_pre.bias"),
            Map.entry("vision_model.post_layernorm.weight", "visual.ln_post.weight"),
            Map.entry("vision_model.post_layernorm.bias", "visual.ln_post.bias"),
            Map.entry("text_model.embeddings.token_embedding.weight", "token_embedding.weight"),
            Map.entry("text_model.embeddings.position_embedding.weight", "positional_embedding"),
            Map.entry("text_model.final_layer_norm.weight", "ln_final.weight"),
            Map.entry("text_model.final_layer_norm.bias", "ln_final.bias"),
            Map.entry("logit_scale", "logit_scale"));
    /** Hugging Face nn.Linear weights [embed, width] to OpenAI [width, embed] matrices. */
    public static final Map<String, String> TRANSPOSED = Map.of(
            "visual_projection.weight", "visual.proj",
            "text_projection.weight", "text_projection");
    /** Within an encoder layer. */
    public static final Map<String, String> BLOCK = Map.of(
            "self_attn.out_proj.weight", "attn.out_proj.weight",
            "self_attn.out_proj.bias", "attn.out_proj.bias",
            "layer_norm1.weight", "ln_1.weight",
            "layer_norm1.bias", "ln_1.bias",
            "layer_norm2.weight", "ln_2.weight",
            "layer_norm2.bias", "ln_2.bias",
            "mlp.fc1.weight", "mlp.c_fc.weight",
            "mlp.fc1.bias", "mlp.c_fc.bias",
            "mlp.fc2.weight", "mlp.c_proj.weight",
            "mlp.fc2.bias", "mlp.c_proj.bias");

    private TransformersNames() {
    }

    /** A row-major [rows, cols] matrix as [cols, rows]. */
    public static float[] transpose(float[] values, int rows, int cols) {
        float[] out = new float[values.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = values[r * cols + c];
            }
        }
        return out;
    }
}
