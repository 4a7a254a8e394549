package clipbench.checkpoint;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The CLIP image tower as blocks for fine-tuning, runtime-neutral: a ViT's residual attention blocks
 * ({@code transformer.resblocks.I}), a ModifiedResNet's bottlenecks ({@code layerS.B}). Training the last N blocks
 * also trains what follows them (ViT: {@code ln_post} and {@code proj}; ResNet: the attention pool); training all of
 * them also trains the stem (ViT: patch embedding, class and position embeddings, {@code ln_pre}; ResNet: the three
 * stem convolutions and their batch norms).
 */
public final class ClipBlocks {
    /** Batch-norm statistics are state, not parameters: they never train (inference mode). */
    private static final List<String> STATE = List.of(".running_mean", ".running_var", ".num_batches_tracked");

    private ClipBlocks() {
    }

    /** The image tower's blocks, input to output, named below {@code visual.} without the trailing dot. */
    public static List<String> blocks(ClipArchitecture.Vision vision) {
        List<String> names = new ArrayList<>();
        if (vision instanceof ClipArchitecture.Vit v) {
            for (int i = 0; i < v.layers(); i++) {
                names.add("transformer.resblocks." + i);
            }
        } else {
            for (ClipArchitecture.ResNet.Block b : ((ClipArchitecture.ResNet) vision).blocks()) {
                names.add(b.prefix().substring(0, b.prefix().length() - 1));
            }
        }
        return names;
    }

    /**
     * The {@code visual.*} parameter keys among {@code keys} that train when the last {@code n} blocks do, in the
     * order of {@code keys}.
     *
     * @throws IllegalArgumentException when {@code n} is not in {@code 1..blocks(vision).size()}
     */
    public static List<String> trainedKeys(ClipArchitecture.Vision vision, Collection<String> keys, int n) {
        List<String> blocks = blocks(vision);
        if (n < 1 || n > blocks.size()) {
            throw new IllegalArgumentException("last:" + n + " is not in 1.." + blocks.size() + " (the image tower's"
                    + " blocks: " + blocks.get(0) + " ... " + blocks.get(blocks.size() - 1) + ")");
        }
        List<String> trained = blocks.subList(blocks.size() - n, blocks.size()).stream().map(b -> "visual." + b + ".")
                .toList();
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            if (!k.startsWith("visual.") || STATE.stream().anyMatch(k::endsWith)) {
                continue;
            }
            boolean after = k.startsWith("visual.ln_post.") || k.equals("visual.proj")
                    || k.startsWith("visual.attnpool.");
            if (n == blocks.size() || after || trained.stream().anyMatch(k::startsWith)) {
                out.add(k);
            }
        }
        return out;
    }

    /** The block below the trained ones (the cut), or {@code input} when every block trains. */
    public static String cutName(ClipArchitecture.Vision vision, int n) {
        List<String> blocks = blocks(vision);
        return n >= blocks.size() ? "input" : blocks.get(blocks.size() - n - 1);
    }
}
