package clipbench.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's hyper-parameters, inferred from the shapes of an OpenAI state dict the way OpenAI's
 * {@code clip.model.build_model} does, and cross-checked with a model card's {@code architecture} block.
 * Head counts cannot be seen in shapes: the card's {@code vision_heads} / {@code transformer_heads} win,
 * else OpenAI's rule (ViT width / 64, ResNet width * 32 / 64, text width / 64).
 *
 * @param text null when the checkpoint has no text tower
 */
public record ClipArchitecture(int embedDim, int imageResolution, Vision vision, Text text) {
    /** PyTorch's LayerNorm and BatchNorm2d defaults, which OpenAI's model.py keeps. */
    public static final float LAYER_NORM_EPS = 1e-5f;
    public static final float BATCH_NORM_EPS = 1e-5f;
    /** QuickGELU's constant: {@code x·σ(1.702x)}. */
    public static final float QUICK_GELU_SCALE = 1.702f;

    /** The image tower. */
    public sealed interface Vision permits Vit, ResNet {
    }

    /** The MLP's non-linearity: OpenAI's CLIP uses x·σ(1.702x); open_clip and transformers configs may ask for exact GELU. */
    public enum Activation {
        QUICK_GELU, GELU;

        /** Parses a config's name: {@code quick_gelu}, {@code gelu}; anything else is refused by name. */
        public static Activation parse(String name, String where) {
            return switch (name) {
                case "quick_gelu" -> QUICK_GELU;
                case "gelu" -> GELU;
                default -> throw new IllegalArgumentException(where + ": unknown activation '" + name
                        + "' (known: quick_gelu, gelu)");
            };
        }
    }

    /** OpenAI's VisionTransformer. */
    public record Vit(int width, int layers, int patchSize, int heads, int grid, Activation activation)
            implements Vision {
    }

    /** OpenAI's ModifiedResNet: blocks per stage, stem width, attention-pool heads, pooled grid side. */
    public record ResNet(List<Integer> layers, int width, int heads, int grid) implements Vision {
        /** One Bottleneck: its state-dict prefix below {@code visual.} and its stride. */
        public record Block(String prefix, int stride) {
        }

        /** Every Bottleneck in order: {@code layerS.B.}, stride 2 for the first block of stages 2–4, else 1. */
        public List<Block> blocks() {
            List<Block> blocks = new ArrayList<>();
            for (int stage = 1; stage <= layers.size(); stage++) {
                for (int block = 0; block < layers.get(stage - 1); block++) {
                    blocks.add(new Block("layer" + stage + "." + block + ".", stage > 1 && block == 0 ? 2 : 1));
                }
            }
            return blocks;
        }
    }

    /**
     * The text transformer.
     *
     * @param eosTokenId the token whose position is pooled; negative = the position of the largest id
     *                   (OpenAI's argmax, right for its vocabulary where end-of-text is the largest id)
     */
    public record Text(int contextLength, int vocabSize, int width, int heads, int layers, Activation activation,
                       int eosTokenId) {
        /** Pools at the largest id, as OpenAI's {@code encode_text} does. */
        public static final int ARGMAX = -1;

        /** OpenAI's {@code build_attention_mask}: -inf above the diagonal, 0 elsewhere ({@code [context][context]}). */
        public float[][] causalMask() {
            float[][] mask = new float[contextLength][contextLength];
            for (int i = 0; i < contextLength; i++) {
                for (int j = i + 1; j < contextLength; j++) {
                    mask[i][j] = Float.NEGATIVE_INFINITY;
                }
            }
            return mask;
        }
    }

