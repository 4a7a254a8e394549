package clipbench.upsamplers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import clipbench.api.image.RgbImage;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Plugins;
import clipbench.clip.image.PilResample;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code esrgan-*} upsamplers on the installed UpscalerJS packages ({@code tools/install-test-data.sh}; slim
 * missing fails, thick missing skips): the package's own {@code fixture.png} through our upsampler against the
 * package's own {@code samples/<N>x/result.png}, the scale rule, the names results rows get, a missing package.
 * Imports go to {@code target/esrgan-models} (reused between runs).
 */
class EsrganUpsamplerTest {
    private static final List<Integer> SCALES = List.of(2, 3, 4, 8);

    @BeforeAll
    static void modelCache() {
        if (System.getProperty(UpscalerJsPackage.MODELS_PROPERTY) == null) {
            System.setProperty(UpscalerJsPackage.MODELS_PROPERTY, Path.of("target/esrgan-models").toAbsolutePath().toString());
        }
    }

    @Test
    void scaleRuleRunsTheNetworkOnceAndReachesTheTarget() {
        assertEquals(8, EsrganUpsampler.chooseScale(SCALES, 28, 224));   // 4 x 28 = 112 < 224; 8 x 28 = 224
        assertEquals(3, EsrganUpsampler.chooseScale(SCALES, 100, 224));  // 300, then bicubic down to 224
        assertEquals(4, EsrganUpsampler.chooseScale(SCALES, 56, 224));
        assertEquals(2, EsrganUpsampler.chooseScale(SCALES, 112, 224));
        assertEquals(2, EsrganUpsampler.chooseScale(SCALES, 150, 224));
        assertEquals(8, EsrganUpsampler.chooseScale(SCALES, 20, 224));   // 160: the largest, then bicubic up
        assertEquals(4, EsrganUpsampler.chooseScale(List.of(2, 4), 28, 224));
        assertEquals(3, EsrganUpsampler.chooseScale(SCALES, 32, 96));
        assertThrows(IllegalArgumentException.class, () -> EsrganUpsampler.chooseScale(List.of(), 28, 224));
    }

    @Test
    void theResultsNameSaysWhichNetworkRan() throws IOException {
        EsrganUpsampler any = new EsrganUpsampler("esrgan-slim", "onnx", null, fakes(SCALES));
        assertEquals("esrgan-slim-x8", any.name("esrgan-slim", OptionalInt.of(28), 224));
        assertEquals("esrgan-slim-x3", any.name("esrgan-slim", OptionalInt.of(100), 224));
        assertEquals("esrgan-slim", any.name("esrgan-slim", OptionalInt.empty(), 224));  // per image
        assertEquals("esrgan-slim", any.name("esrgan-slim", OptionalInt.of(300), 224));  // never upsampled
        EsrganUpsampler djl = new EsrganUpsampler("esrgan-slim", "djl", 4, fakes(List.of(4)));
        assertEquals("esrgan-slim-x4@djl", djl.name("esrgan-slim:x4@djl", OptionalInt.of(100), 224));
        assertEquals(4, djl.scaleFor(28, 224));
    }

    @Test
    void slimMatchesThePackagesOwnSamples() throws IOException {
        Path pkg = installed("esrgan-slim");
        RgbImage fixture = rgb(pkg.resolve("assets/fixture.png"));
        try (EsrganUpsampler up = (EsrganUpsampler) Plugins.createUpsampler("esrgan-slim",
                new BackendOptions(2, clipbench.api.spi.Device.CPU))) {
            // 128 px: x2 reaches 256, x4 reaches 512 (x3 = 384 falls short): one pass each, no resize
            for (int scale : new int[] {2, 4}) {
                RgbImage ours = up.upsample(fixture, 128 * scale);
                RgbImage sample = rgb(pkg.resolve("assets/samples/" + scale + "x/result.png"));
                assertLevels(sample, ours, 1, "esrgan-slim x" + scale + " fixture vs the package's sample");
            }
            // Fashion-MNIST's side: x8 straight to 224; an emoji at 100 px: x3 to 300, then bicubic to 224
            RgbImage emoji = rgb(Path.of(System.getProperty("clipbench.root", ".."))
                    .resolve("testdata/images/emoji-fruit/Test/strawberry/strawberry-shift.png"));
            for (int side : new int[] {28, 100}) {
                RgbImage small = PilResample.resize(emoji, side, side, PilResample.Filter.BICUBIC);
                RgbImage sr = up.upsample(small, 224);
                assertEquals(224, sr.width());
                assertEquals(224, sr.height());
                RgbImage bicubic = PilResample.resize(small, 224, 224, PilResample.Filter.BICUBIC);
                double mean = meanAbs(sr, bicubic);
                System.out.printf("esrgan-slim %d px -> 224: mean |esrgan - bicubic| %.2f levels%n", side, mean);
                assertTrue(mean > 0.1 && mean < 12, "esrgan and bicubic should show the same picture: " + mean);
            }
        }
    }

    @Test
    void thickRunsOnZeroToOnePixels() throws IOException {
        Path pkg = UpscalerJsPackage.npmPrefix().resolve("node_modules/@upscalerjs/esrgan-thick");
        Assumptions.assumeTrue(Files.isRegularFile(pkg.resolve("package.json")),
                "@upscalerjs/esrgan-thick not installed (CLIPBENCH_ESRGAN_THICK=1 tools/install-test-data.sh): skipped");
        RgbImage fixture = rgb(pkg.resolve("assets/fixture.png"));
        try (EsrganUpsampler up = (EsrganUpsampler) Plugins.createUpsampler("esrgan-thick:x4",
                new BackendOptions(2, clipbench.api.spi.Device.CPU))) {
            assertLevels(rgb(pkg.resolve("assets/samples/4x/result.png")), up.upsample(fixture, 512), 1,
                    "esrgan-thick x4 ([0, 1] card) fixture vs the package's sample");
        }
    }

