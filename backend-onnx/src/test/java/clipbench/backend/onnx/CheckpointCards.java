package clipbench.backend.onnx;

import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/** Model folders holding only a fixture's safetensors checkpoint, for the graphs written from it. */
final class CheckpointCards {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointCards() {
    }

    static Path fixture(String name) {
        return ContractFixtures.testdata("models/" + name);
    }

    /**
     * Copies {@code fixture}'s checkpoint into {@code into} with its card, whose artifacts are only
     * {@code safetensors.checkpoint}; {@code architecture} may edit the card's architecture block.
     */
    static Path checkpointOnly(String fixture, Path into, Consumer<ObjectNode> architecture) throws IOException {
        return copy(fixture, into, false, architecture);
    }

    /** Like {@link #checkpointOnly}, the card's {@code onnx} roles also naming the checkpoint (as in TF's tests). */
    static Path onnxRolesNameCheckpoint(String fixture, Path into) throws IOException {
        return copy(fixture, into, true, a -> { });
    }

    private static Path copy(String fixture, Path into, boolean onnxRoles, Consumer<ObjectNode> architecture)
            throws IOException {
        Path source = fixture(fixture);
        Files.createDirectories(into);
        Files.copy(source.resolve("model.safetensors"), into.resolve("model.safetensors"));
        ObjectNode card = (ObjectNode) JSON.readTree(source.resolve(ModelCards.CARD_FILE).toFile());
        ObjectNode artifacts = card.putObject("artifacts");
        artifacts.putObject("safetensors").put("checkpoint", "model.safetensors");
        if (onnxRoles) {
            artifacts.putObject("onnx").put("image", "model.safetensors").put("text", "model.safetensors");
        }
        architecture.accept((ObjectNode) card.path("architecture"));
        JSON.writerWithDefaultPrettyPrinter().writeValue(into.resolve(ModelCards.CARD_FILE).toFile(), card);
        return into;
    }

    /** Deletes a temporary folder and everything in it. */
    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    /** CPU options whose checkpoint graphs go to {@code cache}, plus {@code more} settings. */
    static BackendOptions options(int threads, Path cache, String... more) {
        Map<String, String> settings = new java.util.HashMap<>(Map.of("onnx.checkpoint-cache", cache.toString()));
        for (int i = 0; i < more.length; i += 2) {
            settings.put(more[i], more[i + 1]);
        }
        return new BackendOptions(threads, Device.CPU, settings);
    }
}
