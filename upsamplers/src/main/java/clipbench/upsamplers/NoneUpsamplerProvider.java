package clipbench.upsamplers;

import clipbench.api.spi.Upsampler;
import clipbench.api.spi.UpsamplerProvider;
import java.util.Objects;

/**
 * {@code none}: returns every image unchanged, leaving all resizing to the backbone's own transform (for
 * CLIP the same PIL bicubic resize, so this is the baseline the other upsamplers are compared with).
 */
public final class NoneUpsamplerProvider implements UpsamplerProvider {
    @Override
    public String id() {
        return "none";
    }

    @Override
    public String description() {
        return "no upsampling: the backbone's transform resizes the image";
    }

    /**
     * @param argument must be empty
     * @throws IllegalArgumentException for any other argument
     */
    @Override
    public Upsampler create(String argument) {
        if (argument != null && !argument.isBlank()) {
            throw new IllegalArgumentException("upsampler none: takes no argument, got '" + argument + "'");
        }
        return (image, shortestSide) -> {
            Objects.requireNonNull(image, "image");
            if (shortestSide <= 0) {
                throw new IllegalArgumentException("shortest side must be positive, got " + shortestSide);
            }
            return image;
        };
    }
}
