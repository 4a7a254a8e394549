package clipbench.checkpoint;

/**
 * Trainable parameters of a CLIP state dict, counted as PyTorch's {@code model.parameters()} does: BatchNorm
 * running statistics are buffers, not parameters. OpenAI publishes this number (ViT-B/32: 151,277,313), so it
 * checks that a checkpoint in any layout was read whole.
 *
 * @param image the image tower ({@code visual.*})
 * @param text  the text tower (token and positional embeddings, transformer, ln_final, text_projection)
 * @param other the rest ({@code logit_scale})
 */
public record ParameterCount(long image, long text, long other) {

    public static ParameterCount of(Checkpoint weights) {
        long image = 0;
        long text = 0;
        long other = 0;
        for (String name : weights.names()) {
            if (name.endsWith(".running_mean") || name.endsWith(".running_var")
                    || name.endsWith(".num_batches_tracked")) {
                continue;
            }
            long n = 1;
            for (long d : weights.shape(name)) {
                n = Math.multiplyExact(n, d);
            }
            if (name.startsWith("visual.")) {
                image += n;
            } else if (name.equals("logit_scale")) {
                other += n;
            } else {
                text += n;
            }
        }
        return new ParameterCount(image, text, other);
    }

    public long total() {
        return image + text + other;
    }
}
