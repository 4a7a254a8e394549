package clipbench.clip.image;

import clipbench.api.image.RgbImage;
import java.util.Arrays;
import java.util.Objects;

/**
 * OpenAI CLIP's image preprocessing ({@code clip._transform(n_px)}):
 * <pre>
 * Compose([Resize(n_px, interpolation=BICUBIC), CenterCrop(n_px), convert("RGB"),
 *          ToTensor(), Normalize(mean, std)])
 * </pre>
 * with torchvision's semantics on a PIL image:
 * <ul>
 *   <li>{@code Resize(size)}: the shorter side becomes {@code size}, the longer one
 *       {@code int(size * long / short)} (Python true division, then truncation), resized with
 *       PIL's BICUBIC ({@link PilResample}); an image already of that size is left alone;</li>
 *   <li>{@code CenterCrop(size)}: offsets {@code int(round((h - size) / 2.0))} and
 *       {@code int(round((w - size) / 2.0))} with Python's {@code round} (half to even: an
 *       excess of 5 pixels gives offset 2, not 3); an image smaller than the crop is padded with
 *       zeros first as torchvision does (cannot happen after the resize);</li>
 *   <li>{@code ToTensor} + {@code Normalize}: CHW float32, {@code v / 255f}, then
 *       {@code (v - mean[c]) / std[c]}, all in float32 like torch.</li>
 * </ul>
 * Inputs are already RGB ({@link ImageDecoder} converts), so the RGB conversion step is a no-op.
 *
 * <p>Immutable: the arrays are copied in and out.
 */
public record ClipTransform(int size, float[] mean, float[] std) {

