package clipbench.api.spi;

import clipbench.api.model.ModelCard;
import clipbench.api.model.PreprocessSpec;
import java.util.List;
import java.util.Set;

/**
 * An opened model: an image tower and, if {@link Capability#TEXT_TOWER} is present, a text tower.
 * Embeddings are returned as the model computes them (not normalised); the harness normalises.
 */
public interface Backbone extends AutoCloseable {
    ModelCard card();

    /** Length of one embedding. */
    int embeddingDim();

    /** How images must be prepared before {@link #embedImages}. */
    default PreprocessSpec preprocess() {
        return card().preprocess();
    }

    Set<Capability> capabilities();

    /** Embeds a batch of preprocessed images, {@code [n, 3, size, size]} float32 in CHW order. */
    float[][] embedImages(ImageBatch batch);

    /**
     * Embeds token id rows, each {@code contextLength} long, zero-padded.
     *
     * @throws UnsupportedOperationException when the model has no text tower
     */
    float[][] embedTokens(int[][] tokenIds);

    /**
     * Embeds texts given as strings, when {@link Capability#TEXT_STRINGS} is present: for text towers whose
     * tokenizer is not CLIP's (e.g. a sentence-transformers model with its own {@code tokenizer.json}), so the
     * backbone tokenizes, truncates and pads itself. One row per text.
     *
     * @throws UnsupportedOperationException when the model takes token ids ({@link #embedTokens}) or has no text tower
     */
    default float[][] embedTexts(List<String> texts) {
        throw new UnsupportedOperationException("model " + card().name() + ": this backbone does not embed"
                + " strings (it takes CLIP token ids, embedTokens, if it has a text tower)");
    }

    /**
     * The image tower as blocks that can be trained (the fine-tuning protocol), when
     * {@link Capability#FINE_TUNE} is present.
     *
     * @throws UnsupportedOperationException naming the model and the reason when it cannot be fine-tuned
     */
    default FineTunable fineTunable() {
        throw new UnsupportedOperationException("model " + card().name() + ": this backend cannot train"
                + " the image tower (inference only)");
    }

    @Override
    void close();
}
