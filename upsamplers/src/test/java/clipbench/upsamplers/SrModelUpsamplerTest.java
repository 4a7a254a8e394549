package clipbench.upsamplers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.clip.image.PilResample;
import clipbench.api.image.RgbImage;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ImageTensor;
import clipbench.api.spi.ImageToImage;
import clipbench.api.spi.Plugins;
import clipbench.api.spi.Upsampler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sr-model on the committed tiny-sr fixture (testdata/models/tiny-sr, see tools/fixtures/make_sr_fixture.py). */
class SrModelUpsamplerTest {
    private static final String RELATIVE = "testdata/models/tiny-sr";
    private static Path dir;
    private static ImageToImage network;
    private static JsonNode expected;

    static Path repoRoot() {
        String prop = System.getProperty("clipbench.root");
        if (prop != null && !prop.isBlank() && Files.isDirectory(Path.of(prop).resolve(RELATIVE))) {
            return Path.of(prop);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(RELATIVE))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find " + RELATIVE);
    }

    @BeforeAll
    static void open() throws IOException {
        dir = repoRoot().resolve(RELATIVE);
        network = Plugins.backend("onnx").openImageToImage(ModelCards.load(dir), BackendOptions.defaults());
        expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
    }

    @AfterAll
    static void close() {
        if (network != null) {
            network.close();
        }
    }

    /** expected.json's input: x[0][c][h][w] = 0.5 + 0.5 sin(0.1 (1000 c + 37 h + w)), 20 x 20. */
    static ImageTensor formulaInput() {
        float[] x = new float[3 * 20 * 20];
        for (int c = 0; c < 3; c++) {
            for (int h = 0; h < 20; h++) {
                for (int w = 0; w < 20; w++) {
                    x[(c * 20 + h) * 20 + w] = (float) (0.5 + 0.5 * Math.sin(0.1 * (c * 1000 + h * 37 + w)));
                }
            }
        }
        return new ImageTensor(1, 3, 20, 20, x);
    }

