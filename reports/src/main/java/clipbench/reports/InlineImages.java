package clipbench.reports;

import java.io.IOException;
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
 * {@code <img data-src="RELATIVE" src="data:...;base64,...">} with the file's bytes (PNG or SVG; the files stay
 * beside the page). SVGs go in as data URIs rather than inline {@code <svg>} elements, because XChart's SVGs
 * reuse the same element ids and would clip one another on one page. A file that is missing keeps its
 * relative src, so the browser check counts it as broken.
 */
final class InlineImages {
    private static final Pattern IMG = Pattern.compile("<img src=\"([^\"]*)\"");

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
                    replacement = "<img data-src=\"" + src + "\" src=\"data:" + mime(file) + ";base64,"
                            + Base64.getEncoder().encodeToString(Files.readAllBytes(file)) + "\"";
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String mime(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".svg")) {
            return "image/svg+xml";
        }
        return name.endsWith(".jpg") || name.endsWith(".jpeg") ? "image/jpeg" : "image/png";
    }
}
