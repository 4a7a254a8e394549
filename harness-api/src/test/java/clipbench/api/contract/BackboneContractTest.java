package clipbench.api.contract;

import static clipbench.api.contract.ContractFixtures.floats2d;
import static clipbench.api.contract.ContractFixtures.ints2d;
import static clipbench.api.contract.ContractFixtures.maxAbsDiff;
import static clipbench.api.contract.ContractFixtures.sineImages;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.Device;
import clipbench.api.spi.ImageBatch;
import clipbench.api.spi.Plugins;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every backend must do with a fixture model directory ({@code testdata/models/*}): a backend's test
 * extends this class and names its provider and the directory. The directory's {@code expected.json}
 * holds the PyTorch outputs for the images of {@link ContractFixtures#sineImages} and for the golden
 * tokenizer rows. Uses only harness-api and Jackson.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackboneContractTest {
    /** Largest difference allowed from the PyTorch outputs in expected.json. */
    protected static final double EXPECTED_TOLERANCE = 1e-4;
    /** Largest difference allowed for the same input in another batch or with another thread count. */
    protected static final double INVARIANCE_TOLERANCE = 1e-6;
    /**
     * Image invariance bound for runtimes that pick their convolution kernel by batch size and thread count
     * (oneDNN in libtorch and TensorFlow): the kernels sum in different orders. Measured on the tiny ResNet
     * fixture (embeddings of order 0.1 to 1): libtorch 5.7e-6, TensorFlow up to 6.7e-6; about 3x that.
     */
    protected static final double CONVOLUTION_KERNEL_TOLERANCE = 2e-5;

    private ModelCard card;
    private JsonNode expected;
    private Backbone backbone;

    protected abstract BackboneProvider provider();

    /** The fixture model directory. */
    protected abstract Path modelDir();

    protected Path expectedJson() {
        return modelDir().resolve("expected.json");
    }

    /** CPU with this many intra-op threads (0: the runtime's default). */
    /**
     * Bound for image embeddings across batch sizes and thread counts. A backend whose runtime picks its
     * convolution kernel by batch size or thread count may raise it, saying why and what it measured; text
     * embeddings always keep {@link #INVARIANCE_TOLERANCE}.
     */
    protected double imageInvarianceTolerance() {
        return INVARIANCE_TOLERANCE;
    }

    protected BackendOptions options(int threads) {
        return new BackendOptions(threads, Device.CPU);
    }

    @BeforeAll
    void openModel() throws IOException {
        card = ModelCards.load(modelDir());
        expected = ContractFixtures.readJson(expectedJson());
        backbone = provider().open(card, options(0));
    }

    @AfterAll
    void closeModel() {
        if (backbone != null) {
            backbone.close();
        }
    }

    private int size() {
        return card.preprocess().imageSize();
    }

    private boolean hasText() {
        return backbone.capabilities().contains(Capability.TEXT_TOWER);
    }

    private void report(String what, double error) {
        System.out.printf("[contract] %s %s: %s max |diff| = %.3e%n", provider().id(), card.name(), what, error);
    }

    @Test
    void providerIsRegisteredAndNamesItsRuntime() {
        BackboneProvider provider = provider();
        assertEquals(provider.getClass(), Plugins.backend(provider.id()).getClass(),
                "META-INF/services must register " + provider.getClass().getName());
        assertFalse(provider.description().isBlank());
        assertFalse(provider.artifactFormat().isBlank());
        String version = provider.runtimeVersion();
        assertFalse(version.isBlank());
        System.out.printf("[contract] %s runtime: %s%n", provider.id(), version);
    }

    @Test
    void backboneDescribesTheCard() {
        assertEquals(card, backbone.card());
        assertEquals(card.embedDim(), backbone.embeddingDim());
        assertEquals(card.preprocess(), backbone.preprocess());
        assertFalse(backbone.capabilities().contains(Capability.GPU), "CPU options must not run on a GPU");
    }

    @Test
    void embeddingsHaveTheCardsShape() {
        float[][] images = backbone.embedImages(sineImages(0, 3, size()));
        assertEquals(3, images.length);
        for (float[] row : images) {
            assertEquals(card.embedDim(), row.length);
        }
        if (hasText()) {
            float[][] texts = backbone.embedTokens(ContractFixtures.goldenTokens());
            assertEquals(3, texts.length);
            for (float[] row : texts) {
                assertEquals(card.embedDim(), row.length);
            }
        }
    }

    @Test
    void imageEmbeddingsMatchExpected() {
        JsonNode input = expected.path("image_input");
        String formula = ContractFixtures.sineFormula(size());
        assertTrue(input.path("formula").asText().contains(formula), () -> expectedJson()
                + ": image_input.formula no longer contains " + formula + ": " + input.path("formula"));
        float[][] want = floats2d(expected.path("image_embeddings"));
        assertEquals(want.length, input.path("shape").path(0).asInt(), "image_input.shape[0]");
        double error = maxAbsDiff(backbone.embedImages(sineImages(0, want.length, size())), want);
        report("image vs expected.json", error);
        assertTrue(error <= EXPECTED_TOLERANCE, "image embeddings differ from " + expectedJson() + " by " + error);
    }

    @Test
    void textEmbeddingsMatchExpected() {
        assumeTrue(expected.has("text_embeddings"), "expected.json has no text embeddings");
        assertTrue(hasText(), card.name() + ": expected.json has text embeddings but the backbone has no text tower");
        int[][] tokens = ContractFixtures.goldenTokens();
        JsonNode used = expected.path("text_input").path("tokens");
        if (!used.isMissingNode()) {
            assertArrayEquals(tokens, ints2d(used), "expected.json used other token ids than the golden file");
        }
        float[][] want = floats2d(expected.path("text_embeddings"));
        double error = maxAbsDiff(backbone.embedTokens(tokens), want);
        report("text vs expected.json", error);
        assertTrue(error <= EXPECTED_TOLERANCE, "text embeddings differ from " + expectedJson() + " by " + error);
    }

    @Test
    void batchSizeDoesNotChangeImageEmbeddings() {
        float[][] batch = backbone.embedImages(sineImages(0, 16, size()));
        assertEquals(0.0, maxAbsDiff(batch, backbone.embedImages(sineImages(0, 16, size()))),
                "the same batch twice must give the same numbers");
        double worst = 0;
        for (int i : new int[] {0, 7, 15}) {
            float[][] alone = backbone.embedImages(sineImages(i, 1, size()));
            worst = Math.max(worst, maxAbsDiff(alone, new float[][] {batch[i]}));
        }
        report("image alone vs in a batch of 16", worst);
        assertTrue(worst <= imageInvarianceTolerance(),
                "an image embedded alone and in a batch of 16 differs by " + worst);
    }

    @Test
    void batchSizeDoesNotChangeTextEmbeddings() {
        assumeTrue(hasText(), "no text tower");
        int[][] tokens = ContractFixtures.goldenTokens();
        float[][] batch = backbone.embedTokens(tokens);
        double worst = 0;
        for (int i = 0; i < tokens.length; i++) {
            float[][] alone = backbone.embedTokens(new int[][] {tokens[i]});
            worst = Math.max(worst, maxAbsDiff(alone, new float[][] {batch[i]}));
        }
        report("text alone vs in a batch of " + tokens.length, worst);
        assertTrue(worst <= INVARIANCE_TOLERANCE, "a token row embedded alone and in a batch differs by " + worst);
    }

    @Test
    void threadCountDoesNotChangeEmbeddings() throws IOException {
        ImageBatch images = sineImages(0, 4, size());
        int[][] tokens = ContractFixtures.goldenTokens();
        try (Backbone one = provider().open(card, options(1)); Backbone two = provider().open(card, options(2))) {
            double imageError = maxAbsDiff(one.embedImages(images), two.embedImages(images));
            double textError = hasText() ? maxAbsDiff(one.embedTokens(tokens), two.embedTokens(tokens)) : 0;
            report("image 1 vs 2 threads", imageError);
            report("text 1 vs 2 threads", textError);
            assertTrue(imageError <= imageInvarianceTolerance(), "images with 1 and 2 threads differ by " + imageError);
            assertTrue(textError <= INVARIANCE_TOLERANCE, "texts with 1 and 2 threads differ by " + textError);
        }
    }

    /** Protected: a folder read by layout (no card, no roles in the provider's format) names its own file instead. */
    @Test
    protected void missingArtifactIsNamed(@TempDir Path empty) throws IOException {
        ModelCard moved = new ModelCard(empty, card.name(), card.family(), card.preprocess(), card.contextLength(),
                card.embedDim(), card.logitScale(), card.vocabFile(), card.artifacts());
        Path missing = moved.requireArtifact(provider().artifactFormat(), "image");
        IOException e = assertThrows(IOException.class, () -> provider().open(moved, options(0)).close());
        assertTrue(String.valueOf(e.getMessage()).contains(missing.getFileName().toString()),
                "the error should name " + missing + ": " + e.getMessage());
    }

    /** Protected for the same reason as {@link #missingArtifactIsNamed}. */
    @Test
    protected void cardWithoutTextRefusesTokens() throws IOException {
        String format = provider().artifactFormat();
        Map<String, Map<String, String>> artifacts = new TreeMap<>(card.artifacts());
        Map<String, String> roles = new TreeMap<>(artifacts.get(format));
        roles.remove("text");
        artifacts.put(format, roles);
        ModelCard imageOnly = new ModelCard(card.directory(), card.name(), card.family(), card.preprocess(), 0,
                card.embedDim(), card.logitScale(), null, artifacts);
        try (Backbone b = provider().open(imageOnly, options(0))) {
            assertFalse(b.capabilities().contains(Capability.TEXT_TOWER));
            assertEquals(card.embedDim(), b.embedImages(sineImages(0, 1, size()))[0].length);
            assertThrows(UnsupportedOperationException.class, () -> b.embedTokens(ContractFixtures.goldenTokens()));
        }
    }
}
