package clipbench.upsamplers;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.Upsampler;
import java.util.Objects;

/**
 * The one place that computes shortest-side resizing, as torchvision's {@code Resize(int)} does: the short
 * side becomes {@code target}, the long side {@code (int) (target * long / short)} (truncated, computed in
 * double like Python's {@code int(size * long / short)}); a square stays square.
 */
public final class ShortestSide {
    /** An output size. */
    public record Size(int width, int height) {
    }

    /** Resizes an image to exactly {@code width x height}, e.g. with one PIL filter. */
    @FunctionalInterface
    public interface Resizer {
        RgbImage resize(RgbImage image, int width, int height);
    }

    private ShortestSide() {
    }

    /**
     * The size whose shortest side is {@code target}, keeping the aspect ratio as torchvision does.
     *
     * @throws IllegalArgumentException when a size is not positive
     */
    public static Size scaledSize(int width, int height, int target) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (target <= 0) {
            throw new IllegalArgumentException("shortest side must be positive, got " + target);
        }
        if (width <= height) {
            return new Size(target, (int) ((double) target * height / width));
        }
        return new Size((int) ((double) target * width / height), target);
    }

    /** True when the image's shortest side is already at least {@code target} (it is then left alone). */
    public static boolean largeEnough(RgbImage image, int target) {
        return Math.min(image.width(), image.height()) >= target;
    }

    /**
     * An upsampler that scales an image up to shortest side {@code target} with {@code resizer}, and returns
     * the image itself when it is already large enough (the backbone's transform then resizes it).
     */
    public static Upsampler upsampler(Resizer resizer) {
        Objects.requireNonNull(resizer, "resizer");
        return (image, target) -> {
            Objects.requireNonNull(image, "image");
            Size size = scaledSize(image.width(), image.height(), target);
            return largeEnough(image, target) ? image : resizer.resize(image, size.width(), size.height());
        };
    }
}
