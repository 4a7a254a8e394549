package clipbench.clip.image;

import java.util.Locale;

/**
 * The most pixels an image may have, decoded or resized: above it an image is refused before its pixels are
 * allocated, so a small file that expands to gigabytes (a decompression bomb) or a resize to an absurd size
 * (a 1 x 20000 strip brought to a shortest side of 224) fails only itself, and whether it fails does not
 * depend on the machine's heap.
 *
 * <p>The default, {@value #DEFAULT} pixels, is Pillow's {@code DecompressionBombError} threshold
 * ({@code 2 * Image.MAX_IMAGE_PIXELS}, {@code 2 * 89,478,485}), so exactly the images CLIP's Python code opens
 * are decoded here. The system property {@value #PROPERTY} overrides it; resizes are held to
 * {@link #forResize()}.
 */
public final class PixelLimit {
    /** System property holding the limit, a positive number of pixels ({@code _} separators allowed). */
    public static final String PROPERTY = "clipbench.maxImagePixels";
    /** Pillow's error threshold, {@code 2 * 89,478,485}. */
    public static final long DEFAULT = 178_956_970L;

    private PixelLimit() {
    }

    /**
     * The limit {@value #PROPERTY} sets, or {@link #DEFAULT}.
     *
     * @throws IllegalArgumentException naming the property when its value is not a positive integer
     */
    public static long configured() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return DEFAULT;
        }
        try {
            long n = Long.parseLong(value.strip().replace("_", ""));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(PROPERTY + ": must be a positive number of pixels, got '" + value + "'");
    }

    /**
     * The most pixels a resize may produce: the larger of {@link #configured()} and {@link #DEFAULT}, so a limit
     * lowered to refuse large files never refuses the resize of a small image to a model's input size.
     */
    public static long forResize() {
        return Math.max(configured(), DEFAULT);
    }

    /** {@code "20000:1"} for a 1 x 20000 image, {@code "1.33:1"} for 4 x 3: long side to short side. */
    static String aspectRatio(int width, int height) {
        double ratio = (double) Math.max(width, height) / Math.min(width, height);
        return (ratio >= 10 ? String.format(Locale.ROOT, "%.0f", ratio) : String.format(Locale.ROOT, "%.2f", ratio))
                + ":1";
    }

    /** Why a {@code width x height} image is above {@code limit}, or null when it is not. */
    static String excess(long width, long height, long limit) {
        long pixels = width * height;
        if (pixels <= limit) {
            return null;
        }
        return String.format(Locale.ROOT, "%dx%d is %,d pixels, above the limit of %,d (%s)", width, height, pixels,
                limit, PROPERTY);
    }
}
