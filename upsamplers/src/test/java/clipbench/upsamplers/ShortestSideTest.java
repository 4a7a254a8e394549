package clipbench.upsamplers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.image.RgbImage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShortestSideTest {
    /** Expected values are torchvision's: short -> target, long -> int(target * long / short). */
    @ParameterizedTest(name = "{0}x{1} -> {3}x{4}")
    @CsvSource({
        "100, 100, 224, 224, 224",
        "100,  50, 224, 448, 224",
        " 50, 100, 224, 224, 448",
        " 64,  48, 224, 298, 224",   // 224*64/48 = 298.67 -> 298 (truncated, not rounded)
        " 33, 100, 224, 224, 678",   // 678.79 -> 678
        "  3,   7, 224, 224, 522",   // 522.67 -> 522
        "500, 375, 336, 448, 336",
        "  1,   1,   1,   1,   1",
    })
    void scaledSizeTruncatesTheLongSideLikeTorchvision(int w, int h, int target, int ew, int eh) {
        assertEquals(new ShortestSide.Size(ew, eh), ShortestSide.scaledSize(w, h, target));
    }

    @Test
    void rejectsNonPositiveSizes() {
        assertThrows(IllegalArgumentException.class, () -> ShortestSide.scaledSize(0, 10, 224));
        assertThrows(IllegalArgumentException.class, () -> ShortestSide.scaledSize(10, -1, 224));
        assertThrows(IllegalArgumentException.class, () -> ShortestSide.scaledSize(10, 10, 0));
    }

    @Test
    void aStripNoResizeCanTakeIsRefusedNamingItsAspectRatio() {
        // 1 x 20000 at shortest side 224 would be 224 x 4,480,000: refused before allocating, with the reason.
        RgbImage strip = new RgbImage(1, 20_000, new byte[3 * 20_000]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BicubicUpsamplerProvider().create("").upsample(strip, 224));
        assertTrue(e.getMessage().startsWith("cannot resize 1x20000 (aspect ratio 20000:1): 224x4480000 is"),
                e.getMessage());
    }
}
