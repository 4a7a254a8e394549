package clipbench.api.spi;

import clipbench.api.image.RgbImage;

/** Brings a (small) image up to a backbone's input size. One method, testable alone. */
@FunctionalInterface
public interface Upsampler {
    /**
     * Returns an image whose shortest side is {@code shortestSide} (the long side truncated as
     * torchvision does), or the image itself when it is already at least that large. An identity
     * upsampler ({@code none}) may return the image as is: the backbone's transform then resizes it.
     */
    RgbImage upsample(RgbImage image, int shortestSide);
}
