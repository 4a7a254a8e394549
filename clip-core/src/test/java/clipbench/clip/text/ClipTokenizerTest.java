package clipbench.clip.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipTokenizerTest {

    private static final String GOLDEN = "golden/openai-clip-reference.json";
    private static final String VOCAB = "clip/bpe_simple_vocab_16e6.txt.gz";
    private static final int CONTEXT = ClipTokenizer.DEFAULT_CONTEXT_LENGTH;

    private static Path shared;
    private static ClipTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        shared = findShared();
        tokenizer = ClipTokenizer.load(shared.resolve(VOCAB));
    }

    /** {@code clipbench.shared} (set by surefire), else {@code ../shared} or {@code ../../shared}. */
    static Path findShared() {
        List<Path> candidates = new ArrayList<>();
        String property = System.getProperty("clipbench.shared");
        if (property != null && !property.isBlank()) {
            candidates.add(Path.of(property));
        }
        candidates.add(Path.of("..", "shared"));
        candidates.add(Path.of("..", "..", "shared"));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate.resolve(GOLDEN)) && Files.isRegularFile(candidate.resolve(VOCAB))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        return fail("no shared/ directory with " + GOLDEN + " and " + VOCAB + " among " + candidates);
    }

    @Test
    void matchesOpenAiGoldenIds() throws IOException {
        JsonNode golden = new ObjectMapper().readTree(shared.resolve(GOLDEN).toFile());
        JsonNode cases = golden.get("cases");
        JsonNode expected = golden.get("tokenizer");
        assertEquals(3, cases.size());
        assertEquals(3, expected.size());
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            String text = cases.get(i).asText();
            texts.add(text);
            JsonNode row = expected.get(i).get(0);
            assertEquals(CONTEXT, row.size());
            int[] want = new int[row.size()];
            for (int j = 0; j < want.length; j++) {
                want[j] = row.get(j).asInt();
            }
            ClipTokenizer.Tokenized got = tokenizer.tokenize(text, CONTEXT, false);
            assertArrayEquals(want, got.ids(), "ids of \"" + text + "\"");
            assertFalse(got.truncated());
        }
        int[][] all = tokenizer.tokenizeAll(texts, CONTEXT, false);
        assertEquals(3, all.length);
        for (int i = 0; i < all.length; i++) {
            assertArrayEquals(tokenizer.tokenize(texts.get(i), CONTEXT, false).ids(), all[i]);
        }
    }

    /**
     * Ids produced by OpenAI's own {@code clip/simple_tokenizer.py} (with ftfy 6.3.1 and regex) on this
     * vocabulary. They exercise contractions and upper case, curly quotes, HTML entities, a Latin
     * ligature, full-width letters, NFC, emoji bytes, the final sigma and Unicode white space.
     */
    @Test
    void matchesIdsFromOpenAiSimpleTokenizer() {
        assertArrayEquals(new int[] {320, 1125, 539, 320, 2368, 267, 2923, 713, 585, 286},
                tokenizer.encode("A photo of a CAT, isn't it?"));
        assertArrayEquals(new int[] {585, 568, 257, 3797, 257, 261, 2481},
                tokenizer.encode("It\u2019s &quot;\uFB01ne&quot; &amp; \uFF2F\uFF2B"));
        assertArrayEquals(new int[] {15304, 22979, 8604, 500, 278}, tokenizer.encode("cafe\u0301 \uD83D\uDC31 \u21167"));
        assertArrayEquals(new int[] {138, 123, 138, 112, 138, 123, 139, 480, 138, 123, 138, 112, 138, 123, 139, 480, 269},
                tokenizer.encode("\u039F\u0394\u039F\u03A3 \u039F\u0394\u039F\u03A3."));
        // Python lower-cases this sigma to final (ς, 480) where Java's toLowerCase gives σ (481).
        assertArrayEquals(new int[] {138, 109, 139, 480, 268, 138, 366}, tokenizer.encode("\u0391\u03A3-\u0392"));
        assertArrayEquals(new int[] {14724, 537, 3184, 9006}, tokenizer.encode("Tab\tand\u3000wide\u00A0spaces  "));
        assertArrayEquals(new int[] {343, 283, 321, 285, 261, 344}, tokenizer.encode("x <b> &amp;amp; y"));
        // U+0345 folds to a letter, so under IGNORECASE the regex module matches it with no alternative.
        assertArrayEquals(new int[] {2781, 256, 286}, tokenizer.encode("wow!\u0345?"));
        // ftfy decodes &#x2019; and uncurls it before html.unescape runs; it also unescapes repeatedly.
        assertArrayEquals(new int[] {585, 568, 261, 750}, tokenizer.encode("it&#x2019;s &amp;amp;amp; more"));
    }

    @Test
    void upperCaseEncodesLikeLowerCase() {
        assertArrayEquals(tokenizer.encode("a photo of a dog"), tokenizer.encode("A PHOTO OF A DOG"));
        assertArrayEquals(tokenizer.encode("we're here, you'll see"), tokenizer.encode("WE'RE HERE, YOU'LL SEE"));
    }

    @Test
    void whitespaceIsFoldedAndStripped() {
        int[] plain = tokenizer.encode("a photo of a dog");
        assertArrayEquals(plain, tokenizer.encode("  a \t photo\n\nof\u00A0a   dog \r\n"));
        assertEquals(0, tokenizer.encode(" \t\n ").length);
    }

    @Test
    void htmlEntitiesAreUnescaped() {
        assertArrayEquals(tokenizer.encode("rock & roll"), tokenizer.encode("rock &amp; roll"));
        assertArrayEquals(tokenizer.encode("rock & roll"), tokenizer.encode("rock &amp;amp; roll"));
        assertArrayEquals(tokenizer.encode("it's"), tokenizer.encode("it&#39;s"));
        assertArrayEquals(tokenizer.encode("caf\u00E9"), tokenizer.encode("caf&eacute;"));
        assertFalse(Arrays.equals(tokenizer.encode("rock & roll"), tokenizer.encode("rock and roll")));
    }

    @Test
    void textIsNfcNormalisedAndQuotesUncurled() {
        assertArrayEquals(tokenizer.encode("caf\u00E9"), tokenizer.encode("cafe\u0301"));
        assertArrayEquals(tokenizer.encode("don't"), tokenizer.encode("don\u2019t"));
    }

    @Test
    void specialTokensAndVocabulary() {
        assertEquals(49408, tokenizer.vocabSize());
        assertArrayEquals(new int[] {ClipTokenizer.END}, tokenizer.encode("<|endoftext|>"));
        assertArrayEquals(new int[] {ClipTokenizer.START}, tokenizer.encode("<|startoftext|>"));
        assertEquals("<|startoftext|>a photo of a cat <|endoftext|>",
                tokenizer.decode(new int[] {ClipTokenizer.START, 320, 1125, 539, 320, 2368, ClipTokenizer.END}));
        assertEquals("a photo of a cat ", tokenizer.decode(tokenizer.encode("A photo of a cat")));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {49408}));
    }

    @Test
    void shortTextIsFramedAndZeroPadded() {
        int[] body = tokenizer.encode("a photo of a cat");
        ClipTokenizer.Tokenized row = tokenizer.tokenize("a photo of a cat", CONTEXT, false);
        int[] ids = row.ids();
        assertEquals(CONTEXT, ids.length);
        assertFalse(row.truncated());
        assertEquals(ClipTokenizer.START, ids[0]);
        assertArrayEquals(body, Arrays.copyOfRange(ids, 1, body.length + 1));
        assertEquals(ClipTokenizer.END, ids[body.length + 1]);
        for (int i = body.length + 2; i < CONTEXT; i++) {
            assertEquals(0, ids[i], "padding at " + i);
        }
        int[] empty = tokenizer.tokenize("", 8, false).ids();
        assertArrayEquals(new int[] {ClipTokenizer.START, ClipTokenizer.END, 0, 0, 0, 0, 0, 0}, empty);
    }

    @Test
    void textThatExactlyFillsTheContextIsNotTruncated() {
        String fits = "a ".repeat(CONTEXT - 2);
        assertEquals(CONTEXT - 2, tokenizer.encode(fits).length);
        ClipTokenizer.Tokenized row = tokenizer.tokenize(fits, CONTEXT, false);
        assertFalse(row.truncated());
        assertEquals(ClipTokenizer.END, row.ids()[CONTEXT - 1]);
        assertThrows(IllegalArgumentException.class, () -> tokenizer.tokenize(fits + "a", CONTEXT, false));
    }

    @Test
    void longTextIsTruncatedToEndWithEnd() {
        String text = "a photo of a very large and very fluffy cat sitting on a red sofa. ".repeat(10);
        int[] body = tokenizer.encode(text);
        assertTrue(body.length > CONTEXT, "test text must be longer than the context");
        ClipTokenizer.Tokenized row = tokenizer.tokenize(text, CONTEXT, true);
        assertTrue(row.truncated());
        assertEquals(CONTEXT, row.ids().length);
        assertEquals(ClipTokenizer.START, row.ids()[0]);
        assertArrayEquals(Arrays.copyOf(body, CONTEXT - 2), Arrays.copyOfRange(row.ids(), 1, CONTEXT - 1));
        assertEquals(ClipTokenizer.END, row.ids()[CONTEXT - 1]);
        assertEquals(ClipTokenizer.END, tokenizer.tokenizeAll(List.of(text), CONTEXT, true)[0][CONTEXT - 1]);
    }

    @Test
    void longTextWithoutTruncateThrowsWithCounts() {
        String text = "a photo of a very large and very fluffy cat sitting on a red sofa. ".repeat(10);
        int tokens = tokenizer.encode(text).length + 2;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tokenizer.tokenize(text, CONTEXT, false));
        String message = e.getMessage();
        assertTrue(message.contains("\"a photo of a very large"), message);
        assertTrue(message.contains(tokens + " tokens"), message);
        assertTrue(message.contains("context length " + CONTEXT), message);
        assertTrue(message.length() < 300, "message quotes a shortened text: " + message);
        assertThrows(IllegalArgumentException.class, () -> tokenizer.tokenizeAll(List.of("ok", text), CONTEXT, false));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.tokenize("ok", 1, true));
    }

    @Test
    void concurrentEncodingMatchesSequential() throws IOException {
        ClipTokenizer fresh = ClipTokenizer.load(shared.resolve(VOCAB));
        List<String> texts = IntStream.range(0, 2000)
                .mapToObj(i -> "photo number " + i + " of a " + (i % 2 == 0 ? "dog" : "cat") + " by user" + (i * 7919))
                .toList();
        int[][] parallel = texts.parallelStream().map(fresh::encode).toArray(int[][]::new);
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(tokenizer.encode(texts.get(i)), parallel[i], texts.get(i));
        }
    }

    @Test
    void missingVocabularyNamesThePath(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-vocab.txt.gz");
        IOException e = assertThrows(IOException.class, () -> ClipTokenizer.load(missing));
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void corruptVocabularyNamesThePath(@TempDir Path dir) throws IOException {
        Path notGzip = Files.writeString(dir.resolve("vocab.txt.gz"), "not gzip", StandardCharsets.UTF_8);
        IOException e = assertThrows(IOException.class, () -> ClipTokenizer.load(notGzip));
        assertTrue(e.getMessage().contains(notGzip.toString()), e.getMessage());
    }
}
