package clipbench.api.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCardsTest {
    static final String CARD = """
            {"name": "m", "image_size": 224, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25],
             "embed_dim": 16, "context_length": 77, "artifacts": {"onnx": {"image": "visual.onnx"}}}""";

    static Path card(Path dir, String json) throws IOException {
        Files.writeString(dir.resolve(ModelCards.CARD_FILE), json);
        return dir;
    }

    @Test
    void aWellTypedCardLoads(@TempDir Path dir) throws IOException {
        ModelCard card = ModelCards.load(card(dir, CARD));
        assertEquals(224, card.preprocess().imageSize());
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f}, card.preprocess().std());
        assertEquals(16, card.embedDim());
    }

    /** Each value of the wrong type or range is refused with the file and the field named, never coerced. */
    @Test
    void wrongTypesAndRangesAreRefusedNamingTheField(@TempDir Path dir) throws IOException {
        String[][] cases = {
                {"\"mean\": [0.5, 0.5, 0.5]", "\"mean\": [\"a\", \"b\", \"c\"]", "mean"},
                {"\"image_size\": 224", "\"image_size\": 224.9", "image_size"},
                {"\"image_size\": 224", "\"image_size\": \"224\"", "image_size"},
                {"\"image_size\": 224", "\"image_size\": 0", "image_size"},
                {"\"std\": [0.25, 0.25, 0.25]", "\"std\": [0, 0, 0]", "std"},
                {"\"std\": [0.25, 0.25, 0.25]", "\"std\": [0.25, -1, 0.25]", "std"},
                {"\"std\": [0.25, 0.25, 0.25]", "\"std\": [0.25, 0.25]", "std"},
                {"\"embed_dim\": 16", "\"embed_dim\": 16.5", "embed_dim"},
                {"\"context_length\": 77", "\"context_length\": \"77\"", "context_length"},
                {"\"name\": \"m\"", "\"name\": [1]", "name"},
        };
        for (String[] c : cases) {
            String json = CARD.replace(c[0], c[1]);
            assertTrue(!json.equals(CARD), c[1]);
            IOException e = assertThrows(IOException.class, () -> ModelCards.load(card(dir, json)), c[1]);
            assertTrue(e.getMessage().contains("'" + c[2] + "'") && e.getMessage().contains(ModelCards.CARD_FILE),
                    c[1] + " -> " + e.getMessage());
        }
    }
}
