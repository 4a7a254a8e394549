package clipbench.reports;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes report.html one file that can be mailed: every {@code <img src="RELATIVE">} becomes
 * {@code <img data-src="FILE" src="data:...;base64,...">} (the files stay beside the page). Kept small enough to
 * mail (the demo's page was 30 MB with every file as it is):
 * <ul>
 *   <li>a chart's SVG is embedded as its PNG sibling when that is smaller (XChart writes every letter of an SVG as
 *       glyph outlines: 150-490 KB against 30-50 KB; the caption still links the SVG), and {@code data-src} names
 *       the PNG;</li>
 *   <li>a gallery sheet (photos of test images) is embedded as JPEG, quality {@value #GALLERY_JPEG_QUALITY}
 *       (0.7 MB of PNG each in the demo); {@code data-src} names the PNG it was made from;</li>
 *   <li>everything else (pixel-exact example strips, small thumbnails) goes in as it is.</li>
 * </ul>
 * SVGs go in as data URIs rather than inline {@code <svg>} elements, because XChart's SVGs reuse the same element
 * ids and would clip one another on one page. A file that is missing keeps its relative src, so the browser check
 * counts it as broken.
 */
final class InlineImages {
    private static final Pattern IMG = Pattern.compile("<img src=\"([^\"]*)\"");
    static final float GALLERY_JPEG_QUALITY = 0.85f;

    private InlineImages() {
    }

    static String apply(String html, Path dir) throws IOException {
        Matcher m = IMG.matcher(html);
        StringBuilder out = new StringBuilder(html.length() * 2);
        while (m.find()) {
            String src = m.group(1);
            Path file = dir.resolve(URLDecoder.decode(src.replace("&amp;", "&"), StandardCharsets.UTF_8));
            String replacement = m.group();
            if (!src.contains(":") || src.startsWith("./")) {
                if (Files.isRegularFile(file)) {
                    replacement = embed(src, file);
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String embed(String src, Path file) throws IOException {
        String name = file.getFileName().toString();
        Path png = file.resolveSibling(name.replaceFirst("\\.svg$", ".png"));
        if (name.endsWith(".svg") && Files.isRegularFile(png) && Files.size(png) < Files.size(file)) {
            return img(src.replaceFirst("\\.svg$", ".png"), "image/png", Files.readAllBytes(png));
        }
        if (src.startsWith("gallery/") && name.endsWith(".png")) {
            byte[] jpeg = jpeg(file);
            if (jpeg != null) {
                return img(src, "image/jpeg", jpeg);
            }
        }
        return img(src, mime(file), Files.readAllBytes(file));
    }

    private static String img(String src, String mime, byte[] bytes) {
        return "<img data-src=\"" + src + "\" src=\"data:" + mime + ";base64,"
                + Base64.getEncoder().encodeToString(bytes) + "\"";
    }

    /** The image as JPEG (on white), or null when it cannot be read or written as one. */
    private static byte[] jpeg(Path png) throws IOException {
        BufferedImage in = ImageIO.read(png.toFile());
        if (in == null) {
            return null;
        }
        BufferedImage rgb = new BufferedImage(in.getWidth(), in.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, rgb.getWidth(), rgb.getHeight());
        g.drawImage(in, 0, 0, null);
        g.dispose();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(GALLERY_JPEG_QUALITY);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(rgb, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static String mime(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".svg")) {
            return "image/svg+xml";
        }
        return name.endsWith(".jpg") || name.endsWith(".jpeg") ? "image/jpeg" : "image/png";
    }
}
