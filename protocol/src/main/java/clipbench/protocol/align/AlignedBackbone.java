package clipbench.protocol.align;

import clipbench.api.model.ModelCard;
import clipbench.api.model.PreprocessSpec;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.Capability;
import clipbench.api.spi.ImageBatch;
import clipbench.protocol.Vectors;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * An aligned model as a backbone: images through the image tower, texts (strings, {@link Capability#TEXT_STRINGS})
 * through the text tower, each row L2-normalised (as {@link Aligner} saw them: the embedding cache's rows) and then
 * projected and normalised by {@link AlignedProjections}. Owns both towers: closing it closes them.
 */
public final class AlignedBackbone implements Backbone {
    private final ModelCard card;
    private final Backbone image;
    private final Backbone text;
    private final AlignedProjections projections;

    public AlignedBackbone(ModelCard card, Backbone image, Backbone text, AlignedProjections projections) {
        if (image.embeddingDim() != projections.imageWidth() || !text.capabilities().contains(Capability.TEXT_STRINGS)) {
            throw new IllegalArgumentException("model " + card.name() + ": the projections take " + projections.imageWidth()
                    + "-d image rows and strings; the image tower gives " + image.embeddingDim() + "-d rows, the text"
                    + " tower " + (text.capabilities().contains(Capability.TEXT_STRINGS) ? "strings" : "no strings"));
        }
        this.card = card;
        this.image = image;
        this.text = text;
        this.projections = projections;
    }

    @Override
    public ModelCard card() {
        return card;
    }

    @Override
    public int embeddingDim() {
        return projections.dim();
    }

    @Override
    public PreprocessSpec preprocess() {
        return image.preprocess();
    }

    /** {@link Capability#TEXT_STRINGS}, and the image tower's GPU; no fine-tuning (the towers are locked). */
    @Override
    public Set<Capability> capabilities() {
        Set<Capability> caps = EnumSet.of(Capability.TEXT_STRINGS);
        if (image.capabilities().contains(Capability.GPU)) {
            caps.add(Capability.GPU);
        }
        return caps;
    }

    @Override
    public float[][] embedImages(ImageBatch batch) {
        return projections.embedImages(Vectors.normalizeRows(image.embedImages(batch)));
    }

    @Override
    public float[][] embedTokens(int[][] tokenIds) {
        throw new UnsupportedOperationException("model " + card.name() + ": an aligned model embeds strings"
                + " (embedTexts) with its text tower's own tokenizer, not CLIP token ids");
    }

    @Override
    public float[][] embedTexts(List<String> texts) {
        return projections.embedTexts(Vectors.normalizeRows(text.embedTexts(texts)));
    }

    @Override
    public void close() {
        try {
            image.close();
        } finally {
            text.close();
        }
    }
}
