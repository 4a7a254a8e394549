package clipbench.keras.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.keras.KerasModel;
import clipbench.keras.TfjsReader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real nsfwjs 4.4.0 models (Keras 2.2 MobileNetV2 and InceptionV3 saved by TF.js, uint8-quantised weights),
 * read by {@link TfjsReader} and run by one runtime, against nsfwjs's own JavaScript outputs
 * ({@link NpmTestData#nsfwjsReference()}) on the reference PNGs (pixels / 255, no resizing): the 5 probabilities,
 * the default feature layer (first 16 values, L2 norm, sum) and the intermediate layers nsfwjs recorded for the
 * first image (shape, first 8 values, L2 norm, sum). Feature values compare as |got - want| / max(1, |want|),
 * norms and sums relatively.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class NsfwjsContractTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How this runtime runs a model. */
    protected abstract KerasRunner runner();

    protected double probabilityTolerance() {
        return 1e-4;
    }

    protected double featureTolerance() {
        return 1e-4;
    }

    @ParameterizedTest
    @ValueSource(strings = {"mobilenet_v2", "inception_v3"})
    void probabilitiesFeaturesAndProbesMatchNsfwjs(String folder) throws Exception {
        JsonNode ref = JSON.readTree(NpmTestData.nsfwjsReference().toFile());
        String version = JSON.readTree(NpmTestData.nsfwjs().resolve("package.json").toFile()).path("version").asText();
        assertEquals(ref.path("nsfwjs_version").asText(), version, "another nsfwjs version than the reference's");
        JsonNode entry = entry(ref, folder);
        KerasModel model = TfjsReader.read(NpmTestData.nsfwjsModel(folder));
        assertEquals(entry.path("output_layer").asText(), model.output());
        String feature = model.defaultFeatureLayer();
        assertEquals(entry.path("feature_layer").asText(), feature);
        int size = entry.path("input_size").asInt();
        assertArrayEquals(new int[] {size, size, 3}, model.inputShape());

        List<JsonNode> results = new ArrayList<>();
        entry.path("results").forEach(results::add);
        Nd batch = images(ref, results, size);
        List<String> layers = new ArrayList<>(List.of(model.output(), feature));
        entry.path("probes").forEach(p -> layers.add(p.path("layer").asText()));
        long t0 = System.nanoTime();
        List<Nd> out = runner().run(model, batch, layers);
        long t1 = System.nanoTime();

        Nd probabilities = out.get(0);
        Nd features = out.get(1);
        double probError = 0;
        double firstError = 0;
        double normError = 0;
        for (int n = 0; n < results.size(); n++) {
            JsonNode want = results.get(n).path("probabilities");
            float[] p = probabilities.item(n);
            assertEquals(5, p.length);
            for (int k = 0; k < 5; k++) {
                probError = Math.max(probError, Math.abs(p[k] - want.get(k).asDouble()));
            }
            float[] f = features.item(n);
            assertEquals(entry.path("feature_length").asInt(), f.length, "feature length");
            JsonNode stats = results.get(n).path("feature");
            firstError = Math.max(firstError, firstValues(f, stats.path("first16")));
            normError = Math.max(normError, normAndSum(f, stats));
        }
        double probeError = 0;
        for (int i = 0; i < entry.path("probes").size(); i++) {
            JsonNode probe = entry.path("probes").get(i);
            assertEquals(results.get(0).path("image").asText(), probe.path("image").asText());
            Nd got = out.get(2 + i);
            int[] shape = JSON.convertValue(probe.path("shape"), int[].class);
            if (got.shape().length > 2) {
                assertArrayEquals(shape, java.util.Arrays.copyOfRange(got.shape(), 1, got.shape().length),
                        probe.path("layer").asText() + " shape (NHWC, as Keras)");
            }
            float[] v = got.item(0);
            double e = Math.max(firstValues(v, probe.path("first8")), normAndSum(v, probe));
            System.out.printf("nsfwjs %s probe %s (%s): max error %.3g%n", folder, probe.path("layer").asText(),
                    probe.path("class_name").asText(), e);
            probeError = Math.max(probeError, e);
        }
        System.out.printf("nsfwjs %s on %s: probabilities max abs diff %.3g, feature first16 %.3g, L2 / sum %.3g, "
                + "probes %.3g (%d images, %.1f s)%n", folder, getClass().getSimpleName(), probError, firstError,
                normError, probeError, results.size(), (t1 - t0) / 1e9);
        assertTrue(probError <= probabilityTolerance(), folder + ": probabilities differ from nsfwjs by " + probError);
        assertTrue(firstError <= featureTolerance(), folder + ": features differ from nsfwjs by " + firstError);
        assertTrue(normError <= featureTolerance(), folder + ": feature L2 norm or sum differs by " + normError);
        assertTrue(probeError <= featureTolerance(), folder + ": intermediate layers differ by " + probeError);
    }

    /** MobileNetV2 against {@link KerasReference} directly (first image): the whole network and the feature layer. */
    @org.junit.jupiter.api.Test
    void mobilenetV2MatchesTheJavaReference() throws Exception {
        JsonNode ref = JSON.readTree(NpmTestData.nsfwjsReference().toFile());
        KerasModel model = TfjsReader.read(NpmTestData.nsfwjsModel("mobilenet_v2"));
        List<JsonNode> first = List.of(entry(ref, "mobilenet_v2").path("results").get(0));
        Nd image = images(ref, first, model.inputShape()[0]);
        List<String> layers = List.of(model.output(), model.defaultFeatureLayer());
        List<Nd> want = KerasReference.RUNNER.run(model, image, layers);
        List<Nd> got = runner().run(model, image, layers);
        for (int k = 0; k < layers.size(); k++) {
            double d = Nd.maxAbsDiff(want.get(k).v(), got.get(k).v());
            System.out.printf("nsfwjs mobilenet_v2 on %s vs the Java reference at %s: max abs diff %.3g%n",
                    getClass().getSimpleName(), layers.get(k), d);
            assertTrue(d <= featureTolerance(), layers.get(k) + ": " + d);
        }
    }

    private static JsonNode entry(JsonNode ref, String folder) {
        for (JsonNode m : ref.path("models")) {
            if (m.path("dir").asText().endsWith("/" + folder)) {
                return m;
            }
        }
        throw new AssertionError("nsfwjs-reference.json has no model " + folder);
    }

    private static double firstValues(float[] got, JsonNode want) {
        double worst = 0;
        for (int k = 0; k < want.size(); k++) {
            double w = want.get(k).asDouble();
            worst = Math.max(worst, Math.abs(got[k] - w) / Math.max(1, Math.abs(w)));
        }
        return worst;
    }

    private static double normAndSum(float[] got, JsonNode stats) {
        double sq = 0;
        double sum = 0;
        for (float v : got) {
            sq += (double) v * v;
            sum += v;
        }
        double l2 = stats.path("l2").asDouble();
        double wantSum = stats.path("sum").asDouble();
        return Math.max(Math.abs(Math.sqrt(sq) - l2) / l2, Math.abs(sum - wantSum) / Math.max(1e-12, Math.abs(wantSum)));
    }

    /** The reference PNGs (checked against the reference's hashes) as one NHWC batch of pixels / 255. */
    static Nd images(JsonNode ref, List<JsonNode> results, int size) throws IOException {
        Path folder = NpmTestData.nsfwjsReference().getParent();
        float[] v = new float[results.size() * size * size * 3];
        for (int n = 0; n < results.size(); n++) {
            String file = results.get(n).path("image").asText();
            Path png = folder.resolve(file);
            for (JsonNode img : ref.path("images")) {
                if (img.path("file").asText().equals(file)) {
                    assertEquals(img.path("sha256").asText(), sha256(png), png + ": not the reference's image");
                }
            }
            BufferedImage img = ImageIO.read(png.toFile());
            assertEquals(size, img.getWidth(), png.toString());
            assertEquals(size, img.getHeight(), png.toString());
            int i = n * size * size * 3;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int rgb = img.getRGB(x, y);
                    v[i++] = ((rgb >> 16) & 0xff) / 255f;
                    v[i++] = ((rgb >> 8) & 0xff) / 255f;
                    v[i++] = (rgb & 0xff) / 255f;
                }
            }
        }
        return new Nd(new int[] {results.size(), size, size, 3}, v);
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
