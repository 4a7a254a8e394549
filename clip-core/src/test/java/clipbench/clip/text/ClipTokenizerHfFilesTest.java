package clipbench.clip.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hugging Face's {@code vocab.json} + {@code merges.txt} give the ids of OpenAI's gz vocabulary. The two files are
 * generated here from the gz the way transformers' CLIP files were derived (bytes_to_unicode, merges lines
 * 1..48894, vocab = bytes, bytes + {@code </w>}, joined merges, the two special tokens), not committed.
 */
class ClipTokenizerHfFilesTest {
    private static final String GOLDEN = "golden/openai-clip-reference.json";
    private static final String VOCAB = "clip/bpe_simple_vocab_16e6.txt.gz";
    private static final int MERGES = 49152 - 256 - 2;

    @TempDir
    static Path dir;
    private static Path shared;
    private static ClipTokenizer openAi;
    private static ClipTokenizer hf;

    @BeforeAll
    static void load() throws IOException {
        shared = ClipTokenizerTest.findShared();
        openAi = ClipTokenizer.load(shared.resolve(VOCAB));
        writeHfFiles(shared.resolve(VOCAB), dir);
        hf = ClipTokenizer.load(dir.resolve("vocab.json")); // merges.txt beside it
    }

    /** transformers' {@code bytes_to_unicode()} values, in its order: printable bytes, then 256 + n for the rest. */
    private static List<String> byteSymbols() {
        List<String> out = new ArrayList<>();
        List<Integer> rest = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) {
                out.add(String.valueOf((char) b));
            } else {
                rest.add(b);
            }
        }
        for (int n = 0; n < rest.size(); n++) {
            out.add(String.valueOf((char) (256 + n)));
        }
        return out;
    }

    static void writeHfFiles(Path gz, Path into) throws IOException {
        String text;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String[] lines = text.split("\n");
        List<String> merges = new ArrayList<>();
        for (int i = 1; i <= MERGES; i++) {
            merges.add(lines[i]);
        }
        ObjectNode vocab = new ObjectMapper().createObjectNode();
        List<String> tokens = new ArrayList<>(byteSymbols());
        byteSymbols().forEach(s -> tokens.add(s + "</w>"));
        merges.forEach(m -> tokens.add(m.replace(" ", "")));
        tokens.add("<|startoftext|>");
        tokens.add("<|endoftext|>");
        for (int id = 0; id < tokens.size(); id++) {
            vocab.put(tokens.get(id), id);
        }
        Files.writeString(into.resolve("vocab.json"), vocab.toString());
        Files.writeString(into.resolve("merges.txt"), "#version: 0.2\n" + String.join("\n", merges) + "\n");
    }

    @Test
    void goldenStringsGiveTheGzIds() throws IOException {
        JsonNode golden = new ObjectMapper().readTree(shared.resolve(GOLDEN).toFile());
        assertEquals(openAi.vocabSize(), hf.vocabSize());
        for (JsonNode c : golden.get("cases")) {
            assertArrayEquals(openAi.tokenize(c.asText(), 77, false).ids(), hf.tokenize(c.asText(), 77, false).ids());
        }
        JsonNode expected = golden.get("tokenizer").get(0).get(0);
        int[] want = new int[expected.size()];
        for (int i = 0; i < want.length; i++) {
            want[i] = expected.get(i).asInt();
        }
        assertArrayEquals(want, hf.tokenize(golden.get("cases").get(0).asText(), 77, false).ids());
    }

    @Test
    void manyTextsGiveTheGzIdsAndDecodeAlike() {
        List<String> texts = new ArrayList<>(List.of("A photo of a CAT, isn't it?", "a photo of a golden retriever.",
                "It\u2019s &quot;\uFB01ne&quot; &amp; \uFF2F\uFF2B", "cafe\u0301 \uD83D\uDC31 \u21167",
                "\u039F\u0394\u039F\u03A3 \u039F\u0394\u039F\u03A3.", "a blurry photo of the 3rd Pok\u00e9mon",
                "\u4e00\u5f20\u732b\u7684\u7167\u7247", "emoji \uD83D\uDE00\uD83D\uDE80 and tabs\tand\nnewlines"));
        Random random = new Random(13);
        for (int i = 0; i < 300; i++) {
            StringBuilder b = new StringBuilder();
            int length = 1 + random.nextInt(40);
            for (int j = 0; j < length; j++) {
                int kind = random.nextInt(4);
                b.appendCodePoint(kind == 0 ? ' ' : kind == 1 ? 'a' + random.nextInt(26)
                        : kind == 2 ? 0x20 + random.nextInt(0x60) : 0xA0 + random.nextInt(0x2F00));
            }
            texts.add(b.toString());
        }
        for (String t : texts) {
            int[] ids = openAi.encode(t);
            assertArrayEquals(ids, hf.encode(t), t);
            assertEquals(openAi.decode(ids), hf.decode(ids), t);
        }
    }

    @Test
    void aVocabularyThatIsNotClipsIsRefusedNamingTheToken(@TempDir Path other) throws IOException {
        writeHfFiles(shared.resolve(VOCAB), other);
        String vocab = Files.readString(other.resolve("vocab.json"));
        Files.writeString(other.resolve("vocab.json"), vocab.replace("\"a\":64", "\"a\":65"));
        IOException e = assertThrows(IOException.class, () -> ClipTokenizer.load(other.resolve("vocab.json")));
        assertTrue(e.getMessage().contains("token 'a' has id 65 but merges.txt makes it 64"), e.getMessage());
        Files.delete(other.resolve("merges.txt"));
        e = assertThrows(IOException.class, () -> ClipTokenizer.load(other.resolve("vocab.json")));
        assertTrue(e.getMessage().contains("not found") && e.getMessage().contains("merges.txt"), e.getMessage());
    }
}
