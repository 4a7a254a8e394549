/**
 * Trainable classification heads over frozen, L2-normalised CLIP image embeddings.
 *
 * <ul>
 *   <li>{@link clipbench.protocol.heads.LiteHeadProvider} ({@code lite}): the CLIP paper's linear probe,
 *       L2-regularised multinomial logistic regression by L-BFGS with a validation sweep of the penalty.
 *       The grid, the fallback without validation rows and the sweep subsample are documented there.</li>
 *   <li>{@link clipbench.protocol.heads.ProHeadProvider} ({@code pro}): a cosine head started from the
 *       zero-shot text embeddings with a learnable scale, Adam and early stopping.</li>
 *   <li>{@link clipbench.protocol.heads.Lbfgs}: the L-BFGS minimiser (strong-Wolfe line search).</li>
 * </ul>
 *
 * <p>Both heads share one blocked, multi-threaded softmax kernel over float arrays (package-private
 * {@code SoftmaxKernel}); its partial sums are added in a fixed order, so a seed gives bit-identical
 * weights on any number of cores. No third-party libraries: the protocol module depends on
 * {@code harness-api} only.
 */
package clipbench.protocol.heads;
