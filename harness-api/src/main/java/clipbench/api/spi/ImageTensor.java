package clipbench.api.spi;

/**
 * A batch of images as floats in NCHW order, any size (e.g. a super-resolution network's input/output).
 */
public record ImageTensor(int count, int channels, int height, int width, float[] data) {
    public ImageTensor {
        if (count <= 0 || channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image tensor: dimensions must be positive, got "
                    + count + "x" + channels + "x" + height + "x" + width);
        }
        if (data.length != (long) count * channels * height * width) {
            throw new IllegalArgumentException("image tensor: expected " + (long) count * channels * height * width
                    + " floats for " + count + "x" + channels + "x" + height + "x" + width + ", got " + data.length);
        }
    }
}
