package clipbench.clip.image;

import clipbench.api.image.RgbImage;
import java.util.Objects;

/**
 * Pillow's {@code Image.resize} for 8-bit RGB images, ported bit for bit.
 *
 * <p>Why hand-written: CLIP was trained and is evaluated on images resized by PIL, and the
 * published zero-shot and linear-probe numbers depend on matching its output to the last bit
 * (a systematic one-level difference moves accuracies). No Java library reproduces PIL:
 * {@code java.awt} and imgscalr interpolate differently and do not antialias the way Pillow's
 * convolution does, so this class ports Pillow's {@code libImaging/Resample.c}
 * ({@code precompute_coeffs}, {@code normalize_coeffs_8bpc}, {@code ImagingResampleHorizontal_8bpc},
 * {@code ImagingResampleVertical_8bpc}, {@code ImagingResampleInner}) and, for
 * {@link Filter#NEAREST}, the nearest-neighbour scaling of {@code libImaging/Geometry.c}.
 *
 * <p>What is reproduced exactly:
 * <ul>
 *   <li>the support grows with the scale when downscaling ({@code support = filter support * scale}),
 *       which is Pillow's antialiasing;</li>
 *   <li>coefficients are computed in double precision, normalised to sum 1, then turned into
 *       fixed point with {@code PRECISION_BITS = 32 - 8 - 2} bits, rounding half away from zero;</li>
 *   <li>each sum starts at {@code 1 << (PRECISION_BITS - 1)} (rounding) and is clipped to 0..255
 *       after an arithmetic shift ({@code clip8});</li>
 *   <li>the horizontal pass runs first, on only the rows the vertical pass will read
 *       ({@code ybox_first .. ybox_last} of {@code ImagingResampleInner}), and its 8-bit result
 *       feeds the vertical pass;</li>
 *   <li>a pass is skipped when its dimension does not change, and an unchanged size returns a copy
 *       ({@code Image.resize} does the same).</li>
 * </ul>
 *
 * <p>{@link Filter#NEAREST} does not go through {@code ImagingResample} in Pillow: {@code resize}
 * calls {@code ImagingTransform} with the affine matrix {@code (in_w / out_w, 0, 0, 0, in_h / out_h, 0)}
 * which lands in {@code ImagingScaleAffine}: the source column of output column {@code x} is
 * {@code (int) xo} where {@code xo} starts at {@code scale / 2} and is advanced by adding
 * {@code scale} once per column, in double precision (the accumulated rounding is part of the
 * result and is reproduced); likewise for rows.
 *
 * <p>The filter functions use {@link StrictMath} for {@code sin}/{@code cos} (LANCZOS, HAMMING)
 * so results are the same on every JVM; C's {@code sin} may differ from it in the last bit of a
 * double, far below the 2<sup>-22</sup> resolution of the fixed-point coefficients.
 */
public final class PilResample {

    /** Pillow's resampling filters, with Pillow's names ({@code PIL.Image.Resampling}). */
    public enum Filter {
        /** Nearest neighbour (Pillow's affine scaling path, no antialiasing). */
        NEAREST(0.0),
        /** Box (area average when downscaling), support 0.5. */
        BOX(0.5),
        /** Triangle filter, support 1. */
        BILINEAR(1.0),
        /** Hamming-windowed sinc, support 1. */
        HAMMING(1.0),
        /** Keys cubic convolution with a = -0.5, support 2. CLIP's filter. */
        BICUBIC(2.0),
        /** Lanczos-windowed sinc, support 3. */
        LANCZOS(3.0);

        private final double support;

        Filter(double support) {
            this.support = support;
        }

        /** The filter's support (half-width) at scale 1, as in Pillow's {@code struct filter}. */
        public double support() {
            return support;
        }

        double apply(double x) {
            switch (this) {
                case BOX:
                    return (x > -0.5 && x <= 0.5) ? 1.0 : 0.0;
                case BILINEAR:
                    if (x < 0.0) {
                        x = -x;
                    }
                    return x < 1.0 ? 1.0 - x : 0.0;
                case HAMMING:
                    if (x < 0.0) {
                        x = -x;
                    }
                    if (x == 0.0) {
                        return 1.0;
                    }
                    if (x >= 1.0) {
                        return 0.0;
                    }
                    x = x * Math.PI;
                    // 0.54f and 0.46f are float literals in Pillow too; they widen to double.
                    return StrictMath.sin(x) / x * (0.54f + 0.46f * StrictMath.cos(x));
                case BICUBIC: {
                    final double a = -0.5;
                    if (x < 0.0) {
                        x = -x;
                    }
                    if (x < 1.0) {
                        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                    }
                    if (x < 2.0) {
                        return (((x - 5) * x + 8) * x - 4) * a;
                    }
                    return 0.0;
                }
                case LANCZOS:
                    if (-3.0 <= x && x < 3.0) {
                        return sinc(x) * sinc(x / 3);
                    }
                    return 0.0;
                default:
                    throw new IllegalStateException("no convolution kernel for " + this);
            }
        }

