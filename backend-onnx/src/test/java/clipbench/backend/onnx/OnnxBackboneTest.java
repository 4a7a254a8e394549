package clipbench.backend.onnx;

import static clipbench.api.contract.ContractFixtures.sineImages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.model.PreprocessSpec;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.Device;
import clipbench.api.spi.ImageBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the ONNX backend says when a model or a call does not fit, and how it picks a device. */
class OnnxBackboneTest {
    private static final Path VIT = ContractFixtures.testdata("models/tiny-clip-vit");
    private final OnnxBackboneProvider provider = new OnnxBackboneProvider();

    private static ModelCard card(int imageSize, int contextLength, int embedDim, String image, String text) {
        Map<String, String> roles = text == null ? Map.of("image", image) : Map.of("image", image, "text", text);
        return new ModelCard(VIT, "test", "clip-vit", PreprocessSpec.clip(imageSize), contextLength, embedDim,
                100, null, Map.of("onnx", roles));
    }

    private static ModelCard card() {
        return card(224, 77, 16, "visual.onnx", "textual.onnx");
    }

    private static boolean cudaInThisBuild() {
        return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    }

    private <T extends Throwable> T openFails(Class<T> type, ModelCard card, String... mentions) {
        T e = assertThrows(type, () -> provider.open(card, BackendOptions.defaults()).close());
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "the error should mention '" + m + "': " + e.getMessage());
        }
        return e;
    }

    @Test
    void providerNamesTheOnnxRuntimeVersion() {
        assertEquals("onnx", provider.id());
        assertEquals("onnx", provider.artifactFormat());
        assertTrue(provider.runtimeVersion().matches("onnxruntime \\d+\\.\\d+\\.\\d+.*"), provider.runtimeVersion());
    }

    @Test
    void gpuWithoutCudaFailsClearly() {
        assumeFalse(cudaInThisBuild(), "this onnxruntime build has CUDA");
        ModelCard card = card();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> provider.open(card, new BackendOptions(0, Device.GPU)).close());
        assertTrue(e.getMessage().startsWith(OnnxBackbone.CUDA_UNAVAILABLE), e.getMessage());
    }

    @Test
    void autoFallsBackToTheCpu() throws IOException {
        assumeFalse(cudaInThisBuild(), "this onnxruntime build has CUDA");
        try (Backbone backbone = provider.open(card(), new BackendOptions(0, Device.AUTO))) {
            assertFalse(backbone.capabilities().contains(Capability.GPU));
            assertEquals(16, backbone.embedImages(sineImages(0, 1, 224))[0].length);
        }
    }

    @Test
    void imageSizeOtherThanTheModelsIsNamed() {
        openFails(IOException.class, card(32, 77, 16, "visual.onnx", "textual.onnx"),
                "visual.onnx", "224x224", "image_size 32");
    }

    @Test
    void embedDimOtherThanTheModelsIsNamed() {
        openFails(IOException.class, card(224, 77, 8, "visual.onnx", "textual.onnx"),
                "visual.onnx", "'embedding' has 16", "embed_dim 8");
    }

    @Test
    void contextLengthOtherThanTheModelsIsNamed() {
        openFails(IOException.class, card(224, 64, 16, "visual.onnx", "textual.onnx"),
                "textual.onnx", "77 tokens", "context_length 64");
    }

    @Test
    void textModelAsImageTowerListsWhatItFound() {
        openFails(IOException.class, card(224, 77, 16, "textual.onnx", null), "textual.onnx", "text: INT64[-1, 77]");
    }

    @Test
    void imageModelAsTextTowerListsWhatItFound() {
        openFails(IOException.class, card(224, 77, 16, "visual.onnx", "visual.onnx"),
                "visual.onnx", "image: FLOAT[-1, 3, 224, 224]");
    }

    @Test
    void missingTextFileIsNamed() {
        openFails(IOException.class, card(224, 77, 16, "visual.onnx", "no-such-textual.onnx"),
                VIT.resolve("no-such-textual.onnx").toString());
    }

    @Test
    void fileThatIsNotOnnxIsNamed(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("visual.onnx"), "not a model");
        ModelCard card = new ModelCard(dir, "broken", "clip", PreprocessSpec.clip(224), 0, 16, 100, null,
                Map.of("onnx", Map.of("image", "visual.onnx")));
        openFails(IOException.class, card, dir.resolve("visual.onnx").toString());
    }

    @Test
    void wrongInputsAreRefusedNamingTheFile() throws IOException {
        try (Backbone backbone = provider.open(card(), BackendOptions.defaults())) {
            IllegalArgumentException images = assertThrows(IllegalArgumentException.class,
                    () -> backbone.embedImages(new ImageBatch(1, 32, new float[3 * 32 * 32])));
            assertTrue(images.getMessage().contains("visual.onnx") && images.getMessage().contains("32x32"),
                    images.getMessage());
            IllegalArgumentException tokens = assertThrows(IllegalArgumentException.class,
                    () -> backbone.embedTokens(new int[][] {new int[76]}));
            assertTrue(tokens.getMessage().contains("textual.onnx") && tokens.getMessage().contains("76"),
                    tokens.getMessage());
            assertEquals(0, backbone.embedTokens(new int[0][]).length);
        }
    }

    @Test
    void cardWithModelCardJsonOpensBothTowers() throws IOException {
        try (Backbone backbone = provider.open(ModelCards.load(VIT), new BackendOptions(1, Device.CPU))) {
            assertTrue(backbone.capabilities().contains(Capability.TEXT_TOWER));
            assertEquals(16, backbone.embeddingDim());
        }
    }

    @Test
    void attentionMaskEndsWithTheEndOfTextToken() {
        assertEquals(4, TextTower.maskLength(new int[] {49406, 3306, 1002, 49407, 0, 0, 0}));
        // "!" is id 0 in CLIP's vocabulary: inside the text it stays unmasked
        assertEquals(5, TextTower.maskLength(new int[] {49406, 3306, 0, 1002, 49407, 0, 0}));
        assertEquals(3, TextTower.maskLength(new int[] {49406, 1002, 49407}));
        assertEquals(0, TextTower.maskLength(new int[] {0, 0}));
    }
}
