package clipbench.reports;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/** Checks shared by the report tests. */
final class ReportAssertions {
    private static final Pattern ATTR = Pattern.compile("\\b(src|href)=\"([^\"]*)\"");
    /** The file an embedded image was made from ({@link InlineImages} keeps it as data-src). */
    private static final Pattern IMG = Pattern.compile("<img\\s[^>]*?data-src=\"([^\"]*)\"");

    private ReportAssertions() {
    }

    /**
     * Every src/href of the page is relative (no scheme, no leading '/') and names a file that exists, or is an
     * image's data URI (the page is self-contained).
     */
    static List<String> assertLinksRelativeAndPresent(Path html) throws Exception {
        String page = Files.readString(html);
        List<String> targets = new ArrayList<>();
        Matcher m = ATTR.matcher(page);
        while (m.find()) {
            String url = m.group(2).replace("&amp;", "&");
            if (url.startsWith("#") || m.group(1).equals("src") && url.startsWith("data:image/")) {
                continue;
            }
            assertFalse(url.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*"), "absolute URL " + url);
            assertFalse(url.startsWith("/"), "root-relative URL " + url);
            Path target = html.getParent().resolve(URLDecoder.decode(url, StandardCharsets.UTF_8)).normalize();
            assertTrue(Files.exists(target), "link target missing: " + url);
            targets.add(url);
        }
        assertFalse(page.contains("<link"), "no external stylesheet");
        assertFalse(page.matches("(?s).*<script[^>]*\\bsrc=.*"), "no external script");
        return targets;
    }

    /** The file behind every img (its data-src), checked to exist. */
    static List<String> imgSources(Path html) throws Exception {
        String page = Files.readString(html);
        List<String> out = new ArrayList<>();
        Matcher m = IMG.matcher(page);
        while (m.find()) {
            String src = URLDecoder.decode(m.group(1).replace("&amp;", "&"), StandardCharsets.UTF_8);
            assertTrue(Files.isRegularFile(html.getParent().resolve(src)), "img src missing: " + src);
            out.add(src);
        }
        return out;
    }

    /** The PNG decodes and is not one flat colour. */
    static BufferedImage assertPngNotBlank(Path png) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, png + " does not decode as an image");
        assertTrue(variance(img) > 10, png + " looks blank");
        return img;
    }

    /** Variance of the pixels' luma. */
    static double variance(BufferedImage img) {
        double sum = 0;
        double sq = 0;
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                double l = 0.299 * ((rgb >> 16) & 0xFF) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF);
                sum += l;
                sq += l * l;
                n++;
            }
        }
        double mean = sum / n;
        return sq / n - mean * mean;
    }
}
