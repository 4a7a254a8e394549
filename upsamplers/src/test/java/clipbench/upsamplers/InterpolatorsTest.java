package clipbench.upsamplers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.clip.image.PilResample;
import clipbench.api.image.RgbImage;
import clipbench.api.spi.Plugins;
import clipbench.api.spi.Upsampler;
import clipbench.api.spi.UpsamplerProvider;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** nearest, bilinear and lanczos on known patterns. */
class InterpolatorsTest {
    private final Upsampler nearest = new NearestUpsamplerProvider().create("");
    private final Upsampler bilinear = new BilinearUpsamplerProvider().create("");
    private final Upsampler lanczos = new LanczosUpsamplerProvider().create("");

    @Test
    void nearestReplicatesEachPixelIntoA2x2Block() {
        RgbImage in = UpsamplersTest.pattern(5, 4);
        RgbImage out = nearest.upsample(in, 8);
        assertEquals(10, out.width());
        assertEquals(8, out.height());
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 10; x++) {
                assertEquals(in.rgb(x / 2, y / 2), out.rgb(x, y), "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void nearestReplicatesIntoSxSBlocksAtOtherIntegerScales() {
        RgbImage in = UpsamplersTest.pattern(7, 7);
        RgbImage out = nearest.upsample(in, 21);
        assertEquals(21, out.width());
        for (int y = 0; y < 21; y++) {
            for (int x = 0; x < 21; x++) {
                assertEquals(in.rgb(x / 3, y / 3), out.rgb(x, y), "pixel " + x + "," + y);
            }
        }
        assertArrayEquals(PilResample.resize(in, 21, 21, PilResample.Filter.NEAREST).pixels(), out.pixels());
    }

    /** Pixel x of every row is 16 * x in all three channels. */
    private static RgbImage horizontalRamp(int w, int h) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                Arrays.fill(px, (y * w + x) * 3, (y * w + x) * 3 + 3, (byte) (16 * x));
            }
        }
        return new RgbImage(w, h, px);
    }

    @Test
    void bilinearOfAHorizontalRampStaysARamp() {
        RgbImage out = bilinear.upsample(horizontalRamp(16, 4), 8);
        assertEquals(32, out.width());
        assertEquals(8, out.height());
        boolean between = false;
        for (int y = 0; y < out.height(); y++) {
            for (int x = 0; x < out.width(); x++) {
                int v = out.r(x, y);
                assertEquals(v, out.g(x, y));
                assertEquals(v, out.b(x, y));
                assertEquals(out.r(x, 0), v, "every row is the same, column " + x);
                if (x > 0) {
                    assertTrue(v >= out.r(x - 1, y), "non-decreasing at " + x);
                }
                // output x samples input coordinate x / 2 - 1/4: the ramp 16 * u is 8 x - 4 away from the edges
                if (x >= 1 && x <= 30) {
                    assertTrue(Math.abs(v - (8 * x - 4)) <= 1, "x " + x + ": " + v + " vs " + (8 * x - 4));
                }
                between |= v % 16 != 0;
            }
        }
        assertEquals(0, out.r(0, 0));
        assertEquals(240, out.r(31, 0));
        assertTrue(between, "bilinear must interpolate, not replicate");
    }

    @Test
    void lanczosIsExactlyPilResampleLanczos() {
        for (int[] wh : new int[][] {{100, 100}, {37, 61}, {64, 48}, {3, 5}}) {
            RgbImage in = UpsamplersTest.pattern(wh[0], wh[1]);
            RgbImage out = lanczos.upsample(in, 224);
            ShortestSide.Size size = ShortestSide.scaledSize(wh[0], wh[1], 224);
            RgbImage expected = PilResample.resize(in, size.width(), size.height(), PilResample.Filter.LANCZOS);
            assertEquals(expected, out, Arrays.toString(wh));
            assertNotEquals(PilResample.resize(in, size.width(), size.height(), PilResample.Filter.BICUBIC), out,
                    Arrays.toString(wh));
        }
    }

    @Test
    void largeImagesAreLeftAloneAndArgumentsRejected() {
        RgbImage big = UpsamplersTest.pattern(240, 230);
        assertSame(big, nearest.upsample(big, 224));
        assertSame(big, bilinear.upsample(big, 224));
        assertSame(big, lanczos.upsample(big, 224));
        assertThrows(IllegalArgumentException.class, () -> new LanczosUpsamplerProvider().create("3"));
    }

    @Test
    void serviceLoaderFindsAllUpsamplers() {
        List<String> ids = ServiceLoader.load(UpsamplerProvider.class).stream()
                .map(ServiceLoader.Provider::get).map(UpsamplerProvider::id).sorted().toList();
        assertEquals(List.of("bicubic", "bilinear", "esrgan-medium", "esrgan-slim", "esrgan-thick", "lanczos", "nearest",
                "none", "sr-model"), ids);
        assertInstanceOf(NearestUpsamplerProvider.class, Plugins.upsampler("nearest"));
        assertInstanceOf(BilinearUpsamplerProvider.class, Plugins.upsampler("bilinear"));
        assertInstanceOf(LanczosUpsamplerProvider.class, Plugins.upsampler("lanczos"));
        assertInstanceOf(SrModelUpsamplerProvider.class, Plugins.upsampler("sr-model"));
        assertEquals(PilResample.Filter.NEAREST, new NearestUpsamplerProvider().filter());
        assertEquals(PilResample.Filter.BILINEAR, new BilinearUpsamplerProvider().filter());
        assertEquals(PilResample.Filter.LANCZOS, new LanczosUpsamplerProvider().filter());
    }
}
