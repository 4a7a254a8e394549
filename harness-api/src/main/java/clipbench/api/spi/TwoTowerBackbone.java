package clipbench.api.spi;

import clipbench.api.model.ModelCard;
import java.io.IOException;
import java.util.Set;

/**
 * A CLIP-style backbone of an image tower and an optional text tower, each one model call per batch. Every
 * row a tower returns is checked to be {@link #embeddingDim()} long; a runtime supplies the towers, how the
 * missing text tower is explained, and {@link #close()}.
 */
public abstract class TwoTowerBackbone extends AbstractBackbone {
    /** One tower as the backbone sees it. */
    public interface Tower<I> {
        /** Names the tower in errors: the model file (or signature) and output, e.g. {@code visual.onnx: output 'x'}. */
        String source();

        /** The embedding length the model declares, or -1 when it leaves it open. */
        long declaredDim();

        /** Runs the model on one batch; rows as the model computes them (the backbone checks their length). */
        float[][] embed(I input);
    }

    private final Tower<ImageBatch> image;
    /** Null without a text tower. */
    private final Tower<int[][]> text;

    /** @param text null when the model has no text tower */
    protected TwoTowerBackbone(ModelCard card, Tower<ImageBatch> image, Tower<int[][]> text, int embeddingDim,
                               boolean gpu) {
        this(card, image, text, embeddingDim, gpu, Set.of());
    }

    /**
     * @param text  null when the model has no text tower
     * @param extra capabilities beyond the text tower and the GPU (e.g. {@link Capability#FINE_TUNE})
     */
    protected TwoTowerBackbone(ModelCard card, Tower<ImageBatch> image, Tower<int[][]> text, int embeddingDim,
                               boolean gpu, Set<Capability> extra) {
        super(card, embeddingDim, capabilities(text != null, gpu, extra.toArray(Capability[]::new)));
        this.image = image;
        this.text = text;
    }

    /**
     * The card's {@code embed_dim}, checked against what the towers declare; found by running one blank image
     * when neither the card nor a tower says.
     */
    protected static int embeddingDim(ModelCard card, Tower<ImageBatch> image, Tower<int[][]> text)
            throws IOException {
        long dim = card.embedDim();
        for (Tower<?> tower : text == null ? new Tower<?>[] {image} : new Tower<?>[] {image, text}) {
            if (tower.declaredDim() <= 0) {
                continue;
            }
            if (dim > 0 && tower.declaredDim() != dim) {
                throw new IOException(tower.source() + " has " + tower.declaredDim() + " values per row, but "
                        + (card.embedDim() > 0 ? "the model card says embed_dim " + card.embedDim()
                        : image.source() + " gives " + dim));
            }
            dim = tower.declaredDim();
        }
        if (dim > 0) {
            return (int) dim;
        }
        return image.embed(blankImage(card))[0].length;
    }

    /** Why there is no text tower, for {@link #noTextTower}: e.g. {@code the model card lists no text tower}. */
    protected abstract String missingTextTower();

    @Override
    public float[][] embedImages(ImageBatch batch) {
        return requireWidth(image.embed(batch), image.source());
    }

    @Override
    public float[][] embedTokens(int[][] tokenIds) {
        if (text == null) {
            throw noTextTower(missingTextTower());
        }
        return requireWidth(text.embed(tokenIds), text.source());
    }
}
