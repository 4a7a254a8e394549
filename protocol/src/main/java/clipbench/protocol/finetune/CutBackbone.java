package clipbench.protocol.finetune;

import clipbench.api.model.ModelCard;
import clipbench.api.model.PreprocessSpec;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.Capability;
import clipbench.api.spi.ImageBatch;
import clipbench.api.spi.TowerCut;
import java.util.Set;

/**
 * The frozen bottom of a cut seen as a backbone, so the embedding pipeline (reading, upsampling, preprocessing,
 * skipping unreadable images) computes the activations at the cut, once per image. Use it with a pipeline that
 * does not normalise. Closing it closes neither the cut nor the backbone.
 */
public final class CutBackbone implements Backbone {
    private final Backbone backbone;
    private final TowerCut cut;

    public CutBackbone(Backbone backbone, TowerCut cut) {
        this.backbone = backbone;
        this.cut = cut;
    }

    @Override
    public ModelCard card() {
        return backbone.card();
    }

    @Override
    public int embeddingDim() {
        return cut.activationLength();
    }

    @Override
    public PreprocessSpec preprocess() {
        return backbone.preprocess();
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of();
    }

    @Override
    public float[][] embedImages(ImageBatch batch) {
        return cut.frozen(batch);
    }

    @Override
    public float[][] embedTokens(int[][] tokenIds) {
        throw new UnsupportedOperationException("the bottom of a cut embeds no text");
    }

    @Override
    public void close() {
    }
}