    public static ClipArchitecture infer(Checkpoint ckpt, JsonNode card) {
        JsonNode arch = card == null ? null : card.path("architecture");
        if (arch != null && !arch.isObject()) {
            arch = null;
        }
        Vision vision;
        int resolution;
        int embed;
        if (ckpt.has("visual.proj")) {
            long[] conv = ckpt.shape("visual.conv1.weight");
            int width = (int) conv[0];
            int patch = (int) conv[3];
            int layers = countDistinct(ckpt.names(), Pattern.compile("visual\\.transformer\\.resblocks\\.(\\d+)\\."));
            int grid = gridSide(ckpt, "visual.positional_embedding");
            resolution = patch * grid;
            embed = (int) ckpt.shape("visual.proj")[1];
            int heads = heads(arch, "vision_heads", width / 64, ckpt);
            check(width % heads == 0, ckpt, "vision width " + width + " is not divisible by " + heads + " heads");
            cross(arch, "vision_layers", layers, ckpt);
            cross(arch, "vision_width", width, ckpt);
            cross(arch, "vision_patch_size", patch, ckpt);
            vision = new Vit(width, layers, patch, heads, grid, activation(arch, "vision_activation", ckpt));
        } else if (ckpt.has("visual.attnpool.positional_embedding")) {
            List<Integer> layers = new ArrayList<>();
            for (int stage = 1; stage <= 4; stage++) {
                int blocks = countDistinct(ckpt.names(), Pattern.compile("visual\\.layer" + stage + "\\.(\\d+)\\."));
                check(blocks > 0, ckpt, "ModifiedResNet stage visual.layer" + stage + " has no blocks");
                layers.add(blocks);
            }
            int width = (int) ckpt.shape("visual.layer1.0.conv1.weight")[0];
            int grid = gridSide(ckpt, "visual.attnpool.positional_embedding");
            resolution = grid * 32;
            embed = (int) ckpt.shape("visual.attnpool.c_proj.weight")[0];
            int heads = heads(arch, "vision_heads", width * 32 / 64, ckpt);
            check(width * 32 % heads == 0, ckpt, "attention-pool width " + width * 32 + " is not divisible by "
                    + heads + " heads");
            if (arch != null && arch.has("vision_layers")) {
                List<Integer> listed = new ArrayList<>();
                arch.path("vision_layers").forEach(n -> listed.add(n.asInt()));
                check(listed.equals(layers), ckpt, "the model card's architecture.vision_layers " + listed
                        + " differs from the checkpoint's " + layers);
            }
            cross(arch, "vision_width", width, ckpt);
            vision = new ResNet(List.copyOf(layers), width, heads, grid);
        } else {
            throw new IllegalArgumentException(ckpt.source() + ": not an OpenAI CLIP state dict: neither visual.proj"
                    + " (VisionTransformer) nor visual.attnpool.positional_embedding (ModifiedResNet) found");
        }
        Text text = null;
        if (ckpt.has("token_embedding.weight") && ckpt.has("text_projection")) {
            long[] tokens = ckpt.shape("token_embedding.weight");
            int width = (int) ckpt.shape("ln_final.weight")[0];
            int context = (int) ckpt.shape("positional_embedding")[0];
            int layers = countDistinct(ckpt.names(), Pattern.compile("^transformer\\.resblocks\\.(\\d+)\\."));
            int heads = heads(arch, "transformer_heads", width / 64, ckpt);
            check(width % heads == 0, ckpt, "text width " + width + " is not divisible by " + heads + " heads");
            long[] projection = ckpt.shape("text_projection");
            check(projection[1] == embed, ckpt, "text_projection gives " + projection[1]
                    + " values but the image tower gives " + embed);
            cross(arch, "context_length", context, ckpt);
            cross(arch, "vocab_size", (int) tokens[0], ckpt);
            cross(arch, "transformer_width", width, ckpt);
            cross(arch, "transformer_layers", layers, ckpt);
            text = new Text(context, (int) tokens[0], width, heads, layers, activation(arch, "text_activation", ckpt),
                    arch != null && arch.has("eos_token_id") ? arch.path("eos_token_id").asInt() : Text.ARGMAX);
        }
        cross(arch, "embed_dim", embed, ckpt);
        cross(arch, "image_resolution", resolution, ckpt);
        return new ClipArchitecture(embed, resolution, vision, text);
    }

    /**
     * The tower's {@code architecture.vision_activation} / {@code text_activation} (a transformers config may set
     * them apart), else {@code architecture.activation} (both towers), else OpenAI's quick GELU.
     */
    private static Activation activation(JsonNode arch, String towerKey, Checkpoint ckpt) {
        String key = arch != null && arch.has(towerKey) ? towerKey : "activation";
        if (arch == null || !arch.has(key)) {
            return Activation.QUICK_GELU;
        }
        return Activation.parse(arch.path(key).asText(), ckpt.source() + ": architecture." + key);
    }

    private static int gridSide(Checkpoint ckpt, String name) {
        long tokens = ckpt.shape(name)[0];
        int grid = (int) Math.round(Math.sqrt(tokens - 1));
        check(grid * grid + 1 == tokens, ckpt, name + " has " + tokens + " rows, not a square grid plus one");
        return grid;
    }

    private static int countDistinct(Set<String> names, Pattern pattern) {
        Set<Integer> found = new TreeSet<>();
        for (String name : names) {
            Matcher m = pattern.matcher(name);
            if (m.lookingAt()) {
                found.add(Integer.parseInt(m.group(1)));
            }
        }
        return found.size();
    }

    private static int heads(JsonNode arch, String key, int openAiRule, Checkpoint ckpt) {
        if (arch != null && arch.has(key)) {
            int heads = arch.path(key).asInt();
            check(heads > 0, ckpt, "the model card's architecture." + key + " must be positive");
            return heads;
        }
        check(openAiRule > 0, ckpt, "cannot infer " + key + " (OpenAI's width / 64 rule gives 0): add"
                + " architecture." + key + " to model-card.json");
        return openAiRule;
    }

    private static void cross(JsonNode arch, String key, int inferred, Checkpoint ckpt) {
        if (arch != null && arch.has(key)) {
            int card = arch.path(key).asInt();
            check(card == inferred, ckpt, "the model card's architecture." + key + " is " + card
                    + " but the checkpoint's shapes give " + inferred);
        }
    }

    private static void check(boolean ok, Checkpoint ckpt, String message) {
        if (!ok) {
            throw new IllegalArgumentException(ckpt.source() + ": " + message);
        }
    }

    @Override
    public String toString() {
        return "CLIP(embed " + embedDim + ", image " + imageResolution + ", " + vision + ", "
                + (text == null ? "no text" : text) + ")";
    }
}
