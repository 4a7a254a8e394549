package clipbench.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * all-MiniLM-L6-v2 from langchain4j's jar as a clipbench text model: the same embeddings as langchain4j's own
 * {@link AllMiniLmL6V2EmbeddingModel} (the model's Java tooling), whatever the batch and its padding.
 */
class SentenceTowerTest {
    static final List<String> TEXTS = List.of("a photo of a red apple", "a photo of a banana",
            "a photo of a t-shirt.", "grinning face with big eyes", "red heart", "face with tears of joy",
            "thumbs up", "Flag: United Kingdom", "ankle boot", "a blurry photo of a pullover, sneaker & bag!");

    @TempDir
    static Path tmp;
    static Path dir;
    static Backbone model;

    @BeforeAll
    static void importAndOpen() throws Exception {
        dir = SentenceModelImport.write(SentenceModelImport.ALL_MINILM_L6_V2, langchainJar(), tmp.resolve("minilm"));
        model = new OnnxBackboneProvider().open(ModelCards.load(dir), BackendOptions.defaults());
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    static Path langchainJar() throws URISyntaxException {
        return Path.of(AllMiniLmL6V2EmbeddingModel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void theCardDescribesATextModel() throws IOException {
        ModelCard card = ModelCards.load(dir);
        assertEquals("all-MiniLM-L6-v2", card.name());
        assertEquals(256, card.contextLength());
        assertEquals(384, model.embeddingDim());
        assertEquals(java.util.Set.of(Capability.TEXT_STRINGS), model.capabilities());
        assertThrows(UnsupportedOperationException.class, () -> model.embedTokens(new int[][] {{49406, 49407}}));
    }

    @Test
    void tokenizesWithBertsUncasedWordPiece() {
        SentenceTower.Batch b = ((SentenceBackbone) model).tower().tokenize(List.of("A photo of a red Apple"));
        // [CLS] a photo of a red apple [SEP] in bert-base-uncased's vocabulary; one segment, all attended
        assertEquals(List.of(101L, 1037L, 6302L, 1997L, 1037L, 2417L, 6207L, 102L), boxed(b.ids()));
        assertEquals(Collections.nCopies(8, 1L), boxed(b.mask()));
        assertEquals(Collections.nCopies(8, 0L), boxed(b.types()));
    }

    static List<Long> boxed(long[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }

    @Test
    void matchesLangchain4jsOwnEmbedding() {
        float[][] ours = model.embedTexts(TEXTS);
        AllMiniLmL6V2EmbeddingModel reference = new AllMiniLmL6V2EmbeddingModel();
        double worst = 0;
        for (int i = 0; i < TEXTS.size(); i++) {
            float[] theirs = reference.embed(TEXTS.get(i)).content().vector();
            assertEquals(theirs.length, ours[i].length);
            worst = Math.max(worst, maxAbsDiff(ours[i], theirs));
        }
        System.out.printf("all-MiniLM-L6-v2 vs langchain4j: max |difference| %.3g over %d texts%n", worst,
                TEXTS.size());
        assertTrue(worst <= 1e-5, "max |difference| " + worst);
        // and the texts are not all one vector: related captions are closer than unrelated ones
        assertTrue(dot(ours[0], ours[1]) > dot(ours[0], ours[7]), "apple·banana vs apple·flag");
    }

    @Test
    void paddingAndBatchingDoNotChangeAnEmbedding() {
        String shortText = "red heart";
        String longText = String.join(" ", Collections.nCopies(40, "a long caption of many words"));
        float[] alone = model.embedTexts(List.of(shortText))[0];
        // padded to the long text's 256 tokens, in the middle of a batch
        List<String> batch = new ArrayList<>(TEXTS);
        batch.add(3, shortText);
        batch.add(longText);
        SentenceTower.Batch tokens = ((SentenceBackbone) model).tower().tokenize(batch);
        assertEquals(256, tokens.tokens(), "the long text is truncated at max_seq_length");
        float[][] rows = model.embedTexts(batch);
        double diff = maxAbsDiff(alone, rows[3]);
        System.out.printf("alone vs padded in a batch of %d: max |difference| %.3g%n", batch.size(), diff);
        assertTrue(diff <= 1e-6, "padding changed the embedding by " + diff);
        float[] norm = rows[rows.length - 1];
        assertEquals(1.0, Math.sqrt(dot(norm, norm)), 1e-6);
    }

    @Test
    void aMissingTokenizerIsNamed() throws IOException {
        Path copy = Files.createDirectories(tmp.resolve("no-tokenizer"));
        for (String f : List.of(ModelCards.CARD_FILE)) {
            Files.copy(dir.resolve(f), copy.resolve(f));
        }
        Files.createSymbolicLink(copy.resolve(SentenceModelImport.MODEL), dir.resolve(SentenceModelImport.MODEL));
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> new OnnxBackboneProvider().open(ModelCards.load(copy), BackendOptions.defaults()).close());
        assertEquals(copy.resolve(SentenceModelImport.TOKENIZER).toString(), e.getFile());
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
