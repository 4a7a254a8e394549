package clipbench.backend.djl;

import clipbench.api.contract.ContractFixtures;
import java.nio.file.Files;
import java.nio.file.Path;

/** backend-djl's own fixtures (src/test/fixtures, made by make_djl_fixtures.py; tests never run Python). */
final class DjlFixtures {
    private DjlFixtures() {
    }

    static Path dir(String name) {
        Path path = ContractFixtures.root().resolve("backend-djl/src/test/fixtures").resolve(name);
        if (!Files.isDirectory(path)) {
            throw new IllegalStateException(path + ": test fixture missing (see make_djl_fixtures.py beside it)");
        }
        return path;
    }

    /** tiny-clip-vit's towers in one scripted module exporting encode_image / encode_text. */
    static Path clipMethods() {
        return dir("clip-methods");
    }

    /** A traced 2x super-resolution network with its PyTorch output. */
    static Path sr() {
        return dir("tiny-sr");
    }
}
