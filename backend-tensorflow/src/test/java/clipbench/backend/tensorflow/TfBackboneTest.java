package clipbench.backend.tensorflow;

import clipbench.checkpoint.Safetensors;
import static clipbench.api.contract.ContractFixtures.maxAbsDiff;
import static clipbench.api.contract.ContractFixtures.sineImages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.model.PreprocessSpec;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.Device;
import clipbench.api.spi.ImageBatch;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the TensorFlow backend reads, what it says when a model or a call does not fit, and its devices. */
class TfBackboneTest {
    private static final Path VIT = TfFixtures.fixture("tiny-clip-vit");
    private static final TfBackboneProvider PROVIDER = new TfBackboneProvider();
    /** The ViT fixture's card as committed: no savedmodel artifact, so CLIP is built from model.safetensors. */
    private static ModelCard vitCard;
    private static Backbone built;

    @BeforeAll
    static void open() throws IOException {
        vitCard = ModelCards.load(VIT);
        built = PROVIDER.open(vitCard, BackendOptions.defaults());
    }

    @AfterAll
    static void close() {
        if (built != null) {
            built.close();
        }
    }

    private static <T extends Throwable> T openFails(Class<T> type, ModelCard card, String... mentions) {
        T e = assertThrows(type, () -> PROVIDER.open(card, BackendOptions.defaults()).close());
        for (String m : mentions) {
            assertTrue(String.valueOf(e.getMessage()).contains(m), "the error should mention '" + m + "': "
                    + e.getMessage());
        }
        return e;
    }

    private static boolean gpuPresent() {
        return TfRuntime.devices(TfRuntime.config(BackendOptions.defaults(), true)).stream()
                .anyMatch(d -> d.endsWith("GPU"));
    }

    @Test
    void providerNamesTheTensorFlowVersion() {
        assertEquals("tensorflow", PROVIDER.id());
        assertEquals("savedmodel", PROVIDER.artifactFormat());
        assertTrue(PROVIDER.runtimeVersion().matches("tensorflow \\d+\\.\\d+\\.\\d+.*"), PROVIDER.runtimeVersion());
    }

    @Test
    void cardWithoutSavedModelIsBuiltFromTheCheckpoint() throws IOException {
        assertTrue(built.capabilities().contains(Capability.TEXT_TOWER));
        assertFalse(built.capabilities().contains(Capability.GPU));
        assertEquals(16, built.embeddingDim());
        assertEquals(List.of(VIT.resolve("model.safetensors")), PROVIDER.artifactFiles(vitCard));
    }

