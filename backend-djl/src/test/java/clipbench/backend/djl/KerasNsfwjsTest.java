package clipbench.backend.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import clipbench.api.contract.ContractFixtures;
import clipbench.clip.image.ImageDecoder;
import clipbench.api.image.RgbImage;
import clipbench.api.model.ModelCard;
import clipbench.api.model.PreprocessSpec;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.ImageBatch;
import clipbench.keras.KerasModel;
import clipbench.keras.contract.NpmTestData;
import clipbench.keras.KerasModels;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real nsfwjs 4.4.0 models (Keras 2.2 MobileNetV2 and InceptionV3, saved by TF.js with quantised weights) opened
 * through the DJL backend ({@link KerasBackbone}, the provider) against nsfwjs's own JavaScript outputs
 * ({@link NpmTestData#nsfwjsReference()}): the 5 class probabilities within 1e-4 and the default feature layer
 * (1280 / 2048 values) on its first values and L2 norm; also the artifact files and timings. The layers themselves,
 * intermediate outputs included, are checked by {@link KerasNetNsfwjsContractTest}.
 */
class KerasNsfwjsTest {
    private static final double PROBABILITY_TOLERANCE = 1e-4;
    /** Feature values: absolute below 1, relative above. */
    private static final double FEATURE_TOLERANCE = 1e-4;

    private static JsonNode model(JsonNode reference, String name) {
        for (JsonNode m : reference.path("models")) {
            if (m.path("name").asText().equals(name)) {
                return m;
            }
        }
        return fail("nsfwjs-reference.json has no model " + name);
    }

    /** A keras card for an nsfwjs model folder as npm installs it (model.min.js + shards; no feature_layer). */
    private static ModelCard card(Path dir, int size) {
        return new ModelCard(dir, "nsfwjs-" + dir.getFileName(), "keras", new PreprocessSpec("scale01", size,
                new float[3], new float[] {1, 1, 1}), 0, 0, 1, null, Map.of("keras", Map.of("topology",
                "model.min.js")));
    }

    /** The reference's images for a model, as one NCHW batch of pixels / 255. */
    private static ImageBatch images(Path folder, JsonNode entry, List<String> names) throws IOException {
        int size = entry.path("input_size").asInt();
        List<float[]> planes = new ArrayList<>();
        for (JsonNode r : entry.path("results")) {
            String file = r.path("image").asText();
            RgbImage img = ImageDecoder.read(folder.resolve(file));
            assertEquals(size, img.width(), file);
            assertEquals(size, img.height(), file);
            float[] chw = new float[3 * size * size];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        chw[(c * size + y) * size + x] = img.channel(x, y, c) / 255f;
                    }
                }
            }
            planes.add(chw);
            names.add(file);
        }
        float[] data = new float[planes.size() * 3 * size * size];
        for (int i = 0; i < planes.size(); i++) {
            System.arraycopy(planes.get(i), 0, data, i * planes.get(i).length, planes.get(i).length);
        }
        return new ImageBatch(planes.size(), size, data);
    }

    private static double sum(float[] values) {
        double s = 0;
        for (float v : values) {
            s += v;
        }
        return s;
    }

    private static double relative(double got, double want) {
        return Math.abs(got - want) / Math.max(1e-12, Math.abs(want));
    }

    @Test
    void mobileNetV2() throws IOException {
        check("MobileNetV2", "mobilenet_v2", 1280);
    }

    @Test
    void inceptionV3() throws IOException {
        check("InceptionV3", "inception_v3", 2048);
    }

    private void check(String name, String folder, int featureLength) throws IOException {
        Path dir = NpmTestData.nsfwjsModel(folder);
        Path referenceFile = NpmTestData.nsfwjsReference();
        JsonNode entry = model(ContractFixtures.readJson(referenceFile), name);
        int size = entry.path("input_size").asInt();
        ModelCard card = card(dir, size);
        DjlBackboneProvider provider = new DjlBackboneProvider();
        List<Path> hashed = provider.artifactFiles(card); // the topology, then every weight shard
        assertEquals(dir.resolve("model.min.js"), hashed.get(0));
        assertEquals(folder.equals("mobilenet_v2") ? 1 : 6, hashed.size() - 1, hashed.toString());
        for (Path shard : hashed.subList(1, hashed.size())) {
            assertTrue(shard.getFileName().toString().startsWith("group1-shard") && Files.isRegularFile(shard), shard
                    + " should be one of the model's weight shards");
        }

        long t0 = System.nanoTime();
        KerasModel full = KerasModels.loadFull(card);
        String featureLayer = KerasModels.featureLayer(card, full);
        assertEquals(entry.path("feature_layer").asText(), featureLayer);
        assertEquals(entry.path("output_layer").asText(), full.output());
        long t1 = System.nanoTime();
        List<String> files = new ArrayList<>();
        ImageBatch batch = images(referenceFile.getParent(), entry, files);
        BackendOptions options = BackendOptions.defaults();
        try (KerasBackbone classifier = KerasBackbone.open(card, full, options);
             KerasBackbone features = KerasBackbone.open(card, full.cutAt(featureLayer), options)) {
            long t2 = System.nanoTime();
            assertEquals(5, classifier.embeddingDim());
            assertEquals(featureLength, features.embeddingDim());
            assertEquals(entry.path("feature_length").asInt(), features.embeddingDim());

            long s = System.nanoTime();
            float[][] probabilities = classifier.embedImages(batch);
            double batched = (System.nanoTime() - s) / 1e6 / batch.count();
            float[][] feats = features.embedImages(batch);
            double worstP = 0;
            double worstF = 0;
            double worstNorm = 0;
            for (int n = 0; n < files.size(); n++) {
                JsonNode r = entry.path("results").get(n);
                assertEquals(files.get(n), r.path("image").asText());
                JsonNode want = r.path("probabilities");
                assertEquals(5, want.size());
                for (int k = 0; k < 5; k++) {
                    worstP = Math.max(worstP, Math.abs(probabilities[n][k] - want.get(k).asDouble()));
                }
                JsonNode first = r.path("feature").path("first16");
                for (int k = 0; k < first.size(); k++) {
                    double w = first.get(k).asDouble();
                    worstF = Math.max(worstF, Math.abs(feats[n][k] - w) / Math.max(1, Math.abs(w)));
                }
                double sq = 0;
                for (float v : feats[n]) {
                    sq += (double) v * v;
                }
                double l2 = r.path("feature").path("l2").asDouble();
                worstNorm = Math.max(worstNorm, Math.abs(Math.sqrt(sq) - l2) / l2);
                worstNorm = Math.max(worstNorm, relative(sum(feats[n]), r.path("feature").path("sum").asDouble()));
            }
            System.out.printf("nsfwjs %s (DJL/libtorch): max |p - nsfwjs| %.3g, feature first16 max rel/abs error"
                    + " %.3g, L2 / sum relative error %.3g%n", name, worstP, worstF, worstNorm);
            assertTrue(worstP <= PROBABILITY_TOLERANCE, name + ": probabilities differ from nsfwjs by " + worstP);
            assertTrue(worstF <= FEATURE_TOLERANCE, name + ": features differ from nsfwjs by " + worstF);
            assertTrue(worstNorm <= FEATURE_TOLERANCE, name + ": feature L2 norm or sum differs from nsfwjs by "
                    + worstNorm);

            // timing: one image (warm), after the first batch above (which includes libtorch's warm-up)
            s = System.nanoTime();
            classifier.embedImages(new ImageBatch(1, size, java.util.Arrays.copyOf(batch.data(), batch.imageFloats())));
            double single = (System.nanoTime() - s) / 1e6;
            System.out.printf("nsfwjs %s (DJL/libtorch, %d threads): load %.0f ms, build %.0f ms, %.1f ms/image at"
                    + " batch %d (first call), %.1f ms for one image%n", name, DjlRuntime.defaultThreads(),
                    (t1 - t0) / 1e6, (t2 - t1) / 1e6, batched, batch.count(), single);
        }
        if (name.equals("MobileNetV2")) {
            // the same through the provider: the card's default feature layer
            try (Backbone backbone = provider.open(card, BackendOptions.defaults())) {
                assertEquals(featureLength, backbone.embeddingDim());
                float[] f = backbone.embedImages(batch)[0];
                JsonNode first = entry.path("results").get(0).path("feature").path("first16");
                for (int k = 0; k < first.size(); k++) {
                    assertEquals(first.get(k).asDouble(), f[k], FEATURE_TOLERANCE * Math.max(1,
                            Math.abs(first.get(k).asDouble())));
                }
            }
        }
    }
}
