package clipbench.backend.tensorflow;

import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCards;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Model directories for the TensorFlow tests, made from the committed fixtures (whose cards list no
 * {@code savedmodel} artifact and which are too close to the 15 MB limit to hold a SavedModel as well).
 */
final class TfFixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TfFixtures() {
    }

    static Path fixture(String name) {
        return ContractFixtures.testdata("models/" + name);
    }

    /**
     * A copy of fixture {@code name} whose card adds {@code artifacts.savedmodel} roles {@code image} and
     * {@code text}: pointing at the copied {@code model.safetensors} (built with TF ops), or, with
     * {@code savedModel}, at {@code savedmodel/}, written here by {@link TfExporter} from that checkpoint.
     */
    static Path modelDir(String name, boolean savedModel, Path into) throws IOException {
        Path source = fixture(name);
        Files.createDirectories(into);
        Files.copy(source.resolve("model.safetensors"), into.resolve("model.safetensors"));
        String artifact = savedModel ? ModelSources.FOLDER : "model.safetensors";
        writeCard(source, into, Map.of("image", artifact, "text", artifact));
        if (savedModel) {
            TfExporter.export(ModelCards.load(source), into.resolve(ModelSources.FOLDER));
        }
        return into;
    }

    /** Copies {@code from}'s model-card.json into {@code to} with these {@code artifacts.savedmodel} roles. */
    static void writeCard(Path from, Path to, Map<String, String> savedModelRoles) throws IOException {
        ObjectNode card = (ObjectNode) JSON.readTree(from.resolve(ModelCards.CARD_FILE).toFile());
        ObjectNode roles = ((ObjectNode) card.path("artifacts")).putObject(ModelSources.FORMAT);
        savedModelRoles.forEach(roles::put);
        JSON.writerWithDefaultPrettyPrinter().writeValue(to.resolve(ModelCards.CARD_FILE).toFile(), card);
    }

    static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
