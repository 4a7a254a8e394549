package clipbench.upsamplers;

import clipbench.clip.image.PilResample;
import clipbench.api.spi.Upsampler;
import clipbench.api.spi.UpsamplerProvider;
import java.util.Objects;

/**
 * Base of the upsamplers that resize with one {@link PilResample} filter (PIL-exact, the same code the CLIP
 * transform uses) to a shortest side given by {@link ShortestSide}. A new interpolator is one subclass
 * naming its id and filter, plus a line in {@code META-INF/services}.
 */
public abstract class PilFilterUpsamplerProvider implements UpsamplerProvider {
    private final String id;
    private final PilResample.Filter filter;

    protected PilFilterUpsamplerProvider(String id, PilResample.Filter filter) {
        this.id = Objects.requireNonNull(id, "id");
        this.filter = Objects.requireNonNull(filter, "filter");
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public String description() {
        return "PIL-exact " + filter.name().toLowerCase(java.util.Locale.ROOT)
                + " resize of small images to the backbone's input size (shortest side)";
    }

    /** The filter this upsampler resizes with. */
    public final PilResample.Filter filter() {
        return filter;
    }

    /**
     * @param argument must be empty: these upsamplers take no options
     * @throws IllegalArgumentException for any other argument
     */
    @Override
    public Upsampler create(String argument) {
        if (argument != null && !argument.isBlank()) {
            throw new IllegalArgumentException("upsampler " + id + ": takes no argument, got '" + argument + "'");
        }
        PilResample.Filter f = filter;
        return ShortestSide.upsampler((image, width, height) -> PilResample.resize(image, width, height, f));
    }
}
