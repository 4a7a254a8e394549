/**
 * Fine-tuning (issue 15): training the last blocks of the image tower with a head on top, runtime-neutral.
 *
 * <p>A runtime gives a {@link clipbench.api.spi.TowerCut}: the frozen bottom (run once per image; the
 * {@code Runner} caches its raw activations like embeddings, keyed by the cut) and the top's forward and
 * vector-Jacobian product over parameter values this package owns. Everything else is here, one implementation
 * for every runtime: {@link clipbench.protocol.finetune.FineTuneMode} ({@code --finetune}), the heads with their
 * gradients (LITE linear, PRO cosine), the gradient through the L2 normalisation, softmax cross-entropy,
 * {@code AdamW} with a cosine decay, early stopping ({@link clipbench.protocol.finetune.FineTuner}), and the
 * defaults ({@link clipbench.protocol.finetune.FineTuneSettings}).
 */
package clipbench.protocol.finetune;
