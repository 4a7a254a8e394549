package clipbench.backend.onnx;

import static clipbench.api.contract.ContractFixtures.floats2d;
import static clipbench.api.contract.ContractFixtures.floats;
import static clipbench.api.contract.ContractFixtures.ints;
import static clipbench.api.contract.ContractFixtures.maxAbsDiff;
import static clipbench.api.contract.ContractFixtures.sineImages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Model directories without a model card, laid out the way common ONNX CLIP exports are. */
class OnnxExportLayoutTest {
    private static final Path VIT = ContractFixtures.testdata("models/tiny-clip-vit");
    private static final String OPEN_CLIP_CONFIG =
            "{\"embed_dim\":16,\"vision_cfg\":{\"image_size\":224},\"text_cfg\":{\"context_length\":77}}";

    private final OnnxBackboneProvider provider = new OnnxBackboneProvider();

    /** Immich / clip-server file names with an open_clip config.json, holding the tiny ViT's towers. */
    @ParameterizedTest
    @CsvSource({"visual.onnx, textual.onnx", "visual/model.onnx, textual/model.onnx"})
    void openClipExportIsInferredAndRuns(String image, String text, @TempDir Path dir) throws IOException {
        copy(VIT.resolve("visual.onnx"), dir.resolve(image));
        copy(VIT.resolve("textual.onnx"), dir.resolve(text));
        Files.writeString(dir.resolve("config.json"), OPEN_CLIP_CONFIG);

        ModelCard card = ModelCards.load(dir);
        assertEquals(dir.resolve(image), card.requireArtifact("onnx", "image"));
        assertEquals(dir.resolve(text), card.requireArtifact("onnx", "text"));
        assertEquals(16, card.embedDim());
        assertEquals(224, card.preprocess().imageSize());
        assertEquals(77, card.contextLength());

        JsonNode expected = ContractFixtures.readJson(VIT.resolve("expected.json"));
        try (Backbone backbone = provider.open(card, BackendOptions.defaults())) {
            assertTrue(backbone.capabilities().contains(Capability.TEXT_TOWER));
            double imageError = maxAbsDiff(backbone.embedImages(sineImages(0, 2, 224)),
                    floats2d(expected.path("image_embeddings")));
            double textError = maxAbsDiff(backbone.embedTokens(ContractFixtures.goldenTokens()),
                    floats2d(expected.path("text_embeddings")));
            System.out.printf("[layout] %s + %s: image %.3e, text %.3e max |diff| vs expected.json%n",
                    image, text, imageError, textError);
            assertTrue(imageError <= 1e-4, "image: " + imageError);
            assertTrue(textError <= 1e-4, "text: " + textError);
        }
    }

    /** Without config.json the card has no embed_dim: the backbone takes it from the model. */
    @Test
    void embeddingLengthComesFromTheModelWhenNoConfigSaysIt(@TempDir Path dir) throws IOException {
        copy(VIT.resolve("visual.onnx"), dir.resolve("visual.onnx"));
        ModelCard card = ModelCards.load(dir);
        assertEquals(0, card.embedDim());
        try (Backbone backbone = provider.open(card, BackendOptions.defaults())) {
            assertEquals(16, backbone.embeddingDim());
            assertFalse(backbone.capabilities().contains(Capability.TEXT_TOWER));
            assertEquals(16, backbone.embedImages(sineImages(0, 1, 224))[0].length);
        }
    }

    /**
     * CLIP's "!" is id 0, like its padding: Hugging Face's attention_mask must still cover it, up to the
     * end-of-text token (hf-layout-tiny's text tower averages over the masked positions).
     */
    @Test
    void attentionMaskCoversZeroIdsBeforeTheEndOfText() throws IOException {
        Path dir = ContractFixtures.testdata("models/hf-layout-tiny");
        JsonNode maskCase = ContractFixtures.readJson(dir.resolve("expected.json")).path("mask_case");
        assertTrue(maskCase.path("max_abs_diff_if_mask_were_id_nonzero").asDouble() > 1e-2,
                "the fixture must tell a right mask from a wrong one");
        int[][] tokens = {ints(maskCase.path("tokens"))};
        float[][] want = {floats(maskCase.path("embedding"))};
        try (Backbone backbone = provider.open(ModelCards.load(dir), BackendOptions.defaults())) {
            double error = maxAbsDiff(backbone.embedTokens(tokens), want);
            System.out.printf("[layout] hf-layout-tiny, a 0 id inside the text: max |diff| = %.3e%n", error);
            assertTrue(error <= 1e-5, "attention_mask: " + error);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to);
    }
}
