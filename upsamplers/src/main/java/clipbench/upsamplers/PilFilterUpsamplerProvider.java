package clipbench.upsamplers;

import clipbench.clip.image.PilResample;
import clipbench.api.spi.Upsampler;
import java.util.Locale;
import java.util.Objects;

/**
 * Base of the upsamplers that resize with one {@link PilResample} filter (PIL-exact, the same code the CLIP
 * transform uses) to a shortest side given by {@link ShortestSide}. A new interpolator is one subclass
 * naming its id and filter, plus a line in {@code META-INF/services}.
 */
public abstract class PilFilterUpsamplerProvider extends NoArgumentUpsamplerProvider {
    private final PilResample.Filter filter;

    protected PilFilterUpsamplerProvider(String id, PilResample.Filter filter) {
        super(id, "PIL-exact " + Objects.requireNonNull(filter, "filter").name().toLowerCase(Locale.ROOT)
                + " resize of small images to the backbone's input size (shortest side)");
        this.filter = filter;
    }

    /** The filter this upsampler resizes with. */
    public final PilResample.Filter filter() {
        return filter;
    }

    @Override
    protected Upsampler create() {
        PilResample.Filter f = filter;
        return ShortestSide.upsampler((image, width, height) -> PilResample.resize(image, width, height, f));
    }
}
