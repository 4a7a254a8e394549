package clipbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.image.RgbImage;
import clipbench.clip.image.ImageDecoder;
import clipbench.protocol.ThumbnailKey;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThumbnailsTest {
    @Test
    void namesAreSafeFileNamesAndOneToOne() {
        assertEquals("Test%2Fapple%2Fapple_0.png", Thumbnails.part("Test/apple/apple_0.png"));
        assertEquals("t10k-images-idx3-ubyte.gz%237", Thumbnails.part("t10k-images-idx3-ubyte.gz#7"));
        assertEquals("fashion-mnist%3A%2Fusr%2Fshare", Thumbnails.part("fashion-mnist:/usr/share"));
        assertEquals("%2E.", Thumbnails.part(".."), "never a parent-folder name");
        assertEquals("%", Thumbnails.part(""));
        assertEquals("caf%C3%A9", Thumbnails.part("café"));
        List<String> similar = List.of("a/b", "a_b", "a-b", "a%2Fb", "A/b", "sr-model:x/y", "sr-model:x_y");
        Set<String> names = new HashSet<>();
        similar.forEach(s -> names.add(Thumbnails.part(s)));
        assertEquals(similar.size(), names.size(), names.toString());

        String longA = "x/".repeat(100) + "a";
        String longB = "x/".repeat(100) + "b";
        assertTrue(Thumbnails.part(longA).length() <= 120);
        assertTrue(Thumbnails.part(longA).contains("~"));
        assertNotEquals(Thumbnails.part(longA), Thumbnails.part(longB));
    }

    @Test
    void keepsTheUpsampledImageExactlyAndScalesOnlyHugeOnesDown(@TempDir Path run) throws Exception {
        RgbImage small = RgbImage.filled(300, 224, 10, 20, 30);
        small.pixels()[small.offset(5, 7) + 1] = (byte) 250;
        ThumbnailKey key = new ThumbnailKey("d", "bicubic", "Test/a/1.jpg");
        Thumbnails.write(run, key, small);
        assertEquals(small, ImageDecoder.read(Thumbnails.file(run, key)), "PNG is lossless");
        assertTrue(Thumbnails.Folder.of(run, "d", "bicubic").of("Test/a/1.jpg").isPresent());
        assertTrue(Thumbnails.Folder.of(run, "d", "none").of("Test/a/1.jpg").isEmpty());

        ThumbnailKey huge = new ThumbnailKey("d", "none", "big.jpg");
        Thumbnails.write(run, huge, RgbImage.filled(2000, 1000, 1, 2, 3));
        RgbImage read = ImageDecoder.read(Thumbnails.file(run, huge));
        assertEquals(Thumbnails.MAX_SIDE, read.width());
        assertEquals(Thumbnails.MAX_SIDE / 2, read.height());
    }
}