    private static final float[] OPENAI_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    private static final float[] OPENAI_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /** Validates: size positive, three finite means, three finite positive standard deviations. */
    public ClipTransform {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (mean.length != 3) {
            throw new IllegalArgumentException("mean must have 3 values (R, G, B), got " + mean.length);
        }
        if (std.length != 3) {
            throw new IllegalArgumentException("std must have 3 values (R, G, B), got " + std.length);
        }
        for (int c = 0; c < 3; c++) {
            if (!Float.isFinite(mean[c])) {
                throw new IllegalArgumentException("mean[" + c + "] is not finite: " + mean[c]);
            }
            if (!Float.isFinite(std[c]) || std[c] <= 0f) {
                throw new IllegalArgumentException("std[" + c + "] must be positive, got " + std[c]);
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** CLIP's transform with OpenAI's normalisation constants (those of the CLIP training set). */
    public static ClipTransform openaiClip(int size) {
        return new ClipTransform(size, OPENAI_MEAN, OPENAI_STD);
    }

    /** A copy of the per-channel means. */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /** A copy of the per-channel standard deviations. */
    @Override
    public float[] std() {
        return std.clone();
    }

    /** Number of floats one image occupies: {@code 3 * size * size}. */
    public int tensorLength() {
        return 3 * size * size;
    }

    /** {@code Resize(size, BICUBIC)} then {@code CenterCrop(size)}; the result is size x size. */
    public RgbImage resizeAndCrop(RgbImage image) {
        Objects.requireNonNull(image, "image");
        int w = image.width();
        int h = image.height();
        int[] wh = resizedSize(w, h, size);
        RgbImage resized = (wh[0] == w && wh[1] == h)
                ? image
                : PilResample.resize(image, wh[0], wh[1], PilResample.Filter.BICUBIC);
        return centerCrop(resized, size);
    }

    /**
     * torchvision's output size for {@code Resize(size)} of a {@code w}x{@code h} image,
     * as {@code {width, height}}.
     */
    static int[] resizedSize(int w, int h, int size) {
        int shortSide = Math.min(w, h);
        int longSide = Math.max(w, h);
        // Python: int(size * long / short); the product is exact in a double (< 2^53).
        int newLong = (int) ((double) ((long) size * longSide) / shortSide);
        return w <= h ? new int[] {size, newLong} : new int[] {newLong, size};
    }

    /** torchvision's {@code center_crop} offset along one axis: {@code int(round((len - crop) / 2.0))}. */
    static int cropOffset(int length, int crop) {
        // Math.rint rounds halves to even, like Python 3's round.
        return (int) Math.rint((length - crop) / 2.0);
    }

    /** torchvision's {@code CenterCrop(crop)} on a PIL image, zero-padding when it is smaller. */
    static RgbImage centerCrop(RgbImage image, int crop) {
        int w = image.width();
        int h = image.height();
        if (w >= crop && h >= crop) {
            return image.crop(cropOffset(w, crop), cropOffset(h, crop), crop, crop);
        }
        // torchvision pads (left = (crop - w) // 2, ...) to exactly crop along a short axis, so the
        // crop there starts at -left; along a long axis the usual offset applies.
        int left = w < crop ? -((crop - w) / 2) : cropOffset(w, crop);
        int top = h < crop ? -((crop - h) / 2) : cropOffset(h, crop);
        byte[] src = image.pixels();
        byte[] out = new byte[crop * crop * 3];
        for (int y = 0; y < crop; y++) {
            int sy = y + top;
            if (sy < 0 || sy >= h) {
                continue;
            }
            for (int x = 0; x < crop; x++) {
                int sx = x + left;
                if (sx >= 0 && sx < w) {
                    System.arraycopy(src, (sy * w + sx) * 3, out, (y * crop + x) * 3, 3);
                }
            }
        }
        return new RgbImage(crop, crop, out);
    }

    /**
     * {@code ToTensor} + {@code Normalize} of an already {@code size}x{@code size} image:
     * a new CHW float32 array of {@link #tensorLength()} values.
     */
    public float[] toTensor(RgbImage cropped) {
        float[] out = new float[tensorLength()];
        writeTensor(cropped, out, 0);
        return out;
    }

    /** The whole transform: resize, crop, CHW float32 normalised tensor. */
    public float[] apply(RgbImage image) {
        return toTensor(resizeAndCrop(image));
    }

    /**
     * The whole transform, written into {@code dst[offset .. offset + tensorLength())}, so that a
     * batch {@code [n, 3, size, size]} can be filled image by image without copies.
     */
    public void applyInto(RgbImage image, float[] dst, int offset) {
        Objects.requireNonNull(dst, "dst");
        checkRange(dst, offset);
        writeTensor(resizeAndCrop(image), dst, offset);
    }

    private void checkRange(float[] dst, int offset) {
        if (offset < 0 || (long) offset + tensorLength() > dst.length) {
            throw new IndexOutOfBoundsException("need " + tensorLength() + " floats at offset "
                    + offset + " but dst has " + dst.length);
        }
    }

    private void writeTensor(RgbImage img, float[] dst, int offset) {
        Objects.requireNonNull(img, "image");
        if (img.width() != size || img.height() != size) {
            throw new IllegalArgumentException("toTensor expects a " + size + "x" + size
                    + " image (use resizeAndCrop or apply), got " + img.width() + "x" + img.height());
        }
        checkRange(dst, offset);
        int plane = size * size;
        byte[] px = img.pixels();
        for (int c = 0; c < 3; c++) {
            // 256-entry table per channel; each entry computed exactly as torch does in float32.
            float[] lut = new float[256];
            float m = mean[c];
            float s = std[c];
            for (int v = 0; v < 256; v++) {
                float f = (float) v / 255f;
                lut[v] = (f - m) / s;
            }
            int base = offset + c * plane;
            for (int i = 0, p = c; i < plane; i++, p += 3) {
                dst[base + i] = lut[px[p] & 0xFF];
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClipTransform other
                && size == other.size
                && Arrays.equals(mean, other.mean)
                && Arrays.equals(std, other.std);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * size + Arrays.hashCode(mean)) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "ClipTransform[size=" + size + ", mean=" + Arrays.toString(mean)
                + ", std=" + Arrays.toString(std) + "]";
    }
}
