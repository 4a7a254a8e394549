import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Regenerates {@code testdata/images/emoji-fruit/} from the npm package {@code emoji-datasource-google}.
 *
 * <p>Run with the JDK's single-file launcher (no build, no dependencies):
 *
 * <pre>
 *   mkdir -p /tmp/emoji &amp;&amp; cd /tmp/emoji &amp;&amp; npm install emoji-datasource-google@16.0.0
 *   cd /work/main &amp;&amp; java testdata/images/MakeEmojiFruit.java \
 *       /tmp/emoji/node_modules/emoji-datasource-google testdata/images/emoji-fruit
 * </pre>
 *
 * <p>Every output is a 64x64 RGB PNG (no alpha) made from the package's real 64 px Noto emoji PNG by
 * integer arithmetic only (no Java2D rendering), so the output is the same on every JVM. The output
 * folder's {@code Training/} and {@code Test/} are deleted and rewritten; {@code SOURCE.md} is kept.
 */
public final class MakeEmojiFruit {
    private static final int SIZE = 64;
    private static final int[] WHITE = {255, 255, 255};
    private static final int[] LIGHT_GREY = {230, 230, 230};
    private static final int[] LIGHT_YELLOW = {255, 250, 205};

    /** Class folder name -> emoji short_name (all in subcategory food-fruit). Folder names vary on purpose. */
    private static final Map<String, String> CLASSES = new LinkedHashMap<>();

    static {
        CLASSES.put("Apple Red 1", "apple");
        CLASSES.put("apple_green_1", "green_apple");
        CLASSES.put("banana", "banana");
        CLASSES.put("cherries", "cherries");
        CLASSES.put("grapes", "grapes");
        CLASSES.put("lemon", "lemon");
        CLASSES.put("strawberry", "strawberry");
        CLASSES.put("watermelon", "watermelon");
    }

    /** One deterministic variant of an RGBA emoji. */
    private interface Variant {
        int[][][] make(int[][][] rgba);
    }

    private record Named(String name, Variant variant) {
    }

    /** Train and test use different variants. */
    private static final List<Named> TRAINING = List.of(
            new Named("orig", e -> onBackground(e, WHITE)),
            new Named("flip", e -> flipHorizontal(onBackground(e, WHITE))),
            new Named("rot90", e -> rotate90(onBackground(e, WHITE))),
            new Named("small48", e -> pad(shrink64to48(onBackground(e, WHITE)), WHITE)));
    private static final List<Named> TEST = List.of(
            new Named("shift", e -> shift(onBackground(e, WHITE), 6, 4, WHITE)),
            new Named("grey", e -> onBackground(e, LIGHT_GREY)),
            new Named("yellow-flip", e -> flipHorizontal(onBackground(e, LIGHT_YELLOW))));

