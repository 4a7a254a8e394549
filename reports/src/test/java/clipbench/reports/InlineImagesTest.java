package clipbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report.html stays one mailable file: each image embedded in its smallest faithful form, its source named. */
class InlineImagesTest {
    private static final Pattern IMG = Pattern.compile("<img data-src=\"([^\"]+)\" src=\"data:([^;]+);base64,([^\"]+)\"");

    private static void png(Path file, int w, int h, long seed) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 3 + y * 5 + r.nextInt(40)) * 0x010101 & 0xFFFFFF);
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void chartsAsTheSmallerPngGalleriesAsJpegStripsAsThey(@TempDir Path dir) throws Exception {
        png(dir.resolve("charts/c.png"), 40, 30, 1);
        Files.writeString(dir.resolve("charts/c.svg"), "<svg>" + "<path d=\"M0,0 L1,1\"/>".repeat(5000) + "</svg>");
        png(dir.resolve("gallery/g.png"), 120, 80, 2);
        png(dir.resolve("examples/e.png"), 8, 8, 3);
        String html = "<p><img src=\"charts/c.svg\" alt=\"\"><img src=\"gallery/g.png\"><img src=\"examples/e.png\">"
                + "<img src=\"gallery/missing.png\"></p>";
        String out = InlineImages.apply(html, dir);
        Matcher m = IMG.matcher(out);

        assertTrue(m.find());
        assertEquals("charts/c.png", m.group(1), "data-src names the file whose bytes are embedded");
        assertEquals("image/png", m.group(2));
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(dir.resolve("charts/c.png")),
                Base64.getDecoder().decode(m.group(3))));

        assertTrue(m.find());
        assertEquals("gallery/g.png", m.group(1));
        assertEquals("image/jpeg", m.group(2));
        BufferedImage jpeg = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(3))));
        assertNotNull(jpeg);
        assertEquals(120, jpeg.getWidth());
        assertEquals(80, jpeg.getHeight());

        assertTrue(m.find());
        assertEquals("examples/e.png", m.group(1));
        assertEquals("image/png", m.group(2), "pixel-exact example strips are not recompressed");

        assertTrue(out.contains("<img src=\"gallery/missing.png\">"), "a missing file keeps its link (a broken image)");
    }

    @Test
    void anSvgSmallerThanItsPngStaysSvg(@TempDir Path dir) throws Exception {
        png(dir.resolve("charts/c.png"), 200, 200, 4);
        Files.writeString(dir.resolve("charts/c.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        Matcher m = IMG.matcher(InlineImages.apply("<img src=\"charts/c.svg\">", dir));
        assertTrue(m.find());
        assertEquals("charts/c.svg", m.group(1));
        assertEquals("image/svg+xml", m.group(2));
    }
}
