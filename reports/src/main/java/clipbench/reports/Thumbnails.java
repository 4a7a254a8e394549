package clipbench.reports;

import clipbench.api.image.RgbImage;
import clipbench.protocol.ThumbnailKey;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A run's thumbnails: {@code thumbnails/DATASET/UPSAMPLER/ITEM.png} in the run directory, test images as the
 * upsampler handed them to the backbone's transform, so a report draws its galleries from the run directory
 * alone (the dataset may be gone, and IDX items have no file of their own). Each part of the path is the
 * value in the CSVs, made file-safe by {@link #part}.
 */
public final class Thumbnails {
    /** The folder, inside a run directory, that holds the thumbnails. */
    public static final String DIR = "thumbnails";
    /** A larger image (the {@code none} upsampler on a large photo) is scaled down to fit this, for display. */
    static final int MAX_SIDE = 512;
    private static final int MAX_PART = 120;

    private Thumbnails() {
    }

    /** Where {@code key}'s PNG is (or would be) in {@code runDir}. */
    public static Path file(Path runDir, ThumbnailKey key) {
        return folder(runDir, key.dataset(), key.upsampler()).resolve(part(key.item()) + ".png");
    }

    private static Path folder(Path runDir, String dataset, String upsampler) {
        return runDir.resolve(DIR).resolve(part(dataset)).resolve(part(upsampler));
    }

    /** Writes {@code image} as {@code key}'s PNG, atomically. */
    static void write(Path runDir, ThumbnailKey key, RgbImage image) throws IOException {
        BufferedImage img = image.toBufferedImage();
        if (Math.max(image.width(), image.height()) > MAX_SIDE) {
            img = Gallery.scaleToFit(img, MAX_SIDE, MAX_SIDE);
        }
        Gallery.writePng(file(runDir, key), img);
    }

    /** The thumbnails of one dataset and upsampler of a run, listed once (a gallery asks for many images). */
    public record Folder(Path dir, Set<String> files) {
        public static Folder of(Path runDir, String dataset, String upsampler) throws IOException {
            Path dir = folder(runDir, dataset, upsampler);
            if (!Files.isDirectory(dir)) {
                return new Folder(dir, Set.of());
            }
            try (Stream<Path> s = Files.list(dir)) {
                return new Folder(dir, s.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
            }
        }

        /** The thumbnail of the test image {@code item}, if the run kept one. */
        public Optional<Path> of(String item) {
            String name = part(item) + ".png";
            return files.contains(name) ? Optional.of(dir.resolve(name)) : Optional.empty();
        }
    }

    /**
     * {@code s} as one file name on any file system, one to one: ASCII letters, digits, '-', '_' and
     * (not first) '.' stay, every other UTF-8 byte becomes %XX; a long result keeps its start and ends with
     * '~' and a hash of {@code s} ('~' occurs in no shorter name).
     */
    static String part(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            boolean plain = c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_'
                    || (c == '.' && sb.length() > 0));
            if (plain) {
                sb.append(c);
            } else {
                sb.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
            }
        }
        if (sb.isEmpty()) {
            return "%";
        }
        if (sb.length() > MAX_PART) {
            return sb.substring(0, MAX_PART - 17) + "~" + Names.hash(s, 8);
        }
        return sb.toString();
    }
}