    static double maxAbs(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    /** A smooth image with some detail, deterministic. */
    static RgbImage image(int w, int h) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                px[i] = (byte) (127.5 + 127.5 * Math.sin(0.21 * x + 0.05 * y));
                px[i + 1] = (byte) (127.5 + 127.5 * Math.cos(0.13 * y - 0.07 * x));
                px[i + 2] = (byte) (((x / 4 + y / 4) % 2) * 180 + 40);
            }
        }
        return new RgbImage(w, h, px);
    }

    @Test
    void onnxOutputMatchesExpectedJson() {
        assertEquals("[1,3,80,80]", expected.path("output_shape").toString());
        ImageTensor out = network.run(formulaInput());
        assertEquals(1, out.count());
        assertEquals(3, out.channels());
        assertEquals(80, out.height());
        assertEquals(80, out.width());
        JsonNode list = expected.path("output");
        float[] want = new float[list.size()];
        for (int i = 0; i < want.length; i++) {
            want[i] = list.get(i).floatValue();
        }
        double err = maxAbs(want, out.data());
        System.out.printf("tiny-sr ONNX vs expected.json: max |error| %.3e over %d values%n", err, want.length);
        assertTrue(err <= 1e-5, "max |error| " + err);
    }

    @Test
    void providerReadsTheCardAndTheBackend() throws IOException {
        for (String arg : new String[] {dir.toString(), dir + "@onnx"}) {
            Upsampler u = new SrModelUpsamplerProvider().create(arg);
            SrModelUpsampler sr = assertInstanceOf(SrModelUpsampler.class, u);
            assertEquals(4, sr.scale());
            assertEquals(32, sr.tile());
            assertEquals(8, sr.overlap());
            sr.close();
        }
        assertEquals(new SrModelUpsamplerProvider.Spec(Path.of("m/x4"), "djl"), SrModelUpsamplerProvider.parse("m/x4@djl"));
        assertEquals(new SrModelUpsamplerProvider.Spec(Path.of("a@b/x4"), "onnx"), SrModelUpsamplerProvider.parse("a@b/x4"));
    }

    @Test
    void badArgumentsNameWhatIsWrong(@TempDir Path tmp) throws IOException {
        SrModelUpsamplerProvider p = new SrModelUpsamplerProvider();
        assertThrows(IllegalArgumentException.class, () -> p.create(""));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> p.create(dir + "@nope"));
        assertTrue(unknown.getMessage().contains("nope") && unknown.getMessage().contains("onnx"), unknown.getMessage());
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> p.create(tmp.resolve("x").toString()));
        assertTrue(missing.getMessage().contains(tmp.resolve("x").toString()), missing.getMessage());
        // a card whose scale is not 2..8
        Path bad = cardVariant(tmp.resolve("bad"), "\"scale\": 9");
        IOException e = assertThrows(IOException.class, () -> p.create(bad.toString()));
        assertTrue(e.getMessage().contains("scale") && e.getMessage().contains(bad.toString()), e.getMessage());
        // a value range that does not start at 0
        Path range = cardVariant(tmp.resolve("range"), "\"scale\": 4, \"value_range\": [1, 255]");
        IOException r = assertThrows(IOException.class, () -> p.create(range.toString()));
        assertTrue(r.getMessage().contains("value_range") && r.getMessage().contains(range.toString()),
                r.getMessage());
    }

    /** A copy of the tiny-sr folder whose card has {@code "scale": 4} replaced by {@code scaleField}. */
    private Path cardVariant(Path to, String scaleField) throws IOException {
        Files.createDirectories(to);
        Files.copy(dir.resolve("sr.onnx"), to.resolve("sr.onnx"));
        Files.writeString(to.resolve("model-card.json"), Files.readString(dir.resolve("model-card.json"))
                .replace("\"scale\": 4", scaleField));
        return to;
    }

    @Test
    void tiledOutputEqualsOnePass() {
        ImageTensor in = SrModelUpsampler.toTensor(image(70, 50));
        ImageTensor whole = network.run(in);
        assertEquals(280, whole.width());
        assertEquals(200, whole.height());
        // the card's tiling (32, overlap 8) and a finer one (12, overlap 4 = the network's receptive radius)
        for (int[] to : new int[][] {{32, 8}, {12, 4}, {20, 5}}) {
            SrModelUpsampler sr = new SrModelUpsampler(network, 4, to[0], to[1], "tiny-sr");
            ImageTensor tiled = sr.superResolve(in);
            double err = maxAbs(whole.data(), tiled.data());
            System.out.printf("tiny-sr tile %d overlap %d on 70x50: max |tiled - one pass| %.3e%n", to[0], to[1], err);
            assertTrue(err <= 1e-5, "tile " + to[0] + "/" + to[1] + ": " + err);
        }
        // with too little overlap the tiles' zero padding shows: the comparison above can fail
        ImageTensor seams = new SrModelUpsampler(network, 4, 12, 1, "tiny-sr").superResolve(in);
        double err = maxAbs(whole.data(), seams.data());
        System.out.printf("tiny-sr tile 12 overlap 1: max |tiled - one pass| %.3e (expected large)%n", err);
        assertTrue(err > 1e-3, "overlap 1 < receptive radius 4 should leave seams: " + err);
    }

    @Test
    void upsampleQuantizesTheNetworkOutputAndFinishesWithBicubic() throws IOException {
        SrModelUpsampler sr = (SrModelUpsampler) new SrModelUpsamplerProvider().create(dir.toString());
        try {
            RgbImage small = image(20, 20);
            RgbImage raw = SrModelUpsampler.toImage(network.run(SrModelUpsampler.toTensor(small)));
            // x4 lands exactly on 80: no resize
            assertEquals(raw, sr.upsample(small, 80));
            // 224: the 80x80 result is finished with PIL bicubic
            RgbImage up = sr.upsample(small, 224);
            assertEquals(PilResample.resize(raw, 224, 224, PilResample.Filter.BICUBIC), up);
            // 60: x4 overshoots, PIL bicubic shrinks (antialiased)
            assertEquals(PilResample.resize(raw, 60, 60, PilResample.Filter.BICUBIC), sr.upsample(small, 60));
            // not square: the size every upsampler gives
            RgbImage wide = sr.upsample(image(30, 20), 224);
            assertEquals(new ShortestSide.Size(336, 224), new ShortestSide.Size(wide.width(), wide.height()));
            // tiled path (70x50 > tile 32) gives the quantized one-pass output
            RgbImage big = image(70, 50);
            RgbImage onePass = SrModelUpsampler.toImage(network.run(SrModelUpsampler.toTensor(big)));
            RgbImage tiled = sr.upsample(big, 200);
            assertEquals(280, tiled.width());
            int differing = 0;
            for (int i = 0; i < onePass.pixels().length; i++) {
                int d = Math.abs((onePass.pixels()[i] & 255) - (tiled.pixels()[i] & 255));
                assertTrue(d <= 1, "byte " + i + " differs by " + d);
                differing += d;
            }
            System.out.printf("tiny-sr 70x50 -> 280x200: %d of %d bytes differ (by 1) between tiled and one pass%n",
                    differing, onePass.pixels().length);
            // images already large enough are returned as they are
            RgbImage large = image(224, 230);
            assertSame(large, sr.upsample(large, 224));
        } finally {
            sr.close();
        }
    }

    @Test
    void outputIsCloseToTheInputAndClamped() {
        // the fixture is nearest x4 plus a small learned correction: its uint8 output stays near the input
        RgbImage small = image(16, 16);
        RgbImage out = SrModelUpsampler.toImage(network.run(SrModelUpsampler.toTensor(small)));
        double sum = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                for (int c = 0; c < 3; c++) {
                    sum += Math.abs(out.channel(x, y, c) - small.channel(x / 4, y / 4, c));
                }
            }
        }
        double mean = sum / (64 * 64 * 3);
        assertTrue(mean < 20, "mean |sr - nearest| " + mean);
    }

    @Test
    void quantizeClampsAndRoundsAsUpscalerJs() {
        assertEquals(0, SrModelUpsampler.quantize(-0.3f));
        assertEquals(0, SrModelUpsampler.quantize(Float.NaN));
        assertEquals(255, SrModelUpsampler.quantize(1.02f));
        assertEquals(128, SrModelUpsampler.quantize(0.5f));         // 127.5: half to even
        // a [0, 255] network: clip, then Uint8ClampedArray's round half to even
        assertEquals(2, SrModelUpsampler.quantize(2.5f, 255f));
        assertEquals(4, SrModelUpsampler.quantize(3.5f, 255f));
        assertEquals(3, SrModelUpsampler.quantize(2.51f, 255f));
        assertEquals(255, SrModelUpsampler.quantize(300f, 255f));
        assertEquals(0, SrModelUpsampler.quantize(-4f, 255f));
        assertEquals(1, SrModelUpsampler.quantize(0.5f / 255f + 1e-7f));
        assertEquals(0, SrModelUpsampler.quantize(0.4f / 255f));
        for (int v = 0; v < 256; v++) {
            assertEquals(v, SrModelUpsampler.quantize(v / 255f), "round trip " + v);
        }
    }

    /** A stand-in network in plain Java: 3x3 box blur with zero padding (receptive radius 1), then nearest x2. */
    static final class BlurThenNearest implements ImageToImage {
        int calls;

        @Override
        public ImageTensor run(ImageTensor in) {
            calls++;
            int n = in.count();
            int c = in.channels();
            int h = in.height();
            int w = in.width();
            float[] out = new float[n * c * h * w * 4];
            for (int i = 0; i < n * c; i++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        float s = 0;
                        for (int dy = -1; dy <= 1; dy++) {
                            for (int dx = -1; dx <= 1; dx++) {
                                int yy = y + dy;
                                int xx = x + dx;
                                if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                                    s += in.data()[(i * h + yy) * w + xx];
                                }
                            }
                        }
                        for (int k = 0; k < 4; k++) {
                            out[(i * 2 * h + 2 * y + k / 2) * 2 * w + 2 * x + k % 2] = s / 9f;
                        }
                    }
                }
            }
            return new ImageTensor(n, c, 2 * h, 2 * w, out);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void tilingIsExactForAPlainJavaNetworkOfKnownReceptiveField() {
        BlurThenNearest net = new BlurThenNearest();
        for (int[] wh : new int[][] {{23, 17}, {9, 40}, {5, 5}, {16, 16}, {17, 16}}) {
            ImageTensor in = SrModelUpsampler.toTensor(image(wh[0], wh[1]));
            ImageTensor whole = net.run(in);
            for (int[] to : new int[][] {{8, 1}, {4, 1}, {3, 1}, {16, 4}}) {
                ImageTensor tiled = new SrModelUpsampler(net, 2, to[0], to[1], "blur").superResolve(in);
                assertEquals(0.0, maxAbs(whole.data(), tiled.data()), wh[0] + "x" + wh[1] + " tile " + to[0]);
            }
            // no overlap: seams appear wherever a core edge is not an image edge
            if (wh[0] > 4 || wh[1] > 4) {
                ImageTensor seams = new SrModelUpsampler(net, 2, 4, 0, "blur").superResolve(in);
                assertTrue(maxAbs(whole.data(), seams.data()) > 1e-3, wh[0] + "x" + wh[1]);
            }
        }
        assertThrows(IllegalStateException.class,
                () -> new SrModelUpsampler(net, 3, 8, 1, "blur").superResolve(SrModelUpsampler.toTensor(image(5, 5))));
        assertThrows(IllegalArgumentException.class, () -> new SrModelUpsampler(net, 2, 8, 4, "blur"));
    }
}
