package clipbench.backend.djl;

import static clipbench.api.contract.ContractFixtures.sineImages;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Utils;
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
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the DJL backend says when a model or a call does not fit, how it picks a device and sets threads. */
class DjlBackboneTest {
    private static final Path VIT = ContractFixtures.testdata("models/tiny-clip-vit");
    private final DjlBackboneProvider provider = new DjlBackboneProvider();

    private static ModelCard card(Path dir, int imageSize, int contextLength, int embedDim, Map<String, String> roles) {
        return new ModelCard(dir, "test", "clip-vit", PreprocessSpec.clip(imageSize), contextLength, embedDim, 100,
                null, Map.of("torchscript", roles));
    }

    private static ModelCard card(int imageSize, int contextLength, int embedDim, String image, String text) {
        return card(VIT, imageSize, contextLength, embedDim,
                text == null ? Map.of("image", image) : Map.of("image", image, "text", text));
    }

    private static ModelCard card() {
        return card(224, 77, 16, "visual.pt", "textual.pt");
    }

    private <T extends Throwable> T openFails(Class<T> type, ModelCard card, String... mentions) {
        T e = assertThrows(type, () -> provider.open(card, BackendOptions.defaults()).close());
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "the error should mention '" + m + "': " + e.getMessage());
        }
        return e;
    }

    @Test
    void providerNamesDjlAndPyTorchVersions() {
        assertEquals("djl", provider.id());
        assertEquals("torchscript", provider.artifactFormat());
        String capped = DjlRuntime.oneDnnCap();
        assertEquals("DJL 0.36.0 / PyTorch 2.7.1" + (capped.isEmpty() ? "" : " / oneDNN ISA " + capped),
                provider.runtimeVersion());
    }

    @Test
    void theProviderSwitchesDjlOffline() {
        String before = System.clearProperty(DjlRuntime.OFFLINE_PROPERTY);
        try {
            new DjlBackboneProvider();
            assertEquals("true", System.getProperty(DjlRuntime.OFFLINE_PROPERTY));
            assertTrue(Utils.isOfflineMode());
        } finally {
            System.setProperty(DjlRuntime.OFFLINE_PROPERTY, before == null ? "true" : before);
        }
    }

    @Test
    void gpuWithoutCudaFailsClearly() {
        String problem = DjlRuntime.cudaProblem();
        assumeTrue(problem != null, "this machine has CUDA libtorch and a GPU");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> provider.open(card(), new BackendOptions(0, Device.GPU)).close());
        assertTrue(e.getMessage().startsWith(DjlRuntime.CUDA_UNAVAILABLE), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        IllegalStateException sr = assertThrows(IllegalStateException.class, () -> provider.openImageToImage(
                ModelCards.load(DjlFixtures.sr()), new BackendOptions(0, Device.GPU)).close());
        assertTrue(sr.getMessage().startsWith(DjlRuntime.CUDA_UNAVAILABLE), sr.getMessage());
    }

    @Test
    void autoFallsBackToTheCpu() throws IOException {
        assumeTrue(DjlRuntime.cudaProblem() != null, "this machine has CUDA libtorch and a GPU");
        try (Backbone backbone = provider.open(card(), new BackendOptions(0, Device.AUTO))) {
            assertFalse(backbone.capabilities().contains(Capability.GPU));
            assertEquals(16, backbone.embedImages(sineImages(0, 1, 224))[0].length);
        }
    }

    @Test
    void missingImageFileIsNamedBeforeLibtorchIsNeeded() {
        openFails(NoSuchFileException.class, card(224, 77, 16, "no-such-visual.pt", "textual.pt"),
                VIT.resolve("no-such-visual.pt").toString());
    }

    @Test
    void missingTextFileIsNamed() {
        openFails(NoSuchFileException.class, card(224, 77, 16, "visual.pt", "no-such-textual.pt"),
                VIT.resolve("no-such-textual.pt").toString());
    }

    @Test
    void cardWithoutTorchScriptArtifactsSaysWhatItHas() {
        ModelCard onnxOnly = new ModelCard(VIT, "test", "clip-vit", PreprocessSpec.clip(224), 77, 16, 100, null,
                Map.of("onnx", Map.of("image", "visual.onnx")));
        openFails(IllegalArgumentException.class, onnxOnly, "'image'", "'torchscript'", "[onnx]",
                "safetensors.checkpoint");
    }

    @Test
    void fileThatIsNotTorchScriptIsNamed(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("visual.pt"), "not a model");
        openFails(IOException.class, card(dir, 224, 0, 16, Map.of("image", "visual.pt")),
                dir.resolve("visual.pt").toString(), "TorchScript");
    }

    @Test
    void imageSizeOtherThanTheModelsIsNamed() {
        openFails(IOException.class, card(32, 77, 16, "visual.pt", "textual.pt"), "visual.pt", "[1, 3, 32, 32]",
                "image_size 32");
    }

    @Test
    void embedDimOtherThanTheModelsIsNamed() {
        openFails(IOException.class, card(224, 77, 8, "visual.pt", "textual.pt"), "visual.pt", "gives 16",
                "embed_dim 8");
    }

    @Test
    void contextLengthOtherThanTheModelsIsNamed() {
        openFails(IOException.class, card(224, 64, 16, "visual.pt", "textual.pt"), "textual.pt", "[1, 64]",
                "context_length 64");
    }

    @Test
    void textModelAsImageTowerIsNamed() {
        openFails(IOException.class, card(224, 0, 16, "textual.pt", null), "textual.pt", "float32 [1, 3, 224, 224]");
    }

    @Test
    void wrongInputsAreRefusedNamingTheFile() throws IOException {
        try (Backbone backbone = provider.open(card(), BackendOptions.defaults())) {
            IllegalStateException images = assertThrows(IllegalStateException.class,
                    () -> backbone.embedImages(new ImageBatch(1, 32, new float[3 * 32 * 32])));
            assertTrue(images.getMessage().contains("visual.pt") && images.getMessage().contains("[1, 3, 32, 32]"),
                    images.getMessage());
            IllegalArgumentException tokens = assertThrows(IllegalArgumentException.class,
                    () -> backbone.embedTokens(new int[][] {new int[76]}));
            assertTrue(tokens.getMessage().contains("textual.pt") && tokens.getMessage().contains("76"),
                    tokens.getMessage());
            assertEquals(0, backbone.embedTokens(new int[0][]).length);
        }
    }

    @Test
    void eachBackboneRunsWithItsOwnThreadCount() throws IOException {
        ImageBatch one = sineImages(0, 1, 224);
        try (Backbone single = provider.open(card(), new BackendOptions(1, Device.CPU));
             Backbone two = provider.open(card(), new BackendOptions(2, Device.CPU));
             Backbone auto = provider.open(card(), BackendOptions.defaults())) {
            single.embedImages(one);
            assertEquals(1, JniUtils.getNumThreads());
            two.embedImages(one);
            assertEquals(2, JniUtils.getNumThreads());
            single.embedTokens(ContractFixtures.goldenTokens());
            assertEquals(1, JniUtils.getNumThreads());
            auto.embedImages(one);
            assertEquals(DjlRuntime.defaultThreads(), JniUtils.getNumThreads());
        }
    }

    @Test
    void theThreadCountFollowsTheBackboneOnAnyCallingThread() throws Exception {
        try (Backbone single = provider.open(card(), new BackendOptions(1, Device.CPU));
             Backbone two = provider.open(card(), new BackendOptions(2, Device.CPU))) {
            int[] seen = new int[4];
            Thread a = new Thread(() -> {
                single.embedImages(sineImages(0, 1, 224));
                seen[0] = JniUtils.getNumThreads();
            });
            a.start();
            a.join();
            // libtorch hands the last count set anywhere to threads that start later: the call must override it
            two.embedImages(sineImages(0, 1, 224));
            seen[1] = JniUtils.getNumThreads();
            Thread b = new Thread(() -> {
                single.embedImages(sineImages(0, 1, 224));
                seen[2] = JniUtils.getNumThreads();
                two.embedTokens(ContractFixtures.goldenTokens());
                seen[3] = JniUtils.getNumThreads();
            });
            b.start();
            b.join();
            assertArrayEquals(new int[] {1, 2, 1, 2}, seen);
        }
    }

    @Test
    void callsLeaveNoNativeArraysBehind() throws IOException {
        try (DjlBackbone backbone = provider.open(card(), BackendOptions.defaults())) {
            int before = backbone.liveArrays();
            for (int i = 0; i < 3; i++) {
                backbone.embedImages(sineImages(0, 4, 224));
                backbone.embedTokens(ContractFixtures.goldenTokens());
            }
            assertEquals(before, backbone.liveArrays());
        }
    }

    @Test
    void theLeakCountSeesAnArrayLeftOpen() throws IOException {
        try (TorchModule module = TorchModule.load(VIT.resolve("visual.pt"), ai.djl.Device.cpu(), 0)) {
            int before = module.liveArrays();
            module.manager().newSubManager().create(new float[] {1, 2});
            assertEquals(before + 1, module.liveArrays());
        }
    }

    @Test
    void autogradStaysOffAndTheCallersModeIsRestored() throws IOException {
        try (Backbone backbone = provider.open(card(), BackendOptions.defaults())) {
            boolean mode = JniUtils.isGradMode();
            backbone.embedImages(sineImages(0, 1, 224));
            assertEquals(mode, JniUtils.isGradMode());
        }
    }
}
