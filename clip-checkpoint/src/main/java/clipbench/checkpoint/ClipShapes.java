package clipbench.checkpoint;

import java.util.Arrays;

/**
 * The shapes every graph builder expects of an OpenAI-named CLIP state dict, checked once on open so that a
 * checkpoint that does not fit fails naming the key, the expected and the found shape, before any runtime builds.
 * The ModifiedResNet's convolutions are left to the inference of its stages (their shapes follow from the stem).
 */
final class ClipShapes {
    private ClipShapes() {
    }

    static void check(Checkpoint ckpt, ClipArchitecture arch) {
        long embed = arch.embedDim();
        if (arch.vision() instanceof ClipArchitecture.Vit vit) {
            long w = vit.width();
            expect(ckpt, "visual.conv1.weight", w, 3, vit.patchSize(), vit.patchSize());
            expect(ckpt, "visual.class_embedding", w);
            expect(ckpt, "visual.positional_embedding", (long) vit.grid() * vit.grid() + 1, w);
            layerNorm(ckpt, "visual.ln_pre", w);
            for (int i = 0; i < vit.layers(); i++) {
                block(ckpt, "visual.transformer.resblocks." + i + ".", w);
            }
            layerNorm(ckpt, "visual.ln_post", w);
            expect(ckpt, "visual.proj", w, embed);
        }
        ClipArchitecture.Text text = arch.text();
        if (text != null) {
            long w = text.width();
            expect(ckpt, "token_embedding.weight", text.vocabSize(), w);
            expect(ckpt, "positional_embedding", text.contextLength(), w);
            for (int i = 0; i < text.layers(); i++) {
                block(ckpt, "transformer.resblocks." + i + ".", w);
            }
            layerNorm(ckpt, "ln_final", w);
            expect(ckpt, "text_projection", w, embed);
        }
        if (ckpt.has("logit_scale")) {
            long[] found = ckpt.shape("logit_scale");
            if (Arrays.stream(found).reduce(1, Math::multiplyExact) != 1) {
                throw mismatch(ckpt, "logit_scale", new long[0], found);
            }
        }
    }

    /** A residual attention block of width {@code w}; the MLP's hidden width is read from c_fc. */
    private static void block(Checkpoint ckpt, String prefix, long w) {
        layerNorm(ckpt, prefix + "ln_1", w);
        expect(ckpt, prefix + "attn.in_proj_weight", 3 * w, w);
        expect(ckpt, prefix + "attn.in_proj_bias", 3 * w);
        expect(ckpt, prefix + "attn.out_proj.weight", w, w);
        expect(ckpt, prefix + "attn.out_proj.bias", w);
        layerNorm(ckpt, prefix + "ln_2", w);
        long hidden = ckpt.shape(prefix + "mlp.c_fc.weight")[0];
        expect(ckpt, prefix + "mlp.c_fc.weight", hidden, w);
        expect(ckpt, prefix + "mlp.c_fc.bias", hidden);
        expect(ckpt, prefix + "mlp.c_proj.weight", w, hidden);
        expect(ckpt, prefix + "mlp.c_proj.bias", w);
    }

    private static void layerNorm(Checkpoint ckpt, String prefix, long w) {
        expect(ckpt, prefix + ".weight", w);
        expect(ckpt, prefix + ".bias", w);
    }

    private static void expect(Checkpoint ckpt, String name, long... expected) {
        if (!ckpt.has(name)) {
            throw new IllegalArgumentException(ckpt.source() + ": no tensor '" + name + "' (expected shape "
                    + Arrays.toString(expected) + ")");
        }
        long[] found = ckpt.shape(name);
        if (!Arrays.equals(found, expected)) {
            throw mismatch(ckpt, name, expected, found);
        }
    }

    private static IllegalArgumentException mismatch(Checkpoint ckpt, String name, long[] expected, long[] found) {
        return new IllegalArgumentException(ckpt.source() + ": tensor " + ckpt.label(name) + " should have shape "
                + Arrays.toString(expected) + " but has " + Arrays.toString(found));
    }
}