    private MakeEmojiFruit() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java MakeEmojiFruit.java PACKAGE_DIR OUT_DIR");
            System.exit(2);
        }
        Path pkg = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Map<String, String> images = fruitImages(pkg.resolve("emoji.json"));
        for (String split : List.of("Training", "Test")) {
            deleteTree(out.resolve(split));
        }
        for (Map.Entry<String, String> c : CLASSES.entrySet()) {
            String file = images.get(c.getValue());
            if (file == null) {
                throw new IOException("no food-fruit emoji '" + c.getValue() + "' in " + pkg.resolve("emoji.json"));
            }
            Path png = pkg.resolve("img/google/64").resolve(file);
            int[][][] rgba = readRgba(png);
            write(out.resolve("Training").resolve(c.getKey()), c.getValue(), rgba, TRAINING);
            write(out.resolve("Test").resolve(c.getKey()), c.getValue(), rgba, TEST);
            System.out.println(c.getKey() + " <- " + png);
        }
    }

    private static void write(Path dir, String shortName, int[][][] rgba, List<Named> variants) throws IOException {
        Files.createDirectories(dir);
        for (Named v : variants) {
            writePng(v.variant().make(rgba), dir.resolve(shortName + "-" + v.name() + ".png"));
        }
    }

    /** short_name -> image file of the emoji in subcategory food-fruit; a tiny scan, no JSON library. */
    private static Map<String, String> fruitImages(Path emojiJson) throws IOException {
        String json = Files.readString(emojiJson, StandardCharsets.UTF_8);
        Map<String, String> found = new LinkedHashMap<>();
        // Each emoji is one top-level object; its skin-tone variations are nested objects without short_name.
        Pattern field = Pattern.compile("\"(short_name|image|subcategory)\":\"([^\"]*)\"");
        for (String obj : topLevelObjects(json)) {
            Matcher m = field.matcher(obj);
            String shortName = null;
            String image = null;
            String sub = null;
            while (m.find()) {
                switch (m.group(1)) {
                    case "short_name" -> shortName = shortName == null ? m.group(2) : shortName;
                    case "image" -> image = image == null ? m.group(2) : image;
                    default -> sub = sub == null ? m.group(2) : sub;
                }
            }
            if ("food-fruit".equals(sub) && shortName != null && image != null) {
                found.put(shortName, image);
            }
        }
        return found;
    }

    private static List<String> topLevelObjects(String json) {
        List<String> objects = new ArrayList<>();
        int depth = 0;
        int start = -1;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char ch = json.charAt(i);
            if (inString) {
                if (ch == '\\') {
                    i++;
                } else if (ch == '"') {
                    inString = false;
                }
            } else if (ch == '"') {
                inString = true;
            } else if (ch == '{') {
                if (depth++ == 0) {
                    start = i;
                }
            } else if (ch == '}') {
                if (--depth == 0) {
                    objects.add(json.substring(start, i + 1));
                }
            }
        }
        return objects;
    }

    // ---- pixels: int[y][x][c], c = R, G, B (, A) ----

    private static int[][][] readRgba(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        if (img == null || img.getWidth() != SIZE || img.getHeight() != SIZE) {
            throw new IOException(png + ": expected a " + SIZE + "x" + SIZE + " PNG");
        }
        int[][][] px = new int[SIZE][SIZE][4];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int argb = img.getRGB(x, y); // non-premultiplied sRGB
                px[y][x] = new int[] {(argb >> 16) & 255, (argb >> 8) & 255, argb & 255, (argb >>> 24) & 255};
            }
        }
        return px;
    }

    /** Alpha composite over a solid background, rounded: c*a/255 + bg*(255-a)/255. */
    private static int[][][] onBackground(int[][][] rgba, int[] bg) {
        int h = rgba.length;
        int w = rgba[0].length;
        int[][][] rgb = new int[h][w][3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int a = rgba[y][x][3];
                for (int c = 0; c < 3; c++) {
                    rgb[y][x][c] = (rgba[y][x][c] * a + bg[c] * (255 - a) + 127) / 255;
                }
            }
        }
        return rgb;
    }

    private static int[][][] flipHorizontal(int[][][] rgb) {
        int h = rgb.length;
        int w = rgb[0].length;
        int[][][] out = new int[h][w][];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[y][x] = rgb[y][w - 1 - x].clone();
            }
        }
        return out;
    }

    /** Rotates 90 degrees clockwise. */
    private static int[][][] rotate90(int[][][] rgb) {
        int h = rgb.length;
        int w = rgb[0].length;
        int[][][] out = new int[w][h][];
        for (int y = 0; y < w; y++) {
            for (int x = 0; x < h; x++) {
                out[y][x] = rgb[h - 1 - x][y].clone();
            }
        }
        return out;
    }

    /**
     * Exact area average 64 -> 48: every 4 input pixels become 3 per axis; output k (0..2) of a group
     * covers inputs k and k+1 with weights 3:1, 2:2, 1:3 (sum 4 per axis, 16 per pixel).
     */
    private static int[][][] shrink64to48(int[][][] rgb) {
        int[][] weights = {{3, 1}, {2, 2}, {1, 3}};
        int[][][] out = new int[48][48][3];
        for (int oy = 0; oy < 48; oy++) {
            int[] wy = weights[oy % 3];
            int by = (oy / 3) * 4 + oy % 3;
            for (int ox = 0; ox < 48; ox++) {
                int[] wx = weights[ox % 3];
                int bx = (ox / 3) * 4 + ox % 3;
                for (int c = 0; c < 3; c++) {
                    int sum = 0;
                    for (int dy = 0; dy < 2; dy++) {
                        for (int dx = 0; dx < 2; dx++) {
                            sum += wy[dy] * wx[dx] * rgb[by + dy][bx + dx][c];
                        }
                    }
                    out[oy][ox][c] = (sum + 8) / 16;
                }
            }
        }
        return out;
    }

    /** Centres a smaller image on a 64x64 background. */
    private static int[][][] pad(int[][][] rgb, int[] bg) {
        int[][][] out = solid(bg);
        int top = (SIZE - rgb.length) / 2;
        int left = (SIZE - rgb[0].length) / 2;
        for (int y = 0; y < rgb.length; y++) {
            for (int x = 0; x < rgb[0].length; x++) {
                out[top + y][left + x] = rgb[y][x].clone();
            }
        }
        return out;
    }

    /** A 64x64 crop of the image shifted by (dx, dy), uncovered pixels filled with the background. */
    private static int[][][] shift(int[][][] rgb, int dx, int dy, int[] bg) {
        int[][][] out = solid(bg);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int sy = y - dy;
                int sx = x - dx;
                if (sy >= 0 && sy < SIZE && sx >= 0 && sx < SIZE) {
                    out[y][x] = rgb[sy][sx].clone();
                }
            }
        }
        return out;
    }

    private static int[][][] solid(int[] bg) {
        int[][][] out = new int[SIZE][SIZE][];
        for (int[][] row : out) {
            for (int x = 0; x < SIZE; x++) {
                row[x] = bg.clone();
            }
        }
        return out;
    }

    private static void writePng(int[][][] rgb, Path file) throws IOException {
        int h = rgb.length;
        int w = rgb[0].length;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (rgb[y][x][0] << 16) | (rgb[y][x][1] << 8) | rgb[y][x][2]);
            }
        }
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        ImageWriter writer = writers.next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        if (param.canWriteCompressed()) {
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.0f); // smallest file; lossless either way
        }
        try (OutputStream os = Files.newOutputStream(file);
             ImageOutputStream ios = ImageIO.createImageOutputStream(os)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}
