package clipbench.keras;

import static clipbench.keras.OnnxReferenceTest.ENV;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import clipbench.keras.OnnxReferenceTest.Nd;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real nsfwjs models (Keras 2.2.4 MobileNetV2 and InceptionV3 saved by TF.js, uint8-quantised weights),
 * read by {@link TfjsReader}, exported by {@link OnnxExport} and run on ONNX Runtime, against the outputs of
 * nsfwjs's own JavaScript in {@code testdata/keras/nsfwjs-reference.json}. Skipped where the nsfwjs package is
 * not installed (system property {@code clipbench.nsfwjsDir}, env {@code CLIPBENCH_NSFWJS_DIR}, or
 * {@code ~/.cache/clipbench/npm/node_modules/nsfwjs}; {@code tools/install-test-data.sh}).
 */
class OnnxNsfwjsTest {
    /** Probabilities and features against tfjs's CPU backend. */
    static final double TOL = 1e-4;

    /** The installed nsfwjs package; fails (never skips) when it is missing. */
    static Path nsfwjsDir() {
        return NsfwjsModelsTest.nsfwjsDir();
    }

    static Path testdata() {
        return NsfwjsModelsTest.testdata().toAbsolutePath().normalize();
    }

    static JsonNode reference() throws IOException {
        Path f = testdata().resolve("nsfwjs-reference.json");
        return OnnxReferenceTest.JSON.readTree(f.toFile());
    }

    static JsonNode entry(JsonNode ref, String dir) {
        for (JsonNode m : ref.get("models")) {
            if (m.get("dir").asText().endsWith("/" + dir)) {
                return m;
            }
        }
        throw new AssertionError("no model " + dir + " in nsfwjs-reference.json");
    }

