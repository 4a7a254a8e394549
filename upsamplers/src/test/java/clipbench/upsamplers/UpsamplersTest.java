package clipbench.upsamplers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
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

class UpsamplersTest {
    private final Upsampler bicubic = new BicubicUpsamplerProvider().create("");
    private final Upsampler none = new NoneUpsamplerProvider().create("");

    /** A deterministic, non-trivial RGB pattern (gradients plus a checker), so filters differ visibly. */
    static RgbImage pattern(int w, int h) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                px[i] = (byte) (x * 255 / Math.max(1, w - 1));
                px[i + 1] = (byte) (y * 255 / Math.max(1, h - 1));
                px[i + 2] = (byte) (((x / 3 + y / 3) % 2) * 200 + 20);
            }
        }
        return new RgbImage(w, h, px);
    }

    static RgbImage constant(int w, int h, int r, int g, int b) {
        byte[] px = new byte[w * h * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) r;
            px[i + 1] = (byte) g;
            px[i + 2] = (byte) b;
        }
        return new RgbImage(w, h, px);
    }

    @Test
    void bicubicScalesASquareToTheTarget() {
        RgbImage out = bicubic.upsample(pattern(100, 100), 224);
        assertEquals(224, out.width());
        assertEquals(224, out.height());
        assertEquals(224 * 224 * 3, out.pixels().length);
    }

    @Test
    void bicubicKeepsTheAspectRatio() {
        RgbImage wide = bicubic.upsample(pattern(100, 50), 224);
        assertEquals(448, wide.width());
        assertEquals(224, wide.height());
        RgbImage tall = bicubic.upsample(pattern(48, 64), 224);
        assertEquals(224, tall.width());
        assertEquals(298, tall.height());
    }

    @Test
    void bicubicKeepsAConstantImageConstant() {
        RgbImage out = bicubic.upsample(constant(100, 100, 12, 200, 77), 224);
        assertArrayEquals(constant(224, 224, 12, 200, 77).pixels(), out.pixels());
    }

    @Test
    void bicubicIsExactlyPilResampleBicubic() {
        for (int[] wh : new int[][] {{100, 100}, {100, 50}, {37, 61}, {64, 64}}) {
            RgbImage in = pattern(wh[0], wh[1]);
            RgbImage out = bicubic.upsample(in, 224);
            RgbImage expected = PilResample.resize(in, out.width(), out.height(), PilResample.Filter.BICUBIC);
            assertEquals(expected.width(), out.width());
            assertEquals(expected.height(), out.height());
            assertArrayEquals(expected.pixels(), out.pixels(), Arrays.toString(wh));
            // ... and the filter matters: bilinear gives other pixels, so this comparison can fail.
            RgbImage bilinear = PilResample.resize(in, out.width(), out.height(), PilResample.Filter.BILINEAR);
            assertNotEquals(bilinear, out, Arrays.toString(wh));
        }
    }

    @Test
    void bicubicOutputIsNotAPlainCopyOfNearestNeighbour() {
        // A 2-pixel black/white image: bicubic interpolation must produce intermediate greys.
        RgbImage in = new RgbImage(2, 1, new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
        RgbImage out = bicubic.upsample(in, 8);
        assertEquals(16, out.width());
        assertEquals(8, out.height());
        long greys = 0;
        for (byte b : out.pixels()) {
            int v = b & 255;
            if (v > 10 && v < 245) {
                greys++;
            }
        }
        assertTrue(greys > 0, "no interpolated values");
    }

    @Test
    void largeEnoughImagesAreReturnedUnchanged() {
        RgbImage big = pattern(300, 224);
        assertSame(big, bicubic.upsample(big, 224));
        RgbImage exact = pattern(224, 224);
        assertSame(exact, bicubic.upsample(exact, 224));
        RgbImage small = pattern(300, 223);
        assertNotSame(small, bicubic.upsample(small, 224));
        assertEquals(224, bicubic.upsample(small, 224).height());
    }

    @Test
    void noneReturnsTheImageItself() {
        RgbImage small = pattern(10, 20);
        assertSame(small, none.upsample(small, 224));
        assertSame(small, none.upsample(small, 5));
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new BicubicUpsamplerProvider().create("x"));
        assertThrows(IllegalArgumentException.class, () -> new NoneUpsamplerProvider().create("4"));
        assertThrows(IllegalArgumentException.class, () -> bicubic.upsample(pattern(4, 4), 0));
        assertThrows(IllegalArgumentException.class, () -> none.upsample(pattern(4, 4), -1));
        assertThrows(NullPointerException.class, () -> bicubic.upsample(null, 224));
    }

    @Test
    void providersDescribeThemselves() {
        BicubicUpsamplerProvider p = new BicubicUpsamplerProvider();
        assertEquals("bicubic", p.id());
        assertEquals(PilResample.Filter.BICUBIC, p.filter());
        assertTrue(p.description().contains("bicubic"), p.description());
        assertEquals("none", new NoneUpsamplerProvider().id());
    }

    @Test
    void serviceLoaderFindsBicubicAndNone() {
        List<String> ids = ServiceLoader.load(UpsamplerProvider.class).stream()
                .map(ServiceLoader.Provider::get).map(UpsamplerProvider::id).sorted().toList();
        assertTrue(ids.containsAll(List.of("bicubic", "none")), ids::toString);
        assertInstanceOf(BicubicUpsamplerProvider.class, Plugins.upsampler("bicubic"));
        assertInstanceOf(NoneUpsamplerProvider.class, Plugins.upsampler("none"));
    }
}
