/**
 * Alignment (issue 17): joining a frozen image tower with a frozen text tower the LiT way, runtime-neutral.
 *
 * <p>{@link clipbench.protocol.align.ContrastiveLoss} is CLIP's symmetric loss with its exact gradient;
 * {@link clipbench.protocol.align.Aligner} trains two linear projections and the temperature on cached embeddings of
 * image–caption {@link clipbench.protocol.align.Pair}s ({@link clipbench.protocol.align.AlignSettings}, the
 * fine-tuner's {@code AdamW}); the result, {@link clipbench.protocol.align.AlignedProjections}, embeds images and
 * texts like a CLIP and gives zero-shot logits; {@link clipbench.protocol.align.PairRetrieval} measures it.
 */
package clipbench.protocol.align;
