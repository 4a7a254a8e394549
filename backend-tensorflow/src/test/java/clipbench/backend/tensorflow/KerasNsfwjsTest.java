package clipbench.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.clip.image.ImageDecoder;
import clipbench.api.image.RgbImage;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ImageBatch;
import clipbench.keras.KerasModel;
import clipbench.keras.KerasModels;
import clipbench.keras.ModelCardWriter;
import clipbench.keras.TfjsImporter;
import clipbench.keras.contract.NpmTestData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * nsfwjs's real Keras models (npm {@code nsfwjs@4.4.0}, TF.js layers with quantised weights) imported into a
 * keras model directory and opened by the provider: the five class probabilities and the default feature layer
 * against {@code testdata/keras/nsfwjs-reference.json}, what nsfwjs's own JavaScript computed on the same PNGs
 * (pixels / 255, no resizing).
 *
 * <p>nsfwjs and the reference are found by {@link NpmTestData}. The layers themselves: {@link KerasGraphNsfwjsContractTest}.
 */
class KerasNsfwjsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Largest difference allowed from nsfwjs's probabilities. */
    static final double PROBABILITY_TOLERANCE = 1e-4;
    /** Largest difference from nsfwjs: first feature values relative to the largest of them; L2 norms, relative. */
    static final double FEATURE_TOLERANCE = 1e-4;

    static JsonNode reference() throws IOException {
        return JSON.readTree(NpmTestData.nsfwjsReference().toFile());
    }

    @ParameterizedTest
    @ValueSource(strings = {"MobileNetV2", "InceptionV3"})
    void probabilitiesAndFeaturesMatchNsfwjs(String name, @TempDir Path tmp) throws IOException {
        Path nsfwjs = NpmTestData.nsfwjs();
        JsonNode ref = reference();
        String version = JSON.readTree(nsfwjs.resolve("package.json").toFile()).path("version")
                .asText();
        assertEquals(ref.path("nsfwjs_version").asText(), version, nsfwjs + ": another nsfwjs version than the"
                + " reference's; run tools/install-test-data.sh");
        JsonNode model = null;
        for (JsonNode m : ref.path("models")) {
            if (m.path("name").asText().equals(name)) {
                model = m;
            }
        }
        assertTrue(model != null, NpmTestData.nsfwjsReference() + " has no model " + name);
        int size = model.path("input_size").asInt();
        List<JsonNode> results = new ArrayList<>();
        model.path("results").forEach(results::add);
        ImageBatch batch = images(ref, results, size);

        long t0 = System.nanoTime();
        Path dir = tmp.resolve(name);
        TfjsImporter.importModel(nsfwjs.resolve(model.path("dir").asText()), dir, null);
        long imported = System.nanoTime();
        ModelCard featureCard = ModelCards.load(dir);
        assertEquals(model.path("feature_layer").asText(), ModelCardWriter.read(dir).path("feature_layer").asText(),
                "default feature layer");
        TfBackboneProvider provider = new TfBackboneProvider();

        // the default feature layer (MobileNetV2: 1280 values; InceptionV3: 2048)
        float[][] features;
        double perImageMs;
        double perBatchImageMs;
        long opened;
        try (Backbone b = provider.open(featureCard, BackendOptions.defaults())) {
            opened = System.nanoTime();
            assertTrue(b instanceof KerasBackbone, b.getClass().getName());
            assertEquals(model.path("feature_length").asInt(), b.embeddingDim(), "feature length");
            features = b.embedImages(batch);
            perImageMs = timePerImage(b, single(batch, 0), 3);
            perBatchImageMs = timePerImage(b, batch, 2);
        }
        double firstError = 0;
        double l2Error = 0;
        for (int i = 0; i < results.size(); i++) {
            JsonNode f = results.get(i).path("feature");
            double scale = 1;
            for (JsonNode v : f.path("first16")) {
                scale = Math.max(scale, Math.abs(v.asDouble()));
            }
            for (int j = 0; j < f.path("first16").size(); j++) {
                firstError = Math.max(firstError,
                        Math.abs(features[i][j] - f.path("first16").get(j).asDouble()) / scale);
            }
            double l2 = 0;
            for (float v : features[i]) {
                l2 += (double) v * v;
            }
            l2Error = Math.max(l2Error, Math.abs(Math.sqrt(l2) - f.path("l2").asDouble()) / f.path("l2").asDouble());
        }

        // the five class probabilities: the same directory with the card cut at the model's output layer
        ObjectNode card = ModelCardWriter.read(dir);
        card.put("feature_layer", model.path("output_layer").asText());
        card.put("embed_dim", 5);
        ModelCardWriter.write(dir, card);
        double probabilityError = 0;
        try (Backbone b = provider.open(ModelCards.load(dir), BackendOptions.defaults())) {
            assertEquals(5, b.embeddingDim());
            float[][] probabilities = b.embedImages(batch);
            for (int i = 0; i < results.size(); i++) {
                JsonNode want = results.get(i).path("probabilities");
                assertEquals(5, want.size());
                for (int j = 0; j < 5; j++) {
                    probabilityError = Math.max(probabilityError,
                            Math.abs(probabilities[i][j] - want.get(j).asDouble()));
                }
                System.out.printf("[keras] %s %s: probabilities %s (nsfwjs %s)%n", name,
                        results.get(i).path("image").asText(), java.util.Arrays.toString(probabilities[i]), want);
            }
        }
        // intermediate layers nsfwjs recorded for the first image (flattened NHWC, as the backbone returns them)
        ModelCard c = ModelCards.load(dir);
        ModelCard anyLength = new ModelCard(dir, c.name(), c.family(), c.preprocess(), 0, 0, c.logitScale(), null,
                c.artifacts());
        KerasModel full = KerasModels.loadFull(c);
        double probeError = 0;
        for (JsonNode probe : model.path("probes")) {
            assertEquals(results.get(0).path("image").asText(), probe.path("image").asText());
            try (KerasBackbone b = KerasBackbone.open(anyLength, full.cutAt(probe.path("layer").asText()),
                    BackendOptions.defaults())) {
                float[] row = b.embedImages(single(batch, 0))[0];
                double error = relativeError(row, probe);
                System.out.printf("[keras] %s probe %s %s: first 8 / L2 rel. error %.2e%n", name,
                        probe.path("layer").asText(), probe.path("shape"), error);
                probeError = Math.max(probeError, error);
            }
        }
        System.out.printf("[keras] %s: max |diff| probabilities %.2e; feature '%s' (%d values) first 16 rel. %.2e,"
                        + " L2 rel. %.2e; import %.1f s, open %.1f s; %.0f ms per image alone, %.0f ms per image in a"
                        + " batch of %d (%s threads)%n", name, probabilityError, model.path("feature_layer").asText(),
                features[0].length, firstError, l2Error, (imported - t0) / 1e9, (opened - imported) / 1e9, perImageMs,
                perBatchImageMs, batch.count(), Runtime.getRuntime().availableProcessors());
        assertTrue(probabilityError <= PROBABILITY_TOLERANCE, name + ": probabilities differ from nsfwjs by "
                + probabilityError);
        assertTrue(firstError <= FEATURE_TOLERANCE, name + ": first feature values differ from nsfwjs by "
                + firstError + " (relative to the largest)");
        assertTrue(l2Error <= FEATURE_TOLERANCE, name + ": feature L2 norms differ from nsfwjs by " + l2Error
                + " (relative)");
        assertTrue(probeError <= FEATURE_TOLERANCE, name + ": intermediate layers differ from nsfwjs by " + probeError
                + " (relative)");
    }

    /** The larger of the first-8 error (relative to their largest magnitude, at least 1) and the relative L2 error. */
    private static double relativeError(float[] row, JsonNode probe) {
        JsonNode first = probe.path("first8");
        double scale = 1;
        for (JsonNode v : first) {
            scale = Math.max(scale, Math.abs(v.asDouble()));
        }
        double error = 0;
        for (int j = 0; j < first.size(); j++) {
            error = Math.max(error, Math.abs(row[j] - first.get(j).asDouble()) / scale);
        }
        double l2 = 0;
        for (float v : row) {
            l2 += (double) v * v;
        }
        return Math.max(error, Math.abs(Math.sqrt(l2) - probe.path("l2").asDouble()) / probe.path("l2").asDouble());
    }

    /** The reference's images as one NCHW batch of pixels / 255, each checked against its recorded SHA-256. */
    static ImageBatch images(JsonNode ref, List<JsonNode> results, int size) throws IOException {
        float[] data = new float[results.size() * 3 * size * size];
        int plane = size * size;
        for (int i = 0; i < results.size(); i++) {
            String file = results.get(i).path("image").asText();
            Path path = NpmTestData.nsfwjsReference().resolveSibling(file);
            for (JsonNode img : ref.path("images")) {
                if (img.path("file").asText().equals(file)) {
                    assertEquals(img.path("sha256").asText(), sha256(path), path + ": not the reference's image");
                }
            }
            RgbImage image = ImageDecoder.read(path);
            assertEquals(size, image.width(), path + " width");
            assertEquals(size, image.height(), path + " height");
            byte[] px = image.pixels();
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < 3; c++) {
                    data[(i * 3 + c) * plane + p] = (px[p * 3 + c] & 0xff) / 255f;
                }
            }
        }
        return new ImageBatch(results.size(), size, data);
    }

    private static ImageBatch single(ImageBatch batch, int i) {
        int n = batch.imageFloats();
        return new ImageBatch(1, batch.size(), java.util.Arrays.copyOfRange(batch.data(), i * n, (i + 1) * n));
    }

    /** Milliseconds per image, best of {@code runs} calls after one warm-up call. */
    private static double timePerImage(Backbone b, ImageBatch batch, int runs) {
        b.embedImages(batch);
        long best = Long.MAX_VALUE;
        for (int r = 0; r < runs; r++) {
            long t = System.nanoTime();
            b.embedImages(batch);
            best = Math.min(best, System.nanoTime() - t);
        }
        return best / 1e6 / batch.count();
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
