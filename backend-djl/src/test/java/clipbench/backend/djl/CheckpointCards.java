package clipbench.backend.djl;

import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCards;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Model directories that run CLIP built from a committed fixture's checkpoint ({@link ClipNet}): a copy of its
 * {@code model.safetensors} and a card whose artifacts list only what the test chooses.
 */
final class CheckpointCards {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointCards() {
    }

    static Path fixture(String name) {
        return ContractFixtures.testdata("models/" + name);
    }

    /** A card listing only {@code artifacts.safetensors.checkpoint}. */
    static Path checkpointOnly(String fixture, Path into) throws IOException {
        return dir(fixture, into, Map.of("safetensors", Map.of("checkpoint", "model.safetensors")), arch -> { });
    }

    /** A card whose {@code torchscript} image and text roles name the checkpoint (the contract's card shape). */
    static Path torchScriptRoles(String fixture, Path into) throws IOException {
        return dir(fixture, into, Map.of("torchscript", Map.of("image", "model.safetensors",
                "text", "model.safetensors")), arch -> { });
    }

    /**
     * A copy of {@code fixture}'s checkpoint and card with these {@code artifacts}; {@code architecture} may add to
     * the card's {@code architecture} block (e.g. {@code activation}, {@code eos_token_id}).
     */
    static Path dir(String fixture, Path into, Map<String, Map<String, String>> artifacts,
                    Consumer<ObjectNode> architecture) throws IOException {
        Path source = fixture(fixture);
        Files.createDirectories(into);
        Files.copy(source.resolve("model.safetensors"), into.resolve("model.safetensors"));
        ObjectNode card = (ObjectNode) JSON.readTree(source.resolve(ModelCards.CARD_FILE).toFile());
        card.set("artifacts", JSON.valueToTree(artifacts));
        architecture.accept((ObjectNode) card.path("architecture"));
        JSON.writerWithDefaultPrettyPrinter().writeValue(into.resolve(ModelCards.CARD_FILE).toFile(), card);
        return into;
    }
}
