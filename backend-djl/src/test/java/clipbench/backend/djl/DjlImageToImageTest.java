package clipbench.backend.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.model.PreprocessSpec;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ImageTensor;
import clipbench.api.spi.ImageToImage;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code openImageToImage}: a TorchScript NCHW-to-NCHW network, here a tiny 2x super-resolution one. */
class DjlImageToImageTest {
    private static final double TOLERANCE = 1e-5;
    private final DjlBackboneProvider provider = new DjlBackboneProvider();

    /** The input that make_djl_fixtures.py describes in expected.json. */
    static ImageTensor srInput(int n, int c, int h, int w) {
        float[] data = new float[n * c * h * w];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        data[k++] = (float) Math.sin(0.01 * (ch * h * w + y * w + x) + 0.5 * i);
                    }
                }
            }
        }
        return new ImageTensor(n, c, h, w, data);
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(b.length, a.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    @Test
    void superResolutionMatchesPyTorch() throws IOException {
        JsonNode expected = ContractFixtures.readJson(DjlFixtures.sr().resolve("expected.json"));
        assertTrue(expected.path("input").path("formula").asText()
                .contains("(float) Math.sin(0.01 * (c * H * W + h * W + w) + 0.5 * n)"));
        int[] in = ContractFixtures.ints(expected.path("input").path("shape"));
        int[] outShape = ContractFixtures.ints(expected.path("output_shape"));
        float[] want = ContractFixtures.floats(expected.path("output"));
        try (ImageToImage sr = provider.openImageToImage(ModelCards.load(DjlFixtures.sr()), BackendOptions.defaults())) {
            ImageTensor out = sr.run(srInput(in[0], in[1], in[2], in[3]));
            assertArrayEquals(outShape, new int[] {out.count(), out.channels(), out.height(), out.width()});
            double error = maxAbsDiff(out.data(), want);
            System.out.printf("[djl] tiny-sr vs PyTorch max |diff| = %.3e%n", error);
            assertTrue(error <= TOLERANCE, "super-resolution output differs from PyTorch by " + error);
            // any size: a fully convolutional network takes other inputs too
            ImageTensor other = sr.run(srInput(1, 3, 5, 7));
            assertArrayEquals(new int[] {1, 3, 10, 14},
                    new int[] {other.count(), other.channels(), other.height(), other.width()});
        }
    }

    @Test
    void wrongInputIsRefusedNamingTheFile() throws IOException {
        try (ImageToImage sr = provider.openImageToImage(ModelCards.load(DjlFixtures.sr()), BackendOptions.defaults())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> sr.run(new ImageTensor(1, 4, 8, 8, new float[4 * 64])));
            assertTrue(e.getMessage().contains("sr.pt") && e.getMessage().contains("[1, 4, 8, 8]"), e.getMessage());
        }
    }

    @Test
    void anEmbeddingModelIsNotAnImageToImageNetwork() throws IOException {
        Path vit = ContractFixtures.testdata("models/tiny-clip-vit");
        ModelCard card = new ModelCard(vit, "x", "clip", ModelCards.load(vit).preprocess(), 0, 0, 100, null,
                Map.of("torchscript", Map.of("model", "visual.pt")));
        try (ImageToImage net = provider.openImageToImage(card, BackendOptions.defaults())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> net.run(new ImageTensor(1, 3, 224, 224, new float[3 * 224 * 224])));
            assertTrue(e.getMessage().contains("visual.pt") && e.getMessage().contains("NCHW"), e.getMessage());
        }
    }

    @Test
    void missingOrUnlistedModelIsNamed(@TempDir Path dir) {
        ModelCard missing = new ModelCard(dir, "x", "sr", PreprocessSpec.clip(8), 0, 0, 1, null,
                Map.of("torchscript", Map.of("model", "sr.pt")));
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> provider.openImageToImage(missing, BackendOptions.defaults()).close());
        assertTrue(e.getMessage().contains(dir.resolve("sr.pt").toString()), e.getMessage());
        ModelCard unlisted = new ModelCard(dir, "x", "sr", PreprocessSpec.clip(8), 0, 0, 1, null,
                Map.of("onnx", Map.of("model", "sr.onnx")));
        IllegalArgumentException u = assertThrows(IllegalArgumentException.class,
                () -> provider.openImageToImage(unlisted, BackendOptions.defaults()).close());
        assertTrue(u.getMessage().contains("'model'") && u.getMessage().contains("'torchscript'"), u.getMessage());
    }

    /** The input of testdata/models/tiny-sr/expected.json, as its formula's Java form says. */
    static final String SHARED_SR_FORMULA = "(float) (0.5 + 0.5 * Math.sin(0.1 * (c * 1000 + h * 37 + w)))";

    static ImageTensor sharedSrInput(int n, int channels, int height, int width) {
        float[] data = new float[n * channels * height * width];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < channels; c++) {
                for (int h = 0; h < height; h++) {
                    for (int w = 0; w < width; w++) {
                        data[k++] = (float) (0.5 + 0.5 * Math.sin(0.1 * (c * 1000 + h * 37 + w)));
                    }
                }
            }
        }
        return new ImageTensor(n, channels, height, width, data);
    }

    /**
     * The shared x4 super-resolution fixture (testdata/models/tiny-sr, tools/fixtures/make_sr_fixture.py, made for
     * every backend; its sr.onnx gives the same output): DJL's output of sr.pt must match expected.json there.
     * Skipped only where that directory does not exist.
     */
    @Test
    void sharedTinySrFixtureMatchesItsExpectedOutput() throws IOException {
        Path dir = ContractFixtures.root().resolve("testdata/models/tiny-sr");
        assumeTrue(Files.isDirectory(dir), dir + " does not exist");
        JsonNode expected = ContractFixtures.readJson(dir.resolve("expected.json"));
        assertTrue(expected.path("input").path("formula").asText().contains(SHARED_SR_FORMULA),
                "expected.json's input formula changed: " + expected.path("input").path("formula"));
        int[] in = ContractFixtures.ints(expected.path("input").path("shape"));
        int[] outShape = ContractFixtures.ints(expected.path("output_shape"));
        float[] want = ContractFixtures.floats(expected.path("output"));
        double tolerance = expected.path("tolerance").asDouble(1e-5);
        try (ImageToImage sr = provider.openImageToImage(ModelCards.load(dir), BackendOptions.defaults())) {
            ImageTensor out = sr.run(sharedSrInput(in[0], in[1], in[2], in[3]));
            assertArrayEquals(outShape, new int[] {out.count(), out.channels(), out.height(), out.width()});
            double error = maxAbsDiff(out.data(), want);
            System.out.printf("[djl] testdata/models/tiny-sr (x4) vs expected.json max |diff| = %.3e (tolerance %.0e)%n",
                    error, tolerance);
            assertTrue(error <= tolerance, "tiny-sr output differs from expected.json by " + error);
            // two images in one batch give each image's own output
            ImageTensor one = sharedSrInput(1, in[1], in[2], in[3]);
            float[] two = new float[2 * one.data().length];
            System.arraycopy(one.data(), 0, two, 0, one.data().length);
            System.arraycopy(one.data(), 0, two, one.data().length, one.data().length);
            float[] both = sr.run(new ImageTensor(2, in[1], in[2], in[3], two)).data();
            float[] second = java.util.Arrays.copyOfRange(both, want.length, 2 * want.length);
            assertTrue(maxAbsDiff(second, want) <= tolerance, "second image of a batch of 2");
        }
    }
}