    @Test
    void gpuWithoutGpuNativesFailsClearly() {
        assumeFalse(gpuPresent(), "TensorFlow sees a GPU here");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PROVIDER.open(vitCard, new BackendOptions(0, Device.GPU)).close());
        assertTrue(e.getMessage().startsWith(TfRuntime.GPU_UNAVAILABLE), e.getMessage());
    }

    @Test
    void autoFallsBackToTheCpu() throws IOException {
        assumeFalse(gpuPresent(), "TensorFlow sees a GPU here");
        try (Backbone backbone = PROVIDER.open(vitCard, new BackendOptions(0, Device.AUTO))) {
            assertFalse(backbone.capabilities().contains(Capability.GPU));
            assertEquals(16, backbone.embedImages(sineImages(0, 1, 224))[0].length);
        }
    }

    @Test
    void savedModelFolderBesideTheCardIsUsed(@TempDir Path dir) throws IOException {
        Files.copy(VIT.resolve(ModelCards.CARD_FILE), dir.resolve(ModelCards.CARD_FILE));
        TfExporter.export(vitCard, dir.resolve("savedmodel"));
        ModelCard card = ModelCards.load(dir); // its safetensors entry names a file that is not here
        try (Backbone backbone = PROVIDER.open(card, BackendOptions.defaults())) {
            ImageBatch images = sineImages(0, 2, 224);
            assertEquals(0, maxAbsDiff(backbone.embedImages(images), built.embedImages(images)), 1e-6);
            int[][] tokens = ContractFixtures.goldenTokens();
            assertEquals(0, maxAbsDiff(backbone.embedTokens(tokens), built.embedTokens(tokens)), 1e-6);
        }
        List<Path> files = PROVIDER.artifactFiles(card);
        assertEquals(dir.resolve("savedmodel/saved_model.pb"), files.get(0));
        assertTrue(files.contains(dir.resolve("savedmodel/variables/variables.index")), files.toString());
        long pb = Files.size(files.get(0));
        long total = TfFixtures.size(dir.resolve("savedmodel"));
        System.out.printf("[tf] exported tiny-clip-vit SavedModel: %d bytes (saved_model.pb %d)%n", total, pb);
        assertTrue(pb < 200_000, "the weights belong in variables/, not in saved_model.pb (" + pb + " bytes)");
    }

    @Test
    void exporterRefusesAFolderInUse(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("keep.txt"), "mine");
        IOException e = assertThrows(IOException.class, () -> TfExporter.export(vitCard, dir));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("not empty"), e.getMessage());
    }

    @Test
    void directoryWithNothingToRunIsNamed(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(ModelCards.CARD_FILE), "{\"name\": \"x\", \"image_size\": 224, \"embed_dim\": 16,"
                + " \"artifacts\": {\"onnx\": {\"image\": \"visual.onnx\"}}}");
        openFails(NoSuchFileException.class, ModelCards.load(dir), dir.toString(), "savedmodel/",
                "artifacts.safetensors.checkpoint");
    }

    @Test
    void checkpointThatIsNotSafetensorsIsNamed(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("model.safetensors"), "not a model");
        openFails(IOException.class, card(dir, 224, 77, 16, Map.of("safetensors", Map.of("checkpoint",
                "model.safetensors"))), dir.resolve("model.safetensors").toString(), "not a safetensors file");
    }

    @Test
    void savedModelThatDoesNotLoadIsNamed(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("broken"));
        Files.writeString(dir.resolve("broken/saved_model.pb"), "not a protobuf");
        openFails(IOException.class, card(dir, 224, 77, 16, Map.of("savedmodel", Map.of("model", "broken"))),
                dir.resolve("broken").toString(), "cannot load the SavedModel");
    }

    @Test
    void missingSavedModelIsNamed(@TempDir Path dir) {
        openFails(NoSuchFileException.class, card(dir, 224, 77, 16, Map.of("savedmodel", Map.of("model", "sm"))),
                dir.resolve("sm").toString());
    }

    @Test
    void checkpointWithoutClipTensorsIsNamed(@TempDir Path dir) throws IOException {
        writeSafetensors(dir.resolve("model.safetensors"), Map.of("visual.proj", new Tensor("F32", new long[] {4, 2},
                floatBytes(new float[8]))));
        openFails(IOException.class, card(dir, 224, 0, 2, Map.of("safetensors", Map.of("checkpoint",
                "model.safetensors"))), dir.resolve("model.safetensors").toString(), "visual.conv1.weight");
    }

    @Test
    void cardArchitectureThatContradictsTheCheckpointIsNamed(@TempDir Path dir) throws IOException {
        Files.copy(VIT.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        String json = Files.readString(VIT.resolve(ModelCards.CARD_FILE))
                .replace("\"transformer_width\": 16", "\"transformer_width\": 32");
        Files.writeString(dir.resolve(ModelCards.CARD_FILE), json);
        openFails(IOException.class, ModelCards.load(dir), dir.resolve("model.safetensors").toString(),
                "architecture.transformer_width is 32", "give 16");
    }

    @Test
    void imageSizeOtherThanTheCheckpointsIsNamed() {
        ModelCard card = card(VIT, 32, 77, 16, vitCard.artifacts());
        openFails(IOException.class, card, "model.safetensors", "224x224", "image_size 32");
    }

    @Test
    void embedDimOtherThanTheModelsIsNamed() {
        openFails(IOException.class, card(VIT, 224, 77, 8, vitCard.artifacts()), "model.safetensors",
                "'embedding' has 16", "embed_dim 8");
    }

    @Test
    void wrongInputsAreRefusedNamingTheModel() {
        IllegalArgumentException images = assertThrows(IllegalArgumentException.class,
                () -> built.embedImages(new ImageBatch(1, 32, new float[3 * 32 * 32])));
        assertTrue(images.getMessage().contains("model.safetensors") && images.getMessage().contains("32x32"),
                images.getMessage());
        IllegalArgumentException tokens = assertThrows(IllegalArgumentException.class,
                () -> built.embedTokens(new int[][] {new int[76]}));
        assertTrue(tokens.getMessage().contains("model.safetensors") && tokens.getMessage().contains("76"),
                tokens.getMessage());
        assertEquals(0, built.embedTokens(new int[0][]).length);
        int[] unknown = new int[77];
        unknown[0] = 60000; // beyond the 49408-token vocabulary
        IllegalStateException ids = assertThrows(IllegalStateException.class,
                () -> built.embedTokens(new int[][] {unknown}));
        assertTrue(ids.getMessage().contains("model.safetensors") && ids.getMessage().contains("60000"),
                ids.getMessage());
    }

    @Test
    void halfPrecisionCheckpointsAreReadAsFloat(@TempDir Path dir) throws IOException {
        short[] halves = {0x3c00, (short) 0xc000, 0x7bff, 0x0001, 0x0400, (short) 0x8000, 0x7c00};
        float[] want = {1f, -2f, 65504f, 0x1p-24f, 0x1p-14f, -0f, Float.POSITIVE_INFINITY};
        ByteBuffer f16 = ByteBuffer.allocate(2 * halves.length).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer bf16 = ByteBuffer.allocate(2 * want.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < halves.length; i++) {
            f16.putShort(halves[i]);
            bf16.putShort((short) (Float.floatToIntBits(want[i]) >>> 16)); // exact for these values but 65504
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("half", new Tensor("F16", new long[] {halves.length}, f16.array()));
        tensors.put("brain", new Tensor("BF16", new long[] {1, want.length}, bf16.array()));
        tensors.put("ids", new Tensor("I64", new long[] {1}, new byte[8]));
        Path file = dir.resolve("h.safetensors");
        writeSafetensors(file, tensors);
        Safetensors st = Safetensors.open(file);
        assertEquals(Arrays.toString(want), Arrays.toString(st.floats("half")));
        float[] brain = st.floats("brain");
        assertEquals(65280f, brain[2]); // 65504 truncated to bfloat16's 8 mantissa bits
        assertEquals(1f, brain[0]);
        assertEquals(-2f, brain[1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> st.floats("ids"));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("I64"), e.getMessage());
    }

    private static ModelCard card(Path dir, int imageSize, int contextLength, int embedDim,
                                  Map<String, Map<String, String>> artifacts) {
        return new ModelCard(dir, "test", "clip-vit", PreprocessSpec.clip(imageSize), contextLength, embedDim, 100,
                null, artifacts);
    }

    record Tensor(String dtype, long[] shape, byte[] data) {
    }

    static void writeSafetensors(Path file, Map<String, Tensor> tensors) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            header.put(e.getKey(), Map.of("dtype", e.getValue().dtype(), "shape", e.getValue().shape(),
                    "data_offsets", new long[] {offset, offset + e.getValue().data().length}));
            offset += e.getValue().data().length;
        }
        byte[] json = new ObjectMapper().writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate((int) (8 + json.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json);
        tensors.values().forEach(t -> out.put(t.data()));
        Files.write(file, out.array());
    }

    static byte[] floatBytes(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }
}
