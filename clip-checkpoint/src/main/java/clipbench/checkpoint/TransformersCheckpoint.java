package clipbench.checkpoint;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face {@code transformers} {@code CLIPModel} state dict seen under OpenAI's key names, so every graph
 * builder reads it unchanged. Lazy: a tensor is renamed, transposed ({@code visual_projection.weight} and
 * {@code text_projection.weight} are {@code nn.Linear} weights, [embed, width], where OpenAI keeps [width, embed])
 * or concatenated ({@code self_attn.q_proj/k_proj/v_proj} into {@code attn.in_proj_weight} / {@code _bias}, in
 * that order, as {@code nn.MultiheadAttention} packs them) only when a runtime asks for it.
 */
final class TransformersCheckpoint implements Checkpoint {
    /** How an OpenAI-named tensor is made from the Hugging Face ones. */
    private record Source(Kind kind, List<String> names) {
    }

    private enum Kind { RENAME, TRANSPOSE, CONCAT }

    private static final Pattern LAYER = Pattern.compile("(vision|text)_model\\.encoder\\.layers\\.(\\d+)\\.(.+)");
    private static final Pattern QKV = Pattern.compile("self_attn\\.([qkv])_proj\\.(weight|bias)");
    /** Renames outside the encoder layers: Hugging Face name to OpenAI name. */
    private static final Map<String, String> PLAIN = Map.ofEntries(
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
    private static final Map<String, String> TRANSPOSED = Map.of(
            "visual_projection.weight", "visual.proj",
            "text_projection.weight", "text_projection");
    /** Within an encoder layer. */
    private static final Map<String, String> BLOCK = Map.of(
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

    private final Checkpoint hf;
    private final Map<String, Source> sources;

    private TransformersCheckpoint(Checkpoint hf, Map<String, Source> sources) {
        this.hf = hf;
        this.sources = Collections.unmodifiableMap(sources);
    }

    /** Whether {@code ckpt} uses Hugging Face's CLIPModel names. */
    static boolean matches(Checkpoint ckpt) {
        return ckpt.has("vision_model.embeddings.patch_embedding.weight");
    }

    /** The view; a tensor no OpenAI CLIP has (other than the {@code position_ids} buffers) is refused by name. */
    static TransformersCheckpoint of(Checkpoint hf) {
        Map<String, Source> sources = new TreeMap<>();
        for (String name : hf.names()) {
            if (name.endsWith("embeddings.position_ids")) {
                continue; // a buffer (arange), not a weight
            }
            if (PLAIN.containsKey(name)) {
                sources.put(PLAIN.get(name), new Source(Kind.RENAME, List.of(name)));
                continue;
            }
            if (TRANSPOSED.containsKey(name)) {
                sources.put(TRANSPOSED.get(name), new Source(Kind.TRANSPOSE, List.of(name)));
                continue;
            }
            Matcher layer = LAYER.matcher(name);
            if (layer.matches()) {
                String prefix = (layer.group(1).equals("vision") ? "visual." : "") + "transformer.resblocks."
                        + layer.group(2) + ".";
                String hfPrefix = layer.group(1) + "_model.encoder.layers." + layer.group(2) + ".self_attn.";
                Matcher qkv = QKV.matcher(layer.group(3));
                if (qkv.matches()) {
                    String kind = qkv.group(2);
                    List<String> parts = List.of(hfPrefix + "q_proj." + kind, hfPrefix + "k_proj." + kind,
                            hfPrefix + "v_proj." + kind);
                    for (String part : parts) {
                        if (!hf.has(part)) {
                            throw new IllegalArgumentException(hf.source() + ": '" + name + "' has no partner '"
                                    + part + "' (q_proj, k_proj and v_proj make one in_proj_" + kind + ")");
                        }
                    }
                    sources.put(prefix + "attn.in_proj_" + kind, new Source(Kind.CONCAT, parts));
                    continue;
                }
                String block = BLOCK.get(layer.group(3));
                if (block != null) {
                    sources.put(prefix + block, new Source(Kind.RENAME, List.of(name)));
                    continue;
                }
            }
            throw new IllegalArgumentException(hf.source() + ": tensor '" + name + "' is not part of a Hugging Face"
                    + " CLIPModel this reader knows (vision_model.*, text_model.*, visual_projection, text_projection,"
                    + " logit_scale)");
        }
        return new TransformersCheckpoint(hf, sources);
    }

    @Override
    public String source() {
        return hf.source();
    }

    @Override
    public String label(String name) {
        Source s = sources.get(name);
        return s == null ? Checkpoint.super.label(name)
                : "'" + name + "' (from " + String.join(" + ", s.names()) + (s.kind() == Kind.TRANSPOSE ? ", transposed" : "") + ")";
    }

    @Override
    public Set<String> names() {
        return sources.keySet();
    }

    @Override
    public long[] shape(String name) {
        Source s = source(name);
        return switch (s.kind()) {
            case RENAME -> hf.shape(s.names().get(0));
            case TRANSPOSE -> {
                long[] shape = hf.shape(s.names().get(0));
                if (shape.length != 2) {
                    throw new IllegalArgumentException(hf.source() + ": '" + s.names().get(0)
                            + "' should be a matrix [embed, width], found " + Arrays.toString(shape));
                }
                yield new long[] {shape[1], shape[0]};
            }
            case CONCAT -> {
                long[] first = hf.shape(s.names().get(0));
                for (String part : s.names().subList(1, 3)) {
                    if (!Arrays.equals(hf.shape(part), first)) {
                        throw new IllegalArgumentException(hf.source() + ": '" + part + "' should have the shape of '"
                                + s.names().get(0) + "', " + Arrays.toString(first) + ", found "
                                + Arrays.toString(hf.shape(part)));
                    }
                }
                long[] out = first.clone();
                out[0] *= 3;
                yield out;
            }
        };
    }

    @Override
    public float[] floats(String name) {
        Source s = source(name);
        long[] shape = shape(name); // also checks the parts agree
        return switch (s.kind()) {
            case RENAME -> hf.floats(s.names().get(0));
            case TRANSPOSE -> {
                float[] in = hf.floats(s.names().get(0));
                int rows = (int) shape[1];
                int cols = (int) shape[0];
                float[] out = new float[in.length];
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        out[c * rows + r] = in[r * cols + c];
                    }
                }
                yield out;
            }
            case CONCAT -> {
                float[] out = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact))];
                int at = 0;
                for (String part : s.names()) {
                    float[] values = hf.floats(part);
                    System.arraycopy(values, 0, out, at, values.length);
                    at += values.length;
                }
                yield out;
            }
        };
    }

    private Source source(String name) {
        Source s = sources.get(name);
        if (s == null) {
            throw missing(name);
        }
        return s;
    }
}
