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
            if (TransformersNames.PLAIN.containsKey(name)) {
                sources.put(TransformersNames.PLAIN.get(name), new Source(Kind.RENAME, List.of(name)));
                continue;
            }
            if (TransformersNames.TRANSPOSED.containsKey(name)) {
                sources.put(TransformersNames.TRANSPOSED.get(name), new Source(Kind.TRANSPOSE, List.of(name)));
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
                String block = TransformersNames.BLOCK.get(layer.group(3));
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
                yield TransformersNames.transpose(hf.floats(s.names().get(0)), (int) shape[1], (int) shape[0]);
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
