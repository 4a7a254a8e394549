package clipbench.upsamplers;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.Upsampler;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * A family of super-resolution networks of several scales (an UpscalerJS ESRGAN package: x2, x3, x4, x8), one of
 * which upsamples each image, made by {@link EsrganUpsamplerProvider}.
 *
 * <p><b>Scale rule</b> ({@link #chooseScale}): for an image whose shortest side is {@code n}, brought to the
 * target side {@code t}, the network of the smallest scale {@code s} with {@code s * n >= t} runs (once), else,
 * when even the largest falls short, the largest. Its output is then resized to the target size with PIL-exact
 * bicubic ({@link SrModelUpsampler}): shrunk (antialiased) when {@code s * n > t}, enlarged when {@code s * n < t}.
 * E.g. to 224: 28 px → x8 (224, no resize), 100 px → x3 (300 → 224), 56 px → x4 (224), 20 px → x8 (160 → 224).
 * A spec with a scale ({@code esrgan-slim:x4}) uses that network for every image instead.
 *
 * <p>{@link #name} says which network ran: {@code esrgan-slim-x8} when the dataset declares one native side (so
 * one scale serves every image), else {@code esrgan-slim} (the rule above, per image); with {@code @BACKEND} when
 * the networks do not run on {@code onnx}. Results rows and embedding-cache keys use that name.
 *
 * <p>Every scale's network is opened when this upsampler is made: a failure stops the run before any work
 * instead of failing image after image.
 */
public final class EsrganUpsampler implements Upsampler, AutoCloseable {
    private final String network;
    private final String backend;
    private final Integer fixedScale;
    private final Map<Integer, SrModelUpsampler> byScale;

    /**
     * @param network    e.g. {@code esrgan-slim}
     * @param backend    the backend the networks run on (named in {@link #name} unless {@code onnx})
     * @param fixedScale the one scale to use, or null for the scale rule
     * @param byScale    the opened networks by scale (owned by this upsampler)
     */
    public EsrganUpsampler(String network, String backend, Integer fixedScale, Map<Integer, SrModelUpsampler> byScale) {
        this.network = Objects.requireNonNull(network, "network");
        this.backend = Objects.requireNonNull(backend, "backend");
        if (byScale.isEmpty()) {
            throw new IllegalArgumentException(network + ": no networks");
        }
        if (fixedScale != null && !byScale.containsKey(fixedScale)) {
            throw new IllegalArgumentException(network + ": no x" + fixedScale + " network; it has " + byScale.keySet());
        }
        this.fixedScale = fixedScale;
        this.byScale = new TreeMap<>(byScale);
    }

    /**
     * The scale rule: the smallest of {@code scales} (ascending) with {@code scale * shortest >= target}, else the
     * largest.
     */
    public static int chooseScale(List<Integer> scales, int shortest, int target) {
        if (scales.isEmpty() || shortest < 1) {
            throw new IllegalArgumentException("scales " + scales + ", shortest side " + shortest);
        }
        for (int s : scales) {
            if ((long) s * shortest >= target) {
                return s;
            }
        }
        return scales.get(scales.size() - 1);
    }

    /** The scale this upsampler uses for an image of shortest side {@code shortest} brought to {@code target}. */
    public int scaleFor(int shortest, int target) {
        return fixedScale != null ? fixedScale : chooseScale(List.copyOf(byScale.keySet()), shortest, target);
    }

    @Override
    public RgbImage upsample(RgbImage image, int shortestSide) {
        if (ShortestSide.largeEnough(image, shortestSide)) {
            return image;
        }
        int shortest = Math.min(image.width(), image.height());
        return byScale.get(scaleFor(shortest, shortestSide)).upsample(image, shortestSide);
    }

    @Override
    public String name(String spec, OptionalInt nativeSide, int shortestSide) {
        String suffix = SrModelUpsamplerProvider.DEFAULT_BACKEND.equals(backend) ? "" : "@" + backend;
        if (fixedScale != null) {
            return network + "-x" + fixedScale + suffix;
        }
        if (nativeSide.isPresent() && nativeSide.getAsInt() > 0 && nativeSide.getAsInt() < shortestSide) {
            return network + "-x" + scaleFor(nativeSide.getAsInt(), shortestSide) + suffix;
        }
        return network + suffix;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (SrModelUpsampler u : byScale.values()) {
            try {
                u.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return network + "@" + backend + " " + byScale.values();
    }
}