    @Test
    void aMissingPackageIsNamedWithItsInstallCommand(@TempDir Path empty) {
        String before = System.getProperty(UpscalerJsPackage.NPM_PROPERTY);
        System.setProperty(UpscalerJsPackage.NPM_PROPERTY, empty.toString());
        try {
            NoSuchFileException e = assertThrows(NoSuchFileException.class,
                    () -> Plugins.createUpsampler("esrgan-medium", BackendOptions.defaults()));
            assertTrue(e.getMessage().contains("@upscalerjs/esrgan-medium") && e.getMessage().contains("npm install")
                    && e.getMessage().contains(empty.toString()), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(UpscalerJsPackage.NPM_PROPERTY);
            } else {
                System.setProperty(UpscalerJsPackage.NPM_PROPERTY, before);
            }
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Plugins.createUpsampler("esrgan-slim:x5", BackendOptions.defaults()));
        assertTrue(bad.getMessage().contains("x5"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Plugins.createUpsampler("esrgan-slim:4x", BackendOptions.defaults()));
    }

    @Test
    void tilingByTheCardsTileStaysCloseToOnePass() throws IOException {
        Path pkg = installed("esrgan-slim");
        Path dir = UpscalerJsPackage.locate("esrgan-slim").imported(2);
        ModelCard card = ModelCards.load(dir);
        assertEquals(128, card.preprocess().imageSize(), "the card's tile");
        // 200 x 150 > one 128 tile: 4 x 3 windows of 128 with 32 px of context around each 64 px core
        RgbImage fixture = rgb(pkg.resolve("assets/fixture.png"));
        RgbImage big = PilResample.resize(fixture, 200, 150, PilResample.Filter.BICUBIC);
        BackendOptions options = new BackendOptions(2, clipbench.api.spi.Device.CPU);
        try (SrModelUpsampler tiled = new SrModelUpsampler(Plugins.backend("onnx").openImageToImage(card, options), 2,
                128, SrModelUpsampler.defaultOverlap(128), 255f, "tiled");
             SrModelUpsampler whole = new SrModelUpsampler(Plugins.backend("onnx").openImageToImage(card, options), 2,
                     256, 0, 255f, "one pass")) {
            RgbImage a = tiled.upsample(big, 300);
            RgbImage b = whole.upsample(big, 300);
            double mean = meanAbs(a, b);
            int worst = 0;
            for (int i = 0; i < a.pixels().length; i++) {
                worst = Math.max(worst, Math.abs((a.pixels()[i] & 0xFF) - (b.pixels()[i] & 0xFF)));
            }
            System.out.printf("esrgan-slim x2 200x150, tile 128 overlap 32 vs one pass: mean %.4f, max %d levels%n",
                    mean, worst);
            assertTrue(worst <= 1, "tiled vs one pass: mean " + mean + ", max " + worst);
        }
    }

    private static Path installed(String network) {
        Path pkg = UpscalerJsPackage.npmPrefix().resolve("node_modules/@upscalerjs").resolve(network);
        if (!Files.isRegularFile(pkg.resolve("package.json"))) {
            fail("@upscalerjs/" + network + " not found at " + pkg + ": run tools/install-test-data.sh (or set "
                    + UpscalerJsPackage.NPM_ENV + ")");
        }
        return pkg;
    }

    /** Stand-in networks (never run): enough to build an upsampler whose names are tested. */
    private static java.util.Map<Integer, SrModelUpsampler> fakes(List<Integer> scales) {
        java.util.Map<Integer, SrModelUpsampler> m = new java.util.TreeMap<>();
        for (int s : scales) {
            m.put(s, new SrModelUpsampler(new SrModelUpsamplerTest.BlurThenNearest(), s, 16, 4, "fake"));
        }
        return m;
    }

    /** A PNG's RGB, alpha ignored (as the package's samples were made). */
    static RgbImage rgb(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        if (img == null) {
            throw new IOException(png + ": not an image");
        }
        byte[] px = new byte[img.getWidth() * img.getHeight() * 3];
        for (int y = 0, i = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++, i += 3) {
                int v = img.getRGB(x, y);
                px[i] = (byte) (v >> 16);
                px[i + 1] = (byte) (v >> 8);
                px[i + 2] = (byte) v;
            }
        }
        return new RgbImage(img.getWidth(), img.getHeight(), px);
    }

    private static double meanAbs(RgbImage a, RgbImage b) {
        long sum = 0;
        for (int i = 0; i < a.pixels().length; i++) {
            sum += Math.abs((a.pixels()[i] & 0xFF) - (b.pixels()[i] & 0xFF));
        }
        return (double) sum / a.pixels().length;
    }

    private static void assertLevels(RgbImage expected, RgbImage actual, int maxLevels, String what) {
        assertEquals(expected.width(), actual.width(), what + ": width");
        assertEquals(expected.height(), actual.height(), what + ": height");
        int worst = 0;
        int differ = 0;
        for (int i = 0; i < expected.pixels().length; i++) {
            int d = Math.abs((expected.pixels()[i] & 0xFF) - (actual.pixels()[i] & 0xFF));
            worst = Math.max(worst, d);
            differ += d > 0 ? 1 : 0;
        }
        System.out.printf("%s: mean abs %.5f, max %d levels, %d of %d values differ%n", what,
                meanAbs(expected, actual), worst, differ, expected.pixels().length);
        assertTrue(worst <= maxLevels, what + ": max " + worst + " levels > " + maxLevels);
    }
}
