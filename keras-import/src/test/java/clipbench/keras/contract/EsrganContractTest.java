package clipbench.keras.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.ImageTensor;
import clipbench.api.spi.ImageToImage;
import clipbench.keras.ModelCardWriter;
import clipbench.keras.TfjsModelDirectory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pretrained UpscalerJS ESRGAN networks ({@code @upscalerjs/esrgan-slim}, {@code -medium}) imported by
 * {@link TfjsModelDirectory} and opened by a runtime's {@code openImageToImage}, against the packages' own
 * JavaScript ({@code testdata/esrgan/esrgan-reference.json}, made by {@code make-reference.mjs}); and the package's
 * {@code assets/fixture.png} against its own {@code assets/samples/<N>x/result.png}. Each runtime runs it with a
 * few-line subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class EsrganContractTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path models; // one folder for the whole class: the imports are cached across tests

    private final Map<String, Path> imported = new HashMap<>();

    /** Opens an image-to-image card on this runtime. */
    protected abstract ImageToImage open(ModelCard card) throws IOException;

    /** Largest difference allowed from the package's float outputs, on the 0-255 scale. */
    protected double tolerance() {
        return 1e-3;
    }

    /** The package folder of an installed UpscalerJS network package, e.g. {@code @upscalerjs/esrgan-slim}. */
    public static Path upscalerPackage(String name) {
        Path dir = NpmTestData.nodeModules().resolve(name);
        if (!Files.isRegularFile(dir.resolve("models/x4/model.json"))) {
            fail(name + " 1.0.0 not found at " + dir + ": run tools/install-test-data.sh");
        }
        return dir;
    }

    private Path imported(String pkg, int scale) throws IOException {
        String key = pkg + "-x" + scale;
        Path dir = imported.get(key);
        if (dir == null) {
            dir = TfjsModelDirectory.create(upscalerPackage(pkg).resolve("models/x" + scale),
                    models.resolve(key.replace('/', '_')), null, null, null);
            imported.put(key, dir);
        }
        return dir;
    }

    @Test
    void cardSaysImageToImageScaleAndRange() throws IOException {
        JsonNode card = ModelCardWriter.read(imported("@upscalerjs/esrgan-slim", 4));
        assertTrue(ModelCardWriter.isImageToImage(card), card.toString());
        assertEquals(4, card.get("scale").asInt());
        assertEquals(255.0, card.get("value_range").get(1).asDouble());
        assertEquals("@upscalerjs/esrgan-slim@1.0.0/models/x4", card.get("source").asText().split(",")[0]);
        assertEquals("model.onnx", card.get("artifacts").get("onnx").get("model").asText());
        IOException e = assertThrows(IOException.class, () -> clipbench.keras.KerasModels.load(
                ModelCards.load(imported("@upscalerjs/esrgan-slim", 4))));
        assertTrue(e.getMessage().contains("image-to-image"), e.getMessage());
    }

    @Test
    void matchesThePackagesJavaScript() throws IOException {
        Path file = Path.of(System.getProperty("clipbench.root", "..")).resolve("testdata/esrgan/esrgan-reference.json");
        JsonNode ref = JSON.readTree(file.toFile());
        double worst = 0;
        StringBuilder report = new StringBuilder();
        for (JsonNode net : ref.get("networks")) {
            String pkg = net.get("package").asText().replaceFirst("@[0-9.]+$", "");
            int scale = net.get("scale").asInt();
            if (pkg.endsWith("-thick") && !Files.isDirectory(NpmTestData.nodeModules().resolve(pkg))) {
                report.append("  ").append(pkg).append(": not installed (CLIPBENCH_ESRGAN_THICK=1 tools/install-test-data.sh)\n");
                continue; // 110 MB: installed only on request
            }
            Path dir = imported(pkg, scale);
            // the network's pixel range [0, max]: the reference fed pattern * max / 255; compare on the 0-255 scale
            double max = ModelCardWriter.read(dir).get("value_range").get(1).asDouble();
            assertEquals(net.get("input_range").get(1).asDouble(), max, pkg + " x" + scale + ": value_range");
            try (ImageToImage network = open(ModelCards.load(dir))) {
                for (JsonNode o : net.get("outputs")) {
                    int h = o.get("height").asInt();
                    int w = o.get("width").asInt();
                    float[] in = pattern(h, w);
                    for (int i = 0; i < in.length; i++) {
                        in[i] = (float) (in[i] * max / 255);
                    }
                    ImageTensor out = network.run(new ImageTensor(1, 3, h, w, in));
                    assertArrayEquals(new int[] {1, 3, h * scale, w * scale},
                            new int[] {out.count(), out.channels(), out.height(), out.width()}, pkg + " x" + scale);
                    JsonNode values = o.get("values");
                    int oh = h * scale;
                    int ow = w * scale;
                    double d = 0;
                    for (int y = 0; y < oh; y++) {
                        for (int x = 0; x < ow; x++) {
                            for (int c = 0; c < 3; c++) {
                                double want = values.get((y * ow + x) * 3 + c).asDouble();
                                d = Math.max(d, Math.abs(want - out.data()[(c * oh + y) * ow + x]) * 255 / max);
                            }
                        }
                    }
                    report.append(String.format("  %s x%d %dx%d: max abs %.3g%n", pkg, scale, h, w, d));
                    worst = Math.max(worst, d);
                }
            }
        }
        System.out.printf("esrgan contract %s: max abs diff %.3g (0-255 scale)%n%s", getClass().getSimpleName(),
                worst, report);
        assertTrue(worst <= tolerance(), "max abs diff " + worst + " > " + tolerance() + "\n" + report);
    }

    /**
     * The package's fixture (128x128, alpha ignored) through x2 and x4 in one pass, clamped to [0, 255] and
     * rounded as UpscalerJS does, against the package's own result: at most one level apart (float rounding at .5).
     */
    @Test
    void fixtureAgainstThePackagesSample() throws IOException {
        Path pkg = upscalerPackage("@upscalerjs/esrgan-slim");
        BufferedImage fixture = ImageIO.read(pkg.resolve("assets/fixture.png").toFile());
        int h = fixture.getHeight();
        int w = fixture.getWidth();
        float[] in = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = fixture.getRGB(x, y);
                for (int c = 0; c < 3; c++) {
                    in[(c * h + y) * w + x] = (rgb >> (16 - 8 * c)) & 0xff;
                }
            }
        }
        for (int scale : new int[] {2, 4}) {
            BufferedImage sample = ImageIO.read(pkg.resolve("assets/samples/" + scale + "x/result.png").toFile());
            ImageTensor out;
            try (ImageToImage network = open(ModelCards.load(imported("@upscalerjs/esrgan-slim", scale)))) {
                out = network.run(new ImageTensor(1, 3, h, w, in));
            }
            int oh = out.height();
            int ow = out.width();
            assertEquals(sample.getHeight(), oh);
            assertEquals(sample.getWidth(), ow);
            long sum = 0;
            int max = 0;
            int differ = 0;
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    int rgb = sample.getRGB(x, y);
                    for (int c = 0; c < 3; c++) {
                        int ours = (int) Math.round(Math.min(255, Math.max(0, out.data()[(c * oh + y) * ow + x])));
                        int d = Math.abs(ours - ((rgb >> (16 - 8 * c)) & 0xff));
                        sum += d;
                        max = Math.max(max, d);
                        differ += d > 0 ? 1 : 0;
                    }
                }
            }
            double mean = (double) sum / (3.0 * oh * ow);
            System.out.printf("esrgan fixture %s x%d: mean abs %.6f, max abs %d levels, %d of %d values differ%n",
                    getClass().getSimpleName(), scale, mean, max, differ, 3 * oh * ow);
            // float rounding next to a .5 may flip a level; anything more is a real difference
            assertTrue(max <= 1 && mean < 0.01, "mean abs " + mean + ", max abs " + max + " levels from the sample");
        }
    }

    /** The reference's input: value(y, x, c) = (37 x + 91 y + 53 c + 11 x y) mod 256, here NCHW. */
    static float[] pattern(int h, int w) {
        float[] v = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    v[(c * h + y) * w + x] = (37 * x + 91 * y + 53 * c + 11 * x * y) % 256;
                }
            }
        }
        return v;
    }
}
