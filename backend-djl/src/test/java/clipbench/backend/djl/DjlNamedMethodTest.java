package clipbench.backend.djl;

import static clipbench.api.contract.ContractFixtures.floats2d;
import static clipbench.api.contract.ContractFixtures.maxAbsDiff;
import static clipbench.api.contract.ContractFixtures.sineImages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One TorchScript CLIP exporting {@code encode_image} / {@code encode_text} (as OpenAI's {@code clip.load(jit=True)}
 * models do), listed as {@code artifacts.torchscript.model}: DJL calls the named methods. The fixture wraps
 * tiny-clip-vit's towers, so tiny-clip-vit's expected.json applies and the towers must give the same numbers.
 */
class DjlNamedMethodTest {
    private static final double EXPECTED_TOLERANCE = 1e-4;
    private static final Path VIT = ContractFixtures.testdata("models/tiny-clip-vit");
    private final DjlBackboneProvider provider = new DjlBackboneProvider();

    @Test
    void encodeImageAndEncodeTextMatchExpectedAndTheTowers() throws IOException {
        JsonNode expected = ContractFixtures.readJson(VIT.resolve("expected.json"));
        float[][] wantImages = floats2d(expected.path("image_embeddings"));
        float[][] wantTexts = floats2d(expected.path("text_embeddings"));
        int[][] tokens = ContractFixtures.goldenTokens();
        try (Backbone methods = provider.open(ModelCards.load(DjlFixtures.clipMethods()), BackendOptions.defaults());
             Backbone towers = provider.open(ModelCards.load(VIT), BackendOptions.defaults())) {
            assertEquals(16, methods.embeddingDim());
            assertTrue(methods.capabilities().contains(Capability.TEXT_TOWER));
            float[][] images = methods.embedImages(sineImages(0, wantImages.length, 224));
            float[][] texts = methods.embedTokens(tokens);
            double imageError = maxAbsDiff(images, wantImages);
            double textError = maxAbsDiff(texts, wantTexts);
            double imageVsTowers = maxAbsDiff(images, towers.embedImages(sineImages(0, wantImages.length, 224)));
            double textVsTowers = maxAbsDiff(texts, towers.embedTokens(tokens));
            System.out.printf("[djl] encode_image vs expected.json %.3e, vs visual.pt %.3e; encode_text vs"
                    + " expected.json %.3e, vs textual.pt %.3e%n", imageError, imageVsTowers, textError, textVsTowers);
            assertTrue(imageError <= EXPECTED_TOLERANCE, "encode_image differs from expected.json by " + imageError);
            assertTrue(textError <= EXPECTED_TOLERANCE, "encode_text differs from expected.json by " + textError);
            assertEquals(0.0, imageVsTowers, "the same weights through encode_image");
            assertEquals(0.0, textVsTowers, "the same weights through encode_text");
        }
    }

    @Test
    void withoutContextLengthTheModuleIsImageOnly() throws IOException {
        ModelCard card = ModelCards.load(DjlFixtures.clipMethods());
        ModelCard imageOnly = new ModelCard(card.directory(), card.name(), card.family(), card.preprocess(), 0,
                card.embedDim(), card.logitScale(), null, card.artifacts());
        try (Backbone backbone = provider.open(imageOnly, BackendOptions.defaults())) {
            assertFalse(backbone.capabilities().contains(Capability.TEXT_TOWER));
            assertThrows(UnsupportedOperationException.class, () -> backbone.embedTokens(ContractFixtures.goldenTokens()));
        }
    }

    @Test
    void aModuleWithoutEncodeImageIsRefusedListingItsMethods() throws IOException {
        ModelCard sr = ModelCards.load(DjlFixtures.sr());
        ModelCard card = new ModelCard(sr.directory(), "not-clip", "clip", sr.preprocess(), 0, 0, 100, null,
                Map.of("torchscript", Map.of("model", "sr.pt")));
        IOException e = assertThrows(IOException.class, () -> provider.open(card, BackendOptions.defaults()).close());
        assertTrue(e.getMessage().contains("sr.pt") && e.getMessage().contains("'encode_image'")
                && e.getMessage().contains("[forward]"), e.getMessage());
    }
}
