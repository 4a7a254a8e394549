package clipbench.api.spi;

import clipbench.api.image.RgbImage;
import java.util.OptionalInt;

/** Brings a (small) image up to a backbone's input size. One method, testable alone. */
@FunctionalInterface
public interface Upsampler {
    /**
     * Returns an image whose shortest side is {@code shortestSide} (the long side truncated as
     * torchvision does), or the image itself when it is already at least that large. An identity
     * upsampler ({@code none}) may return the image as is: the backbone's transform then resizes it.
     */
    RgbImage upsample(RgbImage image, int shortestSide);

    /**
     * The name results rows and embedding-cache keys give this upsampler, made from {@code spec} (what the user
     * wrote), for a dataset whose images have the shortest side {@code nativeSide} (empty when it declares none)
     * brought to {@code shortestSide}. The default is {@code spec}; an upsampler whose output depends on more than
     * its spec says (e.g. a network that picks its scale per image) names what it will do, e.g.
     * {@code esrgan-slim-x8}, so two different computations never share a cache block.
     */
    default String name(String spec, OptionalInt nativeSide, int shortestSide) {
        return spec;
    }
}