        private static double sinc(double x) {
            if (x == 0.0) {
                return 1.0;
            }
            x = x * Math.PI;
            return StrictMath.sin(x) / x;
        }
    }

    /** 8 bits for the result, 2 for overflow and sign of negative lobes. */
    static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResample() {
    }

    /**
     * Resizes {@code src} to {@code width}x{@code height} exactly as Pillow's
     * {@code Image.resize((width, height), filter)} does for an {@code "RGB"} image.
     * The same size returns a copy.
     *
     * @throws IllegalArgumentException when the target size is not positive or above {@link PixelLimit#forResize()}
     */
    public static RgbImage resize(RgbImage src, int width, int height, Filter filter) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(filter, "filter");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(
                    "target size must be positive, got " + width + "x" + height);
        }
        // Also reached by a 1 x 20000 strip scaled to a shortest side of 224: refuse it before allocating.
        String excess = PixelLimit.excess(width, height, PixelLimit.forResize());
        if (excess != null) {
            throw new IllegalArgumentException("cannot resize " + src.width() + "x" + src.height() + " (aspect ratio "
                    + PixelLimit.aspectRatio(src.width(), src.height()) + "): " + excess);
        }
        if ((long) width * height * 3L > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("target size too large: " + width + "x" + height);
        }
        if (width == src.width() && height == src.height()) {
            return src.copy();
        }
        if (filter == Filter.NEAREST) {
            return nearest(src, width, height);
        }
        return resampleInner(src, width, height, filter);
    }

    /** Coefficients of one pass: for output index i, {@code kk[i*ksize .. i*ksize+bounds[2i+1])}. */
    record Coeffs(int ksize, int[] bounds, double[] kk) {
    }

    /**
     * Pillow's {@code precompute_coeffs}, for the box {@code [in0, in1)} of an axis of
     * {@code inSize} pixels mapped onto {@code outSize} pixels. {@code in0}/{@code in1} are
     * floats as in Pillow (whose {@code box} is {@code float[4]}).
     */
    static Coeffs precomputeCoeffs(int inSize, float in0, float in1, int outSize, Filter filter) {
        double scale = (double) (in1 - in0) / outSize;
        double filterscale = scale;
        if (filterscale < 1.0) {
            filterscale = 1.0;
        }
        double support = filter.support() * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        if ((long) outSize * ksize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("resampling kernel too large: " + outSize + " x " + ksize);
        }
        double[] kk = new double[outSize * ksize];
        int[] bounds = new int[outSize * 2];
        for (int xx = 0; xx < outSize; xx++) {
            double center = in0 + (xx + 0.5) * scale;
            double ww = 0.0;
            double ss = 1.0 / filterscale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            int k = xx * ksize;
            int x;
            for (x = 0; x < xmax; x++) {
                double w = filter.apply((x + xmin - center + 0.5) * ss);
                kk[k + x] = w;
                ww += w;
            }
            for (x = 0; x < xmax; x++) {
                if (ww != 0.0) {
                    kk[k + x] /= ww;
                }
            }
            // The rest of the row stays 0 (Java arrays start zeroed).
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return new Coeffs(ksize, bounds, kk);
    }

    /** Pillow's {@code normalize_coeffs_8bpc}: fixed point, rounding half away from zero. */
    static int[] normalizeCoeffs8bpc(double[] prekk) {
        int[] kk = new int[prekk.length];
        double one = 1 << PRECISION_BITS;
        for (int x = 0; x < prekk.length; x++) {
            if (prekk[x] < 0) {
                kk[x] = (int) (-0.5 + prekk[x] * one);
            } else {
                kk[x] = (int) (0.5 + prekk[x] * one);
            }
        }
        return kk;
    }

    /** Pillow's {@code clip8}: arithmetic shift then clamp (its lookup table covers -640..639). */
    static int clip8(int in) {
        int v = in >> PRECISION_BITS;
        return v < 0 ? 0 : (v > 255 ? 255 : v);
    }

    /** Pillow's {@code ImagingResampleInner} with the box (0, 0, in_w, in_h). */
    private static RgbImage resampleInner(RgbImage in, int xsize, int ysize, Filter filter) {
        int inW = in.width();
        int inH = in.height();
        boolean needHorizontal = xsize != inW;
        boolean needVertical = ysize != inH;

        Coeffs vert = precomputeCoeffs(inH, 0f, (float) inH, ysize, filter);
        int[] boundsVert = vert.bounds();
        // First and last (exclusive) source rows the vertical pass will read.
        int yboxFirst = boundsVert[0];
        int yboxLast = boundsVert[ysize * 2 - 2] + boundsVert[ysize * 2 - 1];

        byte[] cur = in.pixels();
        int curW = inW;
        int curH = inH;
        if (needHorizontal) {
            Coeffs horiz = precomputeCoeffs(inW, 0f, (float) inW, xsize, filter);
            for (int i = 0; i < ysize; i++) {
                boundsVert[i * 2] -= yboxFirst;
            }
            int tempH = yboxLast - yboxFirst;
            cur = horizontal(cur, curW, xsize, tempH, yboxFirst, horiz);
            curW = xsize;
            curH = tempH;
        }
        if (needVertical) {
            cur = vertical(cur, curW, ysize, vert);
            curH = ysize;
        }
        if (cur == in.pixels()) {
            cur = cur.clone();
        }
        return new RgbImage(curW, curH, cur);
    }

    /** Pillow's {@code ImagingResampleHorizontal_8bpc} for 3 bands; reads rows offset.. of {@code src}. */
    private static byte[] horizontal(byte[] src, int srcW, int outW, int outH, int offset, Coeffs c) {
        int ksize = c.ksize();
        int[] bounds = c.bounds();
        int[] kk = normalizeCoeffs8bpc(c.kk());
        byte[] out = new byte[outW * outH * 3];
        final int half = 1 << (PRECISION_BITS - 1);
        for (int yy = 0; yy < outH; yy++) {
            int rowIn = (yy + offset) * srcW * 3;
            int rowOut = yy * outW * 3;
            for (int xx = 0; xx < outW; xx++) {
                int xmin = bounds[xx * 2];
                int xmax = bounds[xx * 2 + 1];
                int k = xx * ksize;
                int ss0 = half;
                int ss1 = half;
                int ss2 = half;
                int p = rowIn + xmin * 3;
                for (int x = 0; x < xmax; x++, p += 3) {
                    int w = kk[k + x];
                    ss0 += (src[p] & 0xFF) * w;
                    ss1 += (src[p + 1] & 0xFF) * w;
                    ss2 += (src[p + 2] & 0xFF) * w;
                }
                int o = rowOut + xx * 3;
                out[o] = (byte) clip8(ss0);
                out[o + 1] = (byte) clip8(ss1);
                out[o + 2] = (byte) clip8(ss2);
            }
        }
        return out;
    }

    /** Pillow's {@code ImagingResampleVertical_8bpc} for 3 bands. */
    private static byte[] vertical(byte[] src, int w, int outH, Coeffs c) {
        int ksize = c.ksize();
        int[] bounds = c.bounds();
        int[] kk = normalizeCoeffs8bpc(c.kk());
        byte[] out = new byte[w * outH * 3];
        final int half = 1 << (PRECISION_BITS - 1);
        int stride = w * 3;
        for (int yy = 0; yy < outH; yy++) {
            int k = yy * ksize;
            int ymin = bounds[yy * 2];
            int ymax = bounds[yy * 2 + 1];
            int rowOut = yy * stride;
            for (int xx = 0; xx < w; xx++) {
                int ss0 = half;
                int ss1 = half;
                int ss2 = half;
                int p = ymin * stride + xx * 3;
                for (int y = 0; y < ymax; y++, p += stride) {
                    int wt = kk[k + y];
                    ss0 += (src[p] & 0xFF) * wt;
                    ss1 += (src[p + 1] & 0xFF) * wt;
                    ss2 += (src[p + 2] & 0xFF) * wt;
                }
                int o = rowOut + xx * 3;
                out[o] = (byte) clip8(ss0);
                out[o + 1] = (byte) clip8(ss1);
                out[o + 2] = (byte) clip8(ss2);
            }
        }
        return out;
    }

    /** Pillow's {@code COORD}: negative coordinates map to -1, others truncate. */
    private static int coord(double v) {
        return v < 0.0 ? -1 : (int) v;
    }

    /**
     * {@code Image.resize(..., NEAREST)}: {@code _resize} in {@code _imaging.c} builds the affine
     * matrix and {@code ImagingScaleAffine} samples with it (output pixels whose source falls
     * outside the image are 0, which cannot happen for a whole-image resize but is kept).
     */
    private static RgbImage nearest(RgbImage in, int xsize, int ysize) {
        int inW = in.width();
        int inH = in.height();
        // box is float[4] in _resize: (double)(box[2] - box[0]) / xsize.
        double a0 = (double) ((float) inW - 0f) / xsize;
        double a4 = (double) ((float) inH - 0f) / ysize;
        double a2 = 0.0;
        double a5 = 0.0;

        int[] xintab = new int[xsize];
        double xo = a2 + a0 * 0.5;
        double yo = a5 + a4 * 0.5;
        int xmin = xsize;
        int xmax = 0;
        for (int x = 0; x < xsize; x++) {
            int xin = coord(xo);
            if (xin >= 0 && xin < inW) {
                xmax = x + 1;
                if (x < xmin) {
                    xmin = x;
                }
                xintab[x] = xin;
            }
            xo += a0;
        }
        byte[] src = in.pixels();
        byte[] out = new byte[xsize * ysize * 3];
        for (int y = 0; y < ysize; y++) {
            int yi = coord(yo);
            if (yi >= 0 && yi < inH) {
                int rowIn = yi * inW * 3;
                int rowOut = y * xsize * 3;
                for (int x = xmin; x < xmax; x++) {
                    int s = rowIn + xintab[x] * 3;
                    int o = rowOut + x * 3;
                    out[o] = src[s];
                    out[o + 1] = src[s + 1];
                    out[o + 2] = src[s + 2];
                }
            }
            yo += a4;
        }
        return new RgbImage(xsize, ysize, out);
    }
}