    /** An 8-bit RGB PNG as pixels / 255, float32 NCHW [1, 3, h, w] (what nsfwjs's infer() feeds, transposed). */
    static float[] pngNchw(Path file) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        int h = img.getHeight();
        int w = img.getWidth();
        float[] x = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < w; xx++) {
                int rgb = img.getRGB(xx, y);
                x[y * w + xx] = ((rgb >> 16) & 0xFF) / 255f;
                x[(h + y) * w + xx] = ((rgb >> 8) & 0xFF) / 255f;
                x[(2 * h + y) * w + xx] = (rgb & 0xFF) / 255f;
            }
        }
        return x;
    }

    static OrtSession session(Path onnx) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(Math.min(4, Runtime.getRuntime().availableProcessors()));
        return ENV.createSession(onnx.toString(), o);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mobilenet_v2", "inception_v3"})
    void matchesNsfwjs(String dir, @TempDir Path tmp) throws Exception {
        Path nsfwjs = nsfwjsDir();
        JsonNode ref = reference();
        JsonNode e = entry(ref, dir);
        long t0 = System.nanoTime();
        KerasModel model = TfjsReader.read(nsfwjs.resolve("dist/models").resolve(dir));
        assertEquals(e.get("output_layer").asText(), model.output());
        int size = e.get("input_size").asInt();
        assertArrayEquals(new int[] {size, size, 3}, model.inputShape());

        // the whole network: 5 softmax probabilities
        Path full = tmp.resolve(dir + ".onnx");
        OnnxExport.write(model, full);
        String feature = e.get("feature_layer").asText();
        assertEquals(feature, model.defaultFeatureLayer());
        Path cut = tmp.resolve(dir + "-features.onnx");
        OnnxExport.write(model.cutAt(feature), cut);
        long t1 = System.nanoTime();

        List<JsonNode> results = new ArrayList<>();
        e.get("results").forEach(results::add);
        float[] batch = new float[results.size() * 3 * size * size];
        for (int i = 0; i < results.size(); i++) {
            float[] x = pngNchw(testdata().resolve(results.get(i).get("image").asText()));
            System.arraycopy(x, 0, batch, i * x.length, x.length);
        }
        double probDiff = 0;
        double featDiff = 0;
        double featRel = 0;
        try (OrtSession s = session(full)) {
            Nd probs = OnnxReferenceTest.ort(s, batch, results.size(), 3, size, size);
            assertArrayEquals(new int[] {results.size(), 5}, probs.shape());
            for (int i = 0; i < results.size(); i++) {
                JsonNode want = results.get(i).get("probabilities");
                for (int k = 0; k < 5; k++) {
                    probDiff = Math.max(probDiff, Math.abs(probs.v()[i * 5 + k] - want.get(k).asDouble()));
                }
            }
        }
        int featureLength = e.get("feature_length").asInt();
        try (OrtSession s = session(cut)) {
            Nd f = OnnxReferenceTest.ort(s, batch, results.size(), 3, size, size);
            assertEquals(featureLength, f.v().length / results.size());
            for (int i = 0; i < results.size(); i++) {
                JsonNode want = results.get(i).get("feature");
                JsonNode first = want.get("first16");
                for (int k = 0; k < first.size(); k++) {
                    double w = first.get(k).asDouble();
                    featDiff = Math.max(featDiff, Math.abs(f.v()[i * featureLength + k] - w) / Math.max(1, Math.abs(w)));
                }
                double sq = 0;
                for (int k = 0; k < featureLength; k++) {
                    double v = f.v()[i * featureLength + k];
                    sq += v * v;
                }
                double l2 = want.get("l2").asDouble();
                featRel = Math.max(featRel, Math.abs(Math.sqrt(sq) - l2) / l2);
            }
        }
        long t2 = System.nanoTime();
        System.out.printf("ONNX-NSFWJS %s: %d layers, onnx %d bytes (features %d bytes); probabilities max|diff| %.3g, "
                        + "feature first16 max|diff|/max(1,|v|) %.3g, feature L2 rel diff %.3g; read+export %.1f s, run %.1f s%n",
                dir, model.layers().size(), Files.size(full), Files.size(cut), probDiff, featDiff, featRel,
                (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        assertTrue(probDiff <= TOL, dir + ": probabilities differ from nsfwjs by " + probDiff);
        assertTrue(featDiff <= TOL, dir + ": features differ from nsfwjs by " + featDiff);
        assertTrue(featRel <= TOL, dir + ": feature norm differs from nsfwjs by " + featRel);
    }

    /**
     * The intermediate layers nsfwjs recorded for the first image (first 8 values, L2 norm): each cut of the model,
     * exported alone, lands there too. A failure here says where a difference starts.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mobilenet_v2", "inception_v3"})
    void probesMatchNsfwjs(String dir, @TempDir Path tmp) throws Exception {
        Path nsfwjs = nsfwjsDir();
        JsonNode e = entry(reference(), dir);
        assertTrue(e.has("probes") && e.get("probes").size() > 0, "no probes recorded for " + dir);
        KerasModel model = TfjsReader.read(nsfwjs.resolve("dist/models").resolve(dir));
        int size = e.get("input_size").asInt();
        for (JsonNode p : e.get("probes")) {
            String layer = p.get("layer").asText();
            Path f = tmp.resolve(layer + ".onnx");
            KerasModel cut = model.cutAt(layer);
            OnnxExport.write(cut, f);
            float[] x = pngNchw(testdata().resolve(p.get("image").asText()));
            Nd y;
            try (OrtSession s = session(f)) {
                y = OnnxReferenceTest.ort(s, x, 1, 3, size, size);
            }
            int[] shape = new int[p.get("shape").size() + 1];
            shape[0] = 1;
            for (int k = 1; k < shape.length; k++) {
                shape[k] = p.get("shape").get(k - 1).asInt();
            }
            assertArrayEquals(shape, y.shape(), layer + " shape (NHWC, as Keras)");
            double d = 0;
            for (int k = 0; k < p.get("first8").size(); k++) {
                double w = p.get("first8").get(k).asDouble();
                d = Math.max(d, Math.abs(y.v()[k] - w) / Math.max(1, Math.abs(w)));
            }
            double sq = 0;
            for (float v : y.v()) {
                sq += (double) v * v;
            }
            double rel = Math.abs(Math.sqrt(sq) - p.get("l2").asDouble()) / p.get("l2").asDouble();
            System.out.printf("ONNX-NSFWJS %s probe %s (%s): first8 max|diff|/max(1,|v|) %.3g, L2 rel diff %.3g%n", dir,
                    layer, p.get("class_name").asText(), d, rel);
            assertTrue(d <= TOL && rel <= TOL, dir + " probe " + layer + ": first8 diff " + d + ", L2 rel diff " + rel);
        }
    }

    /**
     * MobileNetV2 against the plain Java reference of the Keras layers (independent of nsfwjs's JavaScript and
     * of the reference file): the first image, the whole network and the feature layer.
     */
    @Test
    void mobilenetV2MatchesTheJavaReference(@TempDir Path tmp) throws Exception {
        Path nsfwjs = nsfwjsDir();
        KerasModel model = TfjsReader.read(nsfwjs.resolve("dist/models/mobilenet_v2"));
        Path png = testdata().resolve("emoji-1f34e-224.png");
        float[] nchw = pngNchw(png);
        float[] nhwc = new float[nchw.length];
        int hw = 224 * 224;
        for (int i = 0; i < hw; i++) {
            for (int c = 0; c < 3; c++) {
                nhwc[i * 3 + c] = nchw[c * hw + i];
            }
        }
        var all = OnnxReferenceTest.runAll(model, new Nd(new int[] {1, 224, 224, 3}, nhwc));
        for (String layer : List.of(model.output(), model.defaultFeatureLayer())) {
            Path f = tmp.resolve(layer + ".onnx");
            OnnxExport.write(model.cutAt(layer), f);
            Nd got;
            try (OrtSession s = session(f)) {
                got = OnnxReferenceTest.ort(s, nchw, 1, 3, 224, 224);
            }
            Nd want = all.get(layer);
            assertArrayEquals(want.shape(), got.shape());
            double d = OnnxReferenceTest.maxAbsDiff(want.v(), got.v());
            System.out.printf("ONNX-NSFWJS mobilenet_v2 vs Java reference at %s: max|diff| %.3g%n", layer, d);
            assertTrue(d <= TOL, layer + ": " + d);
        }
    }
}
