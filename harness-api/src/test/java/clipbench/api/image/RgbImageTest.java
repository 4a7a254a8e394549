package clipbench.api.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class RgbImageTest {

    @Test
    void validatesLength() {
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(2, 2, new byte[11]));
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(0, 2, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(-1, -2, new byte[6]));
        assertThrows(NullPointerException.class, () -> new RgbImage(1, 1, null));
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(1 << 16, 1 << 16, new byte[3]));
    }

    @Test
    void accessorsUseHwcLayout() {
        byte[] px = new byte[3 * 2 * 3];
        // pixel (2, 1): offset (1 * 3 + 2) * 3 = 15
        px[15] = (byte) 250;
        px[16] = 1;
        px[17] = (byte) 128;
        RgbImage img = new RgbImage(3, 2, px);
        assertEquals(15, img.offset(2, 1));
        assertEquals(250, img.r(2, 1));
        assertEquals(1, img.g(2, 1));
        assertEquals(128, img.b(2, 1));
        assertEquals(128, img.channel(2, 1, 2));
        assertEquals(0xFA0180, img.rgb(2, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> img.r(3, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> img.channel(0, 0, 3));
    }

    @Test
    void equalityIsByContent() {
        RgbImage a = RgbImage.filled(2, 2, 1, 2, 3);
        RgbImage b = RgbImage.filled(2, 2, 1, 2, 3);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, RgbImage.filled(2, 2, 1, 2, 4));
        assertNotEquals(a, RgbImage.filled(1, 4, 1, 2, 3));
    }

    @Test
    void cropAndBufferedImageRoundTrip() {
        byte[] pixels = new byte[7 * 5 * 3];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 37 + 11);
        }
        RgbImage img = new RgbImage(7, 5, pixels);
        RgbImage c = img.crop(2, 1, 3, 4);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 3; x++) {
                assertEquals(img.rgb(x + 2, y + 1), c.rgb(x, y));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> img.crop(5, 0, 3, 1));
        BufferedImage bi = img.toBufferedImage();
        assertEquals(img.rgb(4, 3), bi.getRGB(4, 3) & 0xFFFFFF);
    }
}
