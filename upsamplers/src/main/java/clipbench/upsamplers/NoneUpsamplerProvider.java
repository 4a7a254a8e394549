package clipbench.upsamplers;

import clipbench.api.spi.Upsampler;
import java.util.Objects;

/**
 * {@code none}: returns every image unchanged, leaving all resizing to the backbone's own transform (for
 * CLIP the same PIL bicubic resize, so this is the baseline the other upsamplers are compared with).
 */
public final class NoneUpsamplerProvider extends NoArgumentUpsamplerProvider {
    public NoneUpsamplerProvider() {
        super("none", "no upsampling: the backbone's transform resizes the image");
    }

    @Override
    protected Upsampler create() {
        return (image, shortestSide) -> {
            Objects.requireNonNull(image, "image");
            if (shortestSide <= 0) {
                throw new IllegalArgumentException("shortest side must be positive, got " + shortestSide);
            }
            return image;
        };
    }
}
