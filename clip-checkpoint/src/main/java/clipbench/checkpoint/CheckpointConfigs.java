package clipbench.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the configs of the Hugging Face layouts say that shapes cannot (head counts, activation, end-of-text
 * pooling), as an {@code architecture} block for {@link ClipArchitecture#infer}; and, once the architecture is
 * inferred from the shapes, every size the config states checked against it (errors name the file and key).
 * Missing keys take the library's defaults, as the library itself would.
 */
final class CheckpointConfigs {
    /** The LayerNorm epsilon every graph builder uses (OpenAI's and both libraries' default). */
    static final double LAYER_NORM_EPS = 1e-5;

    private CheckpointConfigs() {
    }

    /** A size stated by a config, checked against what the shapes gave. */
    record Stated(String key, long value, long inferred) {
    }

    /**
     * {@code transformers}' {@code CLIPConfig} ({@code config.json}): {@code vision_config} and {@code text_config}
     * with CLIPVisionConfig / CLIPTextConfig defaults.
     */
    static ObjectNode transformers(Path file, JsonNode config) {
        JsonNode vision = config.path("vision_config");
        JsonNode text = config.path("text_config");
        ObjectNode arch = JsonNodeFactory.instance.objectNode();
        arch.put("vision_heads", integer(file, vision, "vision_config.num_attention_heads", 12));
        arch.put("transformer_heads", integer(file, text, "text_config.num_attention_heads", 8));
        arch.put("vision_activation", activation(file, vision, "vision_config"));
        arch.put("text_activation", activation(file, text, "text_config"));
        layerNormEps(file, vision, "vision_config");
        layerNormEps(file, text, "text_config");
        // transformers' CLIPTextTransformer.forward: `if self.eos_token_id == 2:` it pools at
        // input_ids.argmax(-1) (configs written before PR #24773 carry the wrong id 2), else at the FIRST position
        // where input_ids == eos_token_id. CLIPTextConfig's default eos_token_id is 49407.
        int eos = integer(file, text, "text_config.eos_token_id", 49407);
        arch.put("eos_token_id", eos == 2 ? ClipArchitecture.Text.ARGMAX : eos);
        return arch;
    }

    static List<Stated> transformersSizes(Path file, JsonNode config, ClipArchitecture arch) {
        JsonNode vision = config.path("vision_config");
        JsonNode text = config.path("text_config");
        List<Stated> out = new ArrayList<>();
        out.add(new Stated("projection_dim", integer(file, config, "projection_dim", 512), arch.embedDim()));
        if (arch.vision() instanceof ClipArchitecture.Vit vit) {
            out.add(new Stated("vision_config.hidden_size", integer(file, vision, "vision_config.hidden_size", 768),
                    vit.width()));
            out.add(new Stated("vision_config.num_hidden_layers",
                    integer(file, vision, "vision_config.num_hidden_layers", 12), vit.layers()));
            out.add(new Stated("vision_config.patch_size", integer(file, vision, "vision_config.patch_size", 32),
                    vit.patchSize()));
        }
        out.add(new Stated("vision_config.image_size", integer(file, vision, "vision_config.image_size", 224),
                arch.imageResolution()));
        if (arch.text() != null) {
            ClipArchitecture.Text t = arch.text();
            out.add(new Stated("text_config.hidden_size", integer(file, text, "text_config.hidden_size", 512),
                    t.width()));
            out.add(new Stated("text_config.num_hidden_layers",
                    integer(file, text, "text_config.num_hidden_layers", 12), t.layers()));
            out.add(new Stated("text_config.vocab_size", integer(file, text, "text_config.vocab_size", 49408),
                    t.vocabSize()));
            out.add(new Stated("text_config.max_position_embeddings",
                    integer(file, text, "text_config.max_position_embeddings", 77), t.contextLength()));
        }
        return out;
    }

    /**
     * open_clip's {@code open_clip_config.json} ({@code model_cfg}: {@code CLIPVisionCfg} / {@code CLIPTextCfg}
     * defaults; {@code quick_gelu} false means exact GELU). Options that change the network beyond OpenAI's CLIP
     * are refused by name.
     */
    static ObjectNode openClip(Path file, JsonNode config) {
        JsonNode model = config.path("model_cfg");
        if (!model.isObject()) {
            throw new IllegalArgumentException(file + ": no 'model_cfg' object (open_clip_config.json)");
        }
        JsonNode vision = model.path("vision_cfg");
        JsonNode text = model.path("text_cfg");
        refuse(file, vision, "model_cfg.vision_cfg", "timm_model_name", "ls_init_value", "attentional_pool",
                "no_ln_pre", "final_ln_after_pool", "act_kwargs", "norm_kwargs");
        refuse(file, text, "model_cfg.text_cfg", "hf_model_name", "ls_init_value", "proj_bias", "embed_cls",
                "no_causal_mask", "act_kwargs", "norm_kwargs");
        only(file, vision, "model_cfg.vision_cfg.pool_type", "tok");
        only(file, text, "model_cfg.text_cfg.pool_type", "argmax");
        int headWidth = integer(file, vision, "model_cfg.vision_cfg.head_width", 64);
        int width = integer(file, vision, "model_cfg.vision_cfg.width", 768);
        boolean resnet = vision.path("layers").isArray();
        ObjectNode arch = JsonNodeFactory.instance.objectNode();
        // open_clip's _build_vision_tower: heads = width * 32 // head_width (ResNet), width // head_width (ViT)
        arch.put("vision_heads", (resnet ? width * 32 : width) / headWidth);
        arch.put("transformer_heads", integer(file, text, "model_cfg.text_cfg.heads", 8));
        JsonNode quick = model.path("quick_gelu");
        if (!quick.isMissingNode() && !quick.isBoolean()) {
            throw new IllegalArgumentException(file + ": model_cfg.quick_gelu must be true or false, got " + quick);
        }
        arch.put("activation", quick.asBoolean(false) ? "quick_gelu" : "gelu");
        arch.put("eos_token_id", ClipArchitecture.Text.ARGMAX);
        return arch;
    }

    static List<Stated> openClipSizes(Path file, JsonNode config, ClipArchitecture arch) {
        JsonNode model = config.path("model_cfg");
        JsonNode vision = model.path("vision_cfg");
        JsonNode text = model.path("text_cfg");
        List<Stated> out = new ArrayList<>();
        out.add(new Stated("model_cfg.embed_dim", integer(file, model, "model_cfg.embed_dim", arch.embedDim()),
                arch.embedDim()));
        JsonNode size = vision.path("image_size");
        if (size.isArray() && size.size() == 2 && size.get(0).asInt() != size.get(1).asInt()) {
            throw new IllegalArgumentException(file + ": model_cfg.vision_cfg.image_size " + size
                    + " is not square; CLIP's image tower takes square images");
        }
        out.add(new Stated("model_cfg.vision_cfg.image_size", size.isArray() ? size.get(0).asInt()
                : integer(file, vision, "model_cfg.vision_cfg.image_size", 224), arch.imageResolution()));
        if (arch.vision() instanceof ClipArchitecture.Vit vit) {
            out.add(new Stated("model_cfg.vision_cfg.width", integer(file, vision, "model_cfg.vision_cfg.width",
                    768), vit.width()));
            out.add(new Stated("model_cfg.vision_cfg.layers", integer(file, vision, "model_cfg.vision_cfg.layers",
                    12), vit.layers()));
            out.add(new Stated("model_cfg.vision_cfg.patch_size", integer(file, vision,
                    "model_cfg.vision_cfg.patch_size", 16), vit.patchSize()));
        } else if (arch.vision() instanceof ClipArchitecture.ResNet rn) {
            out.add(new Stated("model_cfg.vision_cfg.width", integer(file, vision, "model_cfg.vision_cfg.width",
                    64), rn.width()));
            List<Integer> layers = new ArrayList<>();
            vision.path("layers").forEach(n -> layers.add(n.asInt()));
            if (!layers.equals(rn.layers())) {
                throw new IllegalArgumentException(file + ": model_cfg.vision_cfg.layers is " + layers
                        + " but the checkpoint's ModifiedResNet stages have " + rn.layers() + " blocks");
            }
        }
        if (arch.text() != null) {
            ClipArchitecture.Text t = arch.text();
            out.add(new Stated("model_cfg.text_cfg.width", integer(file, text, "model_cfg.text_cfg.width", 512),
                    t.width()));
            out.add(new Stated("model_cfg.text_cfg.layers", integer(file, text, "model_cfg.text_cfg.layers", 12),
                    t.layers()));
            out.add(new Stated("model_cfg.text_cfg.vocab_size", integer(file, text, "model_cfg.text_cfg.vocab_size",
                    49408), t.vocabSize()));
            out.add(new Stated("model_cfg.text_cfg.context_length", integer(file, text,
                    "model_cfg.text_cfg.context_length", 77), t.contextLength()));
        }
        return out;
    }

    /** Each stated size must be what the shapes gave; the error names the config key and the tensors. */
    static void check(Path file, List<Stated> stated, Checkpoint ckpt) {
        for (Stated s : stated) {
            if (s.value() != s.inferred()) {
                throw new IllegalArgumentException(file + ": " + s.key() + " is " + s.value() + " but the tensors of "
                        + ckpt.source() + " give " + s.inferred());
            }
        }
    }

    private static String activation(Path file, JsonNode tower, String where) {
        String name = tower.path("hidden_act").asText("quick_gelu");
        return ClipArchitecture.Activation.parse(name, file + ": " + where + ".hidden_act").name()
                .toLowerCase(java.util.Locale.ROOT);
    }

    private static void layerNormEps(Path file, JsonNode tower, String where) {
        JsonNode eps = tower.path("layer_norm_eps");
        if (!eps.isMissingNode() && (!eps.isNumber() || eps.asDouble() != LAYER_NORM_EPS)) {
            throw new IllegalArgumentException(file + ": " + where + ".layer_norm_eps is " + eps
                    + "; only " + LAYER_NORM_EPS + " (CLIP's) is built");
        }
    }

    private static int integer(Path file, JsonNode node, String key, int fallback) {
        String field = key.substring(key.lastIndexOf('.') + 1);
        JsonNode n = node.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return fallback;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException(file + ": " + key + " must be an integer, got " + n);
        }
        return n.asInt();
    }

    private static void refuse(Path file, JsonNode node, String where, String... keys) {
        for (String key : keys) {
            JsonNode n = node.path(key);
            if (!n.isMissingNode() && !n.isNull() && !(n.isBoolean() && !n.asBoolean())
                    && !(n.isObject() && n.isEmpty())) {
                throw new IllegalArgumentException(file + ": " + where + "." + key + " = " + n
                        + " changes the network beyond OpenAI's CLIP, which is what every runtime builds");
            }
        }
    }

    private static void only(Path file, JsonNode node, String key, String allowed) {
        JsonNode n = node.path(key.substring(key.lastIndexOf('.') + 1));
        if (!n.isMissingNode() && !n.isNull() && !n.asText().equals(allowed)) {
            throw new IllegalArgumentException(file + ": " + key + " is '" + n.asText() + "'; only '" + allowed
                    + "' (OpenAI's pooling) is built");
        }
    }
}
