package clipbench.api.spi;

import clipbench.api.model.ModelCard;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What every backbone holds: its card, its embedding length and its capabilities, fixed when opened. A
 * runtime's class adds only running its model and closing it (the way DJL's {@code BaseModel} serves engines).
 */
public abstract class AbstractBackbone implements Backbone {
    private final ModelCard card;
    private final int embeddingDim;
    private final Set<Capability> capabilities;

    protected AbstractBackbone(ModelCard card, int embeddingDim, Set<Capability> capabilities) {
        this.card = card;
        this.embeddingDim = embeddingDim;
        this.capabilities = Set.copyOf(capabilities);
    }

    /** {@link Capability#TEXT_TOWER} and {@link Capability#GPU} as given, plus {@code extra}. */
    protected static Set<Capability> capabilities(boolean textTower, boolean gpu, Capability... extra) {
        Set<Capability> caps = EnumSet.noneOf(Capability.class);
        caps.addAll(List.of(extra));
        if (textTower) {
            caps.add(Capability.TEXT_TOWER);
        }
        if (gpu) {
            caps.add(Capability.GPU);
        }
        return caps;
    }

    /** One black image of the card's size, for finding or checking what a model returns. */
    protected static ImageBatch blankImage(ModelCard card) {
        int size = card.preprocess().imageSize();
        return new ImageBatch(1, size, new float[ImageBatch.CHANNELS * size * size]);
    }

    @Override
    public final ModelCard card() {
        return card;
    }

    @Override
    public final int embeddingDim() {
        return embeddingDim;
    }

    @Override
    public final Set<Capability> capabilities() {
        return capabilities;
    }

    /**
     * Returns {@code rows} when every row has {@link #embeddingDim()} values; otherwise fails naming
     * {@code source} (the model file and output), so a model that changed shape mid-run cannot corrupt results
     * silently.
     */
    protected final float[][] requireWidth(float[][] rows, String source) {
        for (float[] row : rows) {
            if (row.length != embeddingDim) {
                throw new IllegalStateException(source + " has " + row.length + " values per row, expected "
                        + embeddingDim);
            }
        }
        return rows;
    }

    /** What {@link #embedTokens} throws without a text tower: {@code DIR: WHY, so this model cannot embed text}. */
    protected final UnsupportedOperationException noTextTower(String why) {
        return new UnsupportedOperationException(card.directory() + ": " + why + ", so this model cannot embed text");
    }
}
