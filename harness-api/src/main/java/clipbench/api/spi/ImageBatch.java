package clipbench.api.spi;

/**
 * A batch of preprocessed images in NCHW order.
 *
 * @param count  number of images
 * @param size   height and width (CLIP inputs are square)
 * @param data   {@code count * 3 * size * size} floats
 */
public record ImageBatch(int count, int size, float[] data) {
    public static final int CHANNELS = 3;

    public ImageBatch {
        if (count <= 0 || size <= 0) {
            throw new IllegalArgumentException("batch: count and size must be positive");
        }
        if (data.length != (long) count * CHANNELS * size * size) {
            throw new IllegalArgumentException("batch: expected " + (long) count * CHANNELS * size * size
                    + " floats for " + count + "x3x" + size + "x" + size + ", got " + data.length);
        }
    }

    public int imageFloats() {
        return CHANNELS * size * size;
    }
}
