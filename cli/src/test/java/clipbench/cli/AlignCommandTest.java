package clipbench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.backend.onnx.SentenceModelImport;
import clipbench.checkpoint.Safetensors;
import clipbench.keras.contract.NpmTestData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code clipbench align} end to end on real towers and real captions: the tiny CLIP ViT's image tower on ONNX
 * Runtime, all-MiniLM-L6-v2 (from langchain4j's jar) as the text tower, and Google's fruit emoji with their
 * names and short names as captions.
 */
class AlignCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tmp;
    private static Path minilm;
    private static Path vit;
    private static String fruit;

    @BeforeAll
    static void towers() throws Exception {
        Path jar = Path.of(AllMiniLmL6V2EmbeddingModel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        minilm = SentenceModelImport.write(SentenceModelImport.ALL_MINILM_L6_V2, jar, tmp.resolve("minilm"));
        vit = CliProcess.root().resolve("testdata/models/tiny-clip-vit");
        fruit = "emoji:" + NpmTestData.nodeModules().resolve("emoji-datasource-google") + "?subcategory=food-fruit";
    }

    private static List<String> args(Path text, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("--image-model", vit.toString(), "--text-model", text.toString(),
                "--dataset", fruit, "--out", out.toString(), "--backend", "onnx", "--dim", "8", "--steps", "60",
                "--batch-size", "16", "--lr", "0.01", "--seed", "3", "--cache", tmp.resolve("cache").toString()));
        a.addAll(List.of(more));
        return a;
    }

    private static void align(List<String> args) throws Exception {
        AlignCommand cmd = new AlignCommand();
        new CommandLine(cmd).parseArgs(args.toArray(String[]::new));
        assertEquals(0, cmd.call());
    }

    @Test
    void writesAnAlignedModelFolderDeterministicallyForASeed() throws Exception {
        Path a = tmp.resolve("aligned-a");
        align(args(minilm, a));

        ModelCard card = ModelCards.load(a);
        assertEquals(AlignedModelFolder.FAMILY, card.family());
        assertEquals(8, card.embedDim());
        ModelCard image = ModelCards.load(vit);
        assertEquals(image.preprocess(), card.preprocess(), "the image tower's preprocessing");
        JsonNode json = JSON.readTree(a.resolve(ModelCards.CARD_FILE).toFile());
        assertEquals(vit.toAbsolutePath().normalize().toString(), json.at("/towers/image/path").asText());
        assertEquals("onnx", json.at("/towers/image/backend").asText());
        assertEquals(minilm.toAbsolutePath().normalize().toString(), json.at("/towers/text/path").asText());

        Safetensors st = Safetensors.open(a.resolve(AlignedModelFolder.PROJECTIONS));
        assertArrayEquals(new long[] {8, 16}, st.shape(AlignedModelFolder.IMAGE_PROJECTION));
        assertArrayEquals(new long[] {8, 384}, st.shape(AlignedModelFolder.TEXT_PROJECTION));
        double logScale = st.floats(AlignedModelFolder.LOG_LOGIT_SCALE)[0];
        assertEquals(Math.min(Math.exp(logScale), 100), card.logitScale(), 1e-4);

        JsonNode prov = JSON.readTree(a.resolve(AlignedModelFolder.PROVENANCE).toFile());
        assertEquals("emoji:google?subcategory=food-fruit", prov.at("/dataset/name").asText());
        int images = prov.at("/dataset/images").asInt();
        assertTrue(images >= 15, "food-fruit emoji: " + images);
        // name and short name each, one row per distinct text ("apple" is one caption)
        assertTrue(prov.at("/dataset/pairs").asInt() > images, prov.toString());
        assertEquals(3, prov.at("/seed").asLong());
        assertEquals(60, prov.at("/settings/steps").asInt());
        double first = prov.at("/first_loss").asDouble();
        double last = prov.at("/final_loss").asDouble();
        assertTrue(last < first, "the loss falls: " + first + " -> " + last);
        double chance = 1.0 / images;
        assertTrue(prov.at("/retrieval_top1/image_to_text").asDouble() > 3 * chance, prov.toString());

        // same seed, same bytes (the image embeddings now from the cache); another seed, other weights
        Path b = tmp.resolve("aligned-b");
        align(args(minilm, b));
        assertArrayEquals(Files.readAllBytes(a.resolve(AlignedModelFolder.PROJECTIONS)),
                Files.readAllBytes(b.resolve(AlignedModelFolder.PROJECTIONS)));
        assertTrue(JSON.readTree(b.resolve(AlignedModelFolder.PROVENANCE).toFile()).at("/seconds/images_cached")
                .asBoolean());
        Path c = tmp.resolve("aligned-c");
        List<String> otherSeed = args(minilm, c);
        otherSeed.set(otherSeed.indexOf("--seed") + 1, "4");
        align(otherSeed);
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a.resolve(AlignedModelFolder.PROJECTIONS)),
                Files.readAllBytes(c.resolve(AlignedModelFolder.PROJECTIONS))));

        // an existing non-empty folder is refused before any work
        assertThrows(DirectoryNotEmptyException.class, () -> align(args(minilm, a)));

        // the folder is a model `run` takes: zero-shot through the text tower's strings, on the aligned images
        Path run = tmp.resolve("run");
        assertEquals(0, Main.execute("run", "--backend", "onnx", "--model", a.toString(), "--dataset", fruit,
                "--protocol", "zero-shot", "--cache", tmp.resolve("cache").toString(), "--out", run.toString()));
        List<CSVRecord> rows = CliEndToEndIT.csv(run.resolve("results.csv"));
        assertEquals(1, rows.size());
        CSVRecord row = rows.get(0);
        assertEquals("", row.get("note"), "zero-shot ran");
        assertEquals(images, Integer.parseInt(row.get("n_test")));
        // one image per class, named by the captions it was aligned with: better than chance
        assertTrue(Double.parseDouble(row.get("top1")) > 2 * chance, "zero-shot top-1 " + row.get("top1"));
    }

    @Test
    void aTextModelWithoutItsOwnTokenizerIsRefusedNamingWhatIsNeeded() throws Exception {
        Path out = tmp.resolve("refused");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> align(args(vit, out)));
        assertTrue(e.getMessage().contains("TEXT_STRINGS") && e.getMessage().contains(vit.toString())
                && e.getMessage().contains("tokenizer"), e.getMessage());
        assertFalse(Files.exists(out));
    }
}
