package clipbench.upsamplers;

import clipbench.clip.image.PilResample;
import clipbench.api.image.RgbImage;
import clipbench.api.spi.ImageTensor;
import clipbench.api.spi.ImageToImage;
import clipbench.api.spi.Upsampler;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Upsamples with a super-resolution network of integer {@code scale} (made by {@link SrModelUpsamplerProvider}).
 *
 * <p>{@link #upsample} does, in order:
 * <ol>
 *   <li>returns the image itself when its shortest side is already at least the target (as every upsampler);</li>
 *   <li>converts it to a float tensor {@code [1, 3, H, W]}, RGB, in the network's value range {@code [0, max]}
 *       (the card's {@code value_range}, default [0, 1]): value / 255 * max (max 255: the byte itself);</li>
 *   <li>runs the network ({@link #superResolve}): in one pass when the image fits in a {@code tile x tile}
 *       tile, otherwise tile by tile with overlap (below);</li>
 *   <li>turns each output value into a byte as UpscalerJS does ({@code clipByValue(0, max)}, times
 *       {@code 255 / max} in float32, then the browser's {@code Uint8ClampedArray}, which rounds half to even);</li>
 *   <li>if the result (the input times {@code scale}) is not exactly the size {@link ShortestSide#scaledSize}
 *       gives for the input and the target, resizes it there with PIL-exact bicubic (shrinking with Pillow's
 *       antialiasing when {@code scale} overshoots the target, enlarging when one pass of the network falls
 *       short: the network is applied once, never repeatedly).</li>
 * </ol>
 * The output therefore has the same size the {@code bicubic} upsampler gives for the same input.
 *
 * <h2>Tiling</h2>
 * The image is cut into cores of {@code tile - 2 * overlap} pixels per side (the last core of a row or column
 * may be smaller). Each core is run inside a window of {@code tile x tile} input pixels (fewer along a side
 * shorter than {@code tile}) that extends {@code overlap} pixels beyond the core on every side, shifted
 * inwards at the image borders so that windows stay inside the image; of each window's output only the core's
 * {@code scale x} block is kept. A core pixel is therefore always at least {@code overlap} pixels away from any
 * window edge that is not an image edge, so wherever the network's receptive-field radius is at most
 * {@code overlap}, tiled and one-pass outputs are the same function of the same pixels (they may differ by
 * float rounding only, as the runtime may sum in another order). Networks with a wider receptive field (deep
 * SRGAN/ESRGAN generators) see less context near core edges; their tiled output is an approximation there.
 * Windows of one run all have the same size and are run in batches of {@value #TILE_BATCH}.
 *
 * <p>Each network output is kept for the process ({@link SrMemo}: by the network's identity, {@link #toString()},
 * which names the model folder, and the input's exact pixels, within a byte budget), so an image embedded on
 * several backends, or for several backbones, runs the network once.
 *
 * <p>Models with a fixed input size must be fed images at least one tile large; the fixture and usual ESPCN /
 * SRGAN exports take any height and width.
 *
 * <p>{@link #close()} closes the network; upsamplers have no close in the SPI, so a caller that wants to free
 * the runtime's memory early checks for {@link AutoCloseable}.
 */
public final class SrModelUpsampler implements Upsampler, AutoCloseable {
    /** Tiles per network call. */
    public static final int TILE_BATCH = 8;

    private final ImageToImage network;
    private final int scale;
    private final int tile;
    private final int overlap;
    private final float valueMax;
    private final String description;
    /** {@link #toString()}: the network's identity, the memo's key, made once. */
    private final String identity;
    private final AtomicLong memoHits = new AtomicLong();

    /**
     * @param network the opened network; this upsampler owns it
     * @param scale   the network's upscaling factor (output = scale x input)
     * @param tile    largest input side fed to the network in one piece
     * @param overlap context pixels around each tile's core; {@code 2 * overlap < tile}
     */
    public SrModelUpsampler(ImageToImage network, int scale, int tile, int overlap, String description) {
        this(network, scale, tile, overlap, 1f, description);
    }

    /**
     * @param valueMax the network's pixels are in {@code [0, valueMax]} (the card's {@code value_range}: 1, or 255
     *                 for UpscalerJS's RDN networks)
     */
    public SrModelUpsampler(ImageToImage network, int scale, int tile, int overlap, float valueMax,
                            String description) {
        if (!(valueMax > 0f) || Float.isInfinite(valueMax)) {
            throw new IllegalArgumentException("value range top must be positive, got " + valueMax);
        }
        this.valueMax = valueMax;
        this.network = Objects.requireNonNull(network, "network");
        if (scale < 1) {
            throw new IllegalArgumentException("scale must be positive, got " + scale);
        }
        if (tile < 1 || overlap < 0 || 2 * overlap >= tile) {
            throw new IllegalArgumentException("tile " + tile + " and overlap " + overlap
                    + ": need tile >= 1 and 0 <= 2 * overlap < tile");
        }
        this.scale = scale;
        this.tile = tile;
        this.overlap = overlap;
        this.description = description;
        this.identity = description + " (x" + scale + ", tile " + tile + ", overlap " + overlap + ", values [0, "
                + valueMax + "])";
    }

    /** {@code tile / 4}, kept below half the tile. */
    public static int defaultOverlap(int tile) {
        return Math.max(0, Math.min(tile / 4, (tile - 1) / 2));
    }

    public int scale() {
        return scale;
    }

    public int tile() {
        return tile;
    }

    public int overlap() {
        return overlap;
    }

    @Override
    public RgbImage upsample(RgbImage image, int shortestSide) {
        Objects.requireNonNull(image, "image");
        ShortestSide.Size target = ShortestSide.scaledSize(image.width(), image.height(), shortestSide);
        if (ShortestSide.largeEnough(image, shortestSide)) {
            return image;
        }
        boolean[] ran = {false};
        RgbImage sr = SrMemo.SHARED.get(identity, image, in -> {
            ran[0] = true;
            return toImage(superResolve(toTensor(in, valueMax)), valueMax);
        });
        if (!ran[0]) {
            memoHits.incrementAndGet();
        }
        if (sr.width() == target.width() && sr.height() == target.height()) {
            return sr;
        }
        return PilResample.resize(sr, target.width(), target.height(), PilResample.Filter.BICUBIC);
    }

    /** The image as a {@code [1, 3, H, W]} tensor of value / 255. */
    public static ImageTensor toTensor(RgbImage image) {
        return toTensor(image, 1f);
    }

    /** The image as a {@code [1, 3, H, W]} tensor in {@code [0, max]}: value / 255 * max. */
    public static ImageTensor toTensor(RgbImage image, float max) {
        float k = max / 255f;
        int w = image.width();
        int h = image.height();
        int plane = w * h;
        byte[] px = image.pixels();
        float[] data = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            data[i] = (px[3 * i] & 0xFF) * k;
            data[plane + i] = (px[3 * i + 1] & 0xFF) * k;
            data[2 * plane + i] = (px[3 * i + 2] & 0xFF) * k;
        }
        return new ImageTensor(1, 3, h, w, data);
    }

    /** The first image of a 3-channel tensor in [0, 1], as bytes ({@link #quantize(float)}). */
    public static RgbImage toImage(ImageTensor tensor) {
        return toImage(tensor, 1f);
    }

    /** The first image of a 3-channel tensor in [0, max], as bytes ({@link #quantize(float, float)}). */
    public static RgbImage toImage(ImageTensor tensor, float max) {
        if (tensor.channels() != 3) {
            throw new IllegalArgumentException("expected 3 channels, got " + tensor.channels());
        }
        int w = tensor.width();
        int h = tensor.height();
        int plane = w * h;
        float[] data = tensor.data();
        byte[] px = new byte[3 * plane];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                px[3 * i + c] = (byte) quantize(data[c * plane + i], max);
            }
        }
        return new RgbImage(w, h, px);
    }

    /** {@link #quantize(float, float)} for a [0, 1] network. */
    public static int quantize(float v) {
        return quantize(v, 1f);
    }

    /**
     * A network's output value in [0, max] as a byte, as UpscalerJS makes it: clip to [0, max], times
     * {@code 255 / max} in float32 (its {@code mul(255)} for a [0, 1] network), then round half to even (how the
     * browser's {@code Uint8ClampedArray} stores a float). NaN becomes 0.
     */
    public static int quantize(float v, float max) {
        if (!(v > 0f)) {
            return 0;
        }
        if (v >= max) {
            return 255;
        }
        return (int) Math.rint(Math.min(255f, v * (255f / max)));
    }

    /**
     * Runs the network on one image ({@code [1, C, H, W]}), tiled as the class comment says, and returns its
     * raw output {@code [1, C', scale H, scale W]} (not clamped).
     *
     * @throws IllegalStateException when the network's output is not {@code scale} times its input
     */
    public ImageTensor superResolve(ImageTensor input) {
        if (input.count() != 1) {
            throw new IllegalArgumentException("superResolve takes one image, got " + input.count());
        }
        int h = input.height();
        int w = input.width();
        if (h <= tile && w <= tile) {
            ImageTensor out = network.run(input);
            checkOutput(out, 1, h, w);
            return out;
        }
        int[] ys = starts(h);
        int[] xs = starts(w);
        int winH = Math.min(tile, h);
        int winW = Math.min(tile, w);
        int channels = input.channels();
        int outChannels = -1;
        float[] result = null;
        int outW = w * scale;
        int outH = h * scale;
        int total = ys.length * xs.length;
        int winFloats = channels * winH * winW;
        for (int first = 0; first < total; first += TILE_BATCH) {
            int n = Math.min(TILE_BATCH, total - first);
            float[] batch = new float[n * winFloats];
            for (int b = 0; b < n; b++) {
                int core = first + b;
                int wy = window(ys[core / xs.length], h);
                int wx = window(xs[core % xs.length], w);
                copyWindow(input, wy, wx, winH, winW, batch, b * winFloats);
            }
            ImageTensor out = network.run(new ImageTensor(n, channels, winH, winW, batch));
            checkOutput(out, n, winH, winW);
            if (result == null) {
                outChannels = out.channels();
                result = new float[outChannels * outH * outW];
            }
            int sH = winH * scale;
            int sW = winW * scale;
            int outFloats = outChannels * sH * sW;
            for (int b = 0; b < n; b++) {
                int core = first + b;
                int cy = ys[core / xs.length];
                int cx = xs[core % xs.length];
                int coreH = Math.min(coreSize(), h - cy);
                int coreW = Math.min(coreSize(), w - cx);
                int oy = (cy - window(cy, h)) * scale;
                int ox = (cx - window(cx, w)) * scale;
                for (int c = 0; c < outChannels; c++) {
                    for (int row = 0; row < coreH * scale; row++) {
                        System.arraycopy(out.data(), b * outFloats + (c * sH + oy + row) * sW + ox,
                                result, (c * outH + cy * scale + row) * outW + cx * scale, coreW * scale);
                    }
                }
            }
        }
        return new ImageTensor(1, outChannels, outH, outW, result);
    }

    private int coreSize() {
        return tile - 2 * overlap;
    }

    /** Core starts along an axis of {@code size} pixels. */
    private int[] starts(int size) {
        int core = coreSize();
        int n = (size + core - 1) / core;
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = i * core;
        }
        return s;
    }

    /** Start of the window around the core starting at {@code coreStart}: overlap before it, kept inside. */
    private int window(int coreStart, int size) {
        int win = Math.min(tile, size);
        return Math.max(0, Math.min(coreStart - overlap, size - win));
    }

    private static void copyWindow(ImageTensor in, int y0, int x0, int winH, int winW, float[] dst, int offset) {
        int h = in.height();
        int w = in.width();
        int o = offset;
        for (int c = 0; c < in.channels(); c++) {
            for (int row = 0; row < winH; row++) {
                System.arraycopy(in.data(), (c * h + y0 + row) * w + x0, dst, o, winW);
                o += winW;
            }
        }
    }

    private void checkOutput(ImageTensor out, int n, int h, int w) {
        if (out.count() != n || out.height() != h * scale || out.width() != w * scale) {
            throw new IllegalStateException(description + ": the network turned " + n + " image(s) of " + w + "x"
                    + h + " into " + out.count() + " of " + out.width() + "x" + out.height() + ", expected "
                    + (w * scale) + "x" + (h * scale) + " (model card scale " + scale + ")");
        }
    }

    /** How many images this upsampler answered from the memo instead of running the network. */
    public long memoHits() {
        return memoHits.get();
    }

    @Override
    public void close() {
        network.close();
    }

    @Override
    public String toString() {
        return identity;
    }
}
