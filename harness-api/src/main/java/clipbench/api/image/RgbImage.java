package clipbench.api.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Arrays;
import java.util.Objects;

/**
 * An 8-bit RGB image, stored interleaved in row-major HWC order: the byte for channel {@code c}
 * (0 = red, 1 = green, 2 = blue) of pixel ({@code x}, {@code y}) is at
 * {@code pixels[(y * width + x) * 3 + c]} and is read unsigned (0..255).
 *
 * <p>This is the layout of a PIL {@code "RGB"} image converted with {@code numpy.asarray}, so
 * golden data from Python maps onto it one to one.
 *
 * <p>The array is not copied (images are large and pass through several stages): whoever creates
 * an {@code RgbImage} hands the array over and must not modify it afterwards. Every method of this
 * package that returns an image returns a fresh array. {@link #equals} and {@link #hashCode}
 * compare the pixel contents, not the array identity.
 */
public record RgbImage(int width, int height, byte[] pixels) {

    /** Validates the dimensions and that {@code pixels} holds exactly {@code width * height * 3} bytes. */
    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(
                    "image size must be positive, got " + width + "x" + height);
        }
        Objects.requireNonNull(pixels, "pixels");
        long expected = (long) width * height * 3L;
        if (expected > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "image too large for one array: " + width + "x" + height + " RGB");
        }
        if (pixels.length != expected) {
            throw new IllegalArgumentException("pixels has " + pixels.length + " bytes, expected "
                    + expected + " for a " + width + "x" + height + " RGB image");
        }
    }

    /** A new image of the given size with every pixel set to ({@code r}, {@code g}, {@code b}). */
    public static RgbImage filled(int width, int height, int r, int g, int b) {
        checkChannel(r, "r");
        checkChannel(g, "g");
        checkChannel(b, "b");
        long n = (long) width * height;
        if (width <= 0 || height <= 0 || n * 3 > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("bad image size " + width + "x" + height);
        }
        byte[] px = new byte[(int) (n * 3)];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) r;
            px[i + 1] = (byte) g;
            px[i + 2] = (byte) b;
        }
        return new RgbImage(width, height, px);
    }

    /** Offset of pixel ({@code x}, {@code y})'s red byte in {@link #pixels()}. */
    public int offset(int x, int y) {
        if (x < 0 || x >= width || y < 0 || y >= height) {
            throw new IndexOutOfBoundsException(
                    "pixel (" + x + ", " + y + ") outside " + width + "x" + height + " image");
        }
        return (y * width + x) * 3;
    }

    /** Channel {@code c} (0 = R, 1 = G, 2 = B) of pixel ({@code x}, {@code y}), 0..255. */
    public int channel(int x, int y, int c) {
        if (c < 0 || c > 2) {
            throw new IndexOutOfBoundsException("channel " + c + " not in 0..2");
        }
        return pixels[offset(x, y) + c] & 0xFF;
    }

    /** Red value of pixel ({@code x}, {@code y}), 0..255. */
    public int r(int x, int y) {
        return pixels[offset(x, y)] & 0xFF;
    }

    /** Green value of pixel ({@code x}, {@code y}), 0..255. */
    public int g(int x, int y) {
        return pixels[offset(x, y) + 1] & 0xFF;
    }

    /** Blue value of pixel ({@code x}, {@code y}), 0..255. */
    public int b(int x, int y) {
        return pixels[offset(x, y) + 2] & 0xFF;
    }

    /** Pixel ({@code x}, {@code y}) packed as {@code 0xRRGGBB}. */
    public int rgb(int x, int y) {
        int o = offset(x, y);
        return (pixels[o] & 0xFF) << 16 | (pixels[o + 1] & 0xFF) << 8 | (pixels[o + 2] & 0xFF);
    }

    /** A copy with its own pixel array. */
    public RgbImage copy() {
        return new RgbImage(width, height, pixels.clone());
    }

    /**
     * The {@code w}x{@code h} region whose top-left corner is ({@code x}, {@code y}); it must lie
     * inside this image (PIL's {@code crop} would pad, this one refuses).
     */
    public RgbImage crop(int x, int y, int w, int h) {
        if (w <= 0 || h <= 0 || x < 0 || y < 0 || (long) x + w > width || (long) y + h > height) {
            throw new IllegalArgumentException("crop (" + x + ", " + y + ", " + w + "x" + h
                    + ") does not lie inside the " + width + "x" + height + " image");
        }
        byte[] out = new byte[w * h * 3];
        for (int row = 0; row < h; row++) {
            System.arraycopy(pixels, ((y + row) * width + x) * 3, out, row * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    /** A new {@link BufferedImage#TYPE_3BYTE_BGR} image with these pixels. */
    public BufferedImage toBufferedImage() {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < pixels.length; i += 3) {
            dst[i] = pixels[i + 2];
            dst[i + 1] = pixels[i + 1];
            dst[i + 2] = pixels[i];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other
                && width == other.width
                && height == other.height
                && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }

    private static void checkChannel(int v, String name) {
        if (v < 0 || v > 255) {
            throw new IllegalArgumentException(name + " must be in 0..255, got " + v);
        }
    }
}
