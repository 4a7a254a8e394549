package clipbench.clip.text;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * OpenAI CLIP's byte-level BPE tokenizer, a faithful port of {@code clip/simple_tokenizer.py}
 * ({@link #encode}, {@link #decode}) and {@code clip.tokenize} ({@link #tokenize}).
 *
 * <p>Hand-written because the ids must be byte-exact with OpenAI's tokenizer (they index the text
 * tower's embedding table) and no well-kept Java port exists. The text clean-up that OpenAI does
 * with ftfy and {@code html.unescape} is in {@link ClipTextCleaner}, which lists what of ftfy is
 * not reproduced.
 *
 * <p>Immutable after {@link #load}; safe for concurrent use (the BPE cache is a
 * {@link ConcurrentHashMap}).
 */
public final class ClipTokenizer {

    /** Id of {@code <|startoftext|>}. */
    public static final int START = 49406;
    /** Id of {@code <|endoftext|>}; also what a truncated sequence ends with. */
    public static final int END = 49407;
    /** The context length of every released CLIP model. */
    public static final int DEFAULT_CONTEXT_LENGTH = 77;

    /** {@code merges[1 : 49152-256-2+1]}: the header line is skipped, 48,894 merges are used. */
    private static final int MERGES = 49152 - 256 - 2;
    private static final String START_TEXT = "<|startoftext|>";
    private static final String END_TEXT = "<|endoftext|>";
    private static final String END_OF_WORD = "</w>";
    /** Words kept in the BPE cache; beyond it words are still encoded, just not remembered. */
    private static final int CACHE_LIMIT = 1 << 17;

    /**
     * simple_tokenizer's {@code pat}, compiled with {@code regex.IGNORECASE}. {@code \s} is spelled
     * out as the White_Space class the {@code regex} module uses, and U+0345 (combining ypogegrammeni,
     * which case-folds to a letter) is kept out of the last class: under IGNORECASE the {@code regex}
     * module matches it with no alternative, so it is dropped like a space.
     */
    private static final Pattern WORDS = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]"
                    + "|[^" + ClipTextCleaner.WHITE_SPACE_CLASS + "\\p{L}\\p{N}\\u0345]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

    /** {@code bytes_to_unicode()}: byte value -> the printable character that stands for it. */
    private static final char[] BYTE_ENCODER = new char[256];
    /** The inverse of {@link #BYTE_ENCODER}; -1 where a character stands for no byte. */
    private static final int[] BYTE_DECODER = new int[256 + 256];
    /** The byte characters in simple_tokenizer's vocabulary order (printable bytes first). */
    private static final char[] BYTE_VOCAB = new char[256];

    static {
        Arrays.fill(BYTE_DECODER, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (isPrintableByte(b)) {
                BYTE_VOCAB[n++] = (char) b;
                BYTE_ENCODER[b] = (char) b;
            }
        }
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            if (!isPrintableByte(b)) {
                BYTE_ENCODER[b] = (char) (256 + extra++);
                BYTE_VOCAB[n++] = BYTE_ENCODER[b];
            }
        }
        for (int b = 0; b < 256; b++) {
            BYTE_DECODER[BYTE_ENCODER[b]] = b;
        }
    }

    private final String[] vocab;
    private final Map<String, Integer> encoder;
    /** Merge rank by pair, keyed {@code first + ' ' + second} (symbols never hold a space). */
    private final Map<String, Integer> bpeRanks;
    /** Byte-encoded word -> its ids. */
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /** A {@code clip.tokenize} row: ids padded with zeros, and whether the text was cut to fit. */
    public record Tokenized(int[] ids, boolean truncated) {
    }

    private ClipTokenizer(List<String[]> merges) {
        List<String> tokens = new ArrayList<>(2 * 256 + merges.size() + 2);
        for (char c : BYTE_VOCAB) {
            tokens.add(String.valueOf(c));
        }
        for (char c : BYTE_VOCAB) {
            tokens.add(c + END_OF_WORD);
        }
        for (String[] merge : merges) {
            tokens.add(merge[0] + merge[1]);
        }
        tokens.add(START_TEXT);
        tokens.add(END_TEXT);
        vocab = tokens.toArray(String[]::new);
        encoder = new HashMap<>(vocab.length * 2);
        for (int id = 0; id < vocab.length; id++) {
            encoder.put(vocab[id], id); // a later duplicate wins, as in dict(zip(vocab, range(...)))
        }
        bpeRanks = new HashMap<>(merges.size() * 2);
        for (int rank = 0; rank < merges.size(); rank++) {
            bpeRanks.put(merges.get(rank)[0] + ' ' + merges.get(rank)[1], rank);
        }
        cache.put(START_TEXT, new int[] {START});
        cache.put(END_TEXT, new int[] {END});
    }

    /**
     * Reads OpenAI's {@code bpe_simple_vocab_16e6.txt.gz}, or, for a {@code .json} file, Hugging Face's
     * {@code vocab.json} with {@code merges.txt} beside it ({@link #load(Path, Path)}).
     *
     * @throws IOException naming the file when it is missing, not gzip, not UTF-8, or too short
     */
    public static ClipTokenizer load(Path vocabGz) throws IOException {
        Objects.requireNonNull(vocabGz, "vocabGz");
        if (vocabGz.getFileName().toString().endsWith(".json")) {
            return load(vocabGz, vocabGz.resolveSibling(ModelCard.HF_MERGES));
        }
        byte[] bytes;
        try (InputStream file = Files.newInputStream(vocabGz); InputStream in = new GZIPInputStream(file)) {
            bytes = in.readAllBytes();
        } catch (NoSuchFileException e) {
            throw new IOException("CLIP BPE vocabulary not found: " + vocabGz, e);
        } catch (IOException e) {
            throw new IOException("cannot read CLIP BPE vocabulary " + vocabGz
                    + " (expected gzip text, bpe_simple_vocab_16e6.txt.gz): " + e.getMessage(), e);
        }
        return new ClipTokenizer(merges(utf8(bytes, vocabGz), vocabGz));
    }

    /**
     * Reads the same BPE as Hugging Face's {@code CLIPTokenizer} files: {@code merges.txt} (a {@code #version} line,
     * then merges; like transformers, lines 1 to 48,894 are used) and {@code vocab.json}, which must give every
     * token the id OpenAI's construction gives it (bytes, bytes + {@code </w>}, merges, the two special tokens), so
     * ids are those of the gz vocabulary or the load fails naming the first token that differs.
     */
    public static ClipTokenizer load(Path vocabJson, Path mergesTxt) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p : List.of(vocabJson, mergesTxt)) {
            if (!Files.isRegularFile(p)) {
                missing.add(p);
            }
        }
        if (!missing.isEmpty()) {
            throw new IOException("CLIP BPE tokenizer files not found: " + missing);
        }
        ClipTokenizer tokenizer = new ClipTokenizer(merges(utf8(Files.readAllBytes(mergesTxt), mergesTxt), mergesTxt));
        JsonNode vocab = ModelCards.readJson(vocabJson);
        if (vocab == null || !vocab.isObject() || vocab.size() != tokenizer.vocab.length) {
            throw new IOException(vocabJson + ": expected an object of " + tokenizer.vocab.length
                    + " tokens (CLIP's BPE vocabulary), found " + (vocab == null || !vocab.isObject() ? "no object"
                    : vocab.size() + " tokens"));
        }
        for (int id = 0; id < tokenizer.vocab.length; id++) {
            JsonNode found = vocab.get(tokenizer.vocab[id]);
            if (found == null || found.asInt(-1) != tokenizer.encoder.get(tokenizer.vocab[id])) {
                throw new IOException(vocabJson + ": token '" + tokenizer.vocab[id] + "' has id " + found + " but "
                        + mergesTxt.getFileName() + " makes it " + tokenizer.encoder.get(tokenizer.vocab[id])
                        + " (not CLIP's BPE vocabulary)");
            }
        }
        return tokenizer;
    }

    private static String utf8(byte[] bytes, Path source) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("CLIP BPE vocabulary is not UTF-8 text: " + source, e);
        }
    }

    /** {@code merges[1 : 48894 + 1]} of the file's lines (the first is a header), as symbol pairs. */
    private static List<String[]> merges(String text, Path source) throws IOException {
        String[] lines = text.split("\n", -1);
        if (lines.length < MERGES + 1) {
            throw new IOException("CLIP BPE vocabulary " + source + " has " + lines.length
                    + " lines, expected at least " + (MERGES + 1) + " (header + merges)");
        }
        List<String[]> merges = new ArrayList<>(MERGES);
        for (int line = 1; line <= MERGES; line++) {
            String[] pair = lines[line].strip().split("\\s+");
            if (pair.length != 2) {
                throw new IOException("CLIP BPE vocabulary " + source + ", line " + (line + 1)
                        + ": expected two symbols, got '" + lines[line] + "'");
            }
            merges.add(pair);
        }
        return merges;
    }

    /** Number of token ids (49,408 for OpenAI's vocabulary). */
    public int vocabSize() {
        return vocab.length;
    }

    /**
     * {@code SimpleTokenizer.encode}: BPE ids of the cleaned, lower-cased text, without
     * {@link #START}/{@link #END}.
     */
    public int[] encode(String text) {
        String cleaned = ClipTextCleaner.pythonLower(ClipTextCleaner.clean(text));
        IntList ids = new IntList(cleaned.length() + 2);
        Matcher words = WORDS.matcher(cleaned);
        while (words.find()) {
            ids.addAll(bpe(byteEncode(words.group())));
        }
        return ids.toArray();
    }

    /** {@code SimpleTokenizer.decode}: ids back to text, {@code </w>} read as a space. */
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            if (id < 0 || id >= vocab.length) {
                throw new IllegalArgumentException("token id " + id + " is outside [0, " + vocab.length + ")");
            }
            String token = vocab[id];
            for (int i = 0; i < token.length(); i++) {
                bytes.write(BYTE_DECODER[token.charAt(i)]);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8).replace(END_OF_WORD, " ");
    }

    /**
     * One row of {@code clip.tokenize}: {@code [START] + encode(text) + [END]}, zero-padded to
     * {@code contextLength}.
     *
     * @param truncate when the ids do not fit: true cuts them to {@code contextLength} and makes the
     *                 last one {@link #END} (as {@code clip.tokenize(truncate=True)}); false throws
     * @throws IllegalArgumentException when the text is too long and {@code truncate} is false, or
     *                                  {@code contextLength} is below 2
     */
    public Tokenized tokenize(String text, int contextLength, boolean truncate) {
        if (contextLength < 2) {
            throw new IllegalArgumentException("context length must be at least 2 (start and end), got "
                    + contextLength);
        }
        int[] body = encode(text);
        boolean truncated = body.length + 2 > contextLength;
        if (truncated && !truncate) {
            throw new IllegalArgumentException("Input \"" + shorten(text) + "\" has " + (body.length + 2)
                    + " tokens (with start and end), more than the context length " + contextLength
                    + "; tokenize with truncate=true to cut it");
        }
        int kept = truncated ? contextLength - 2 : body.length;
        int[] row = new int[contextLength];
        row[0] = START;
        System.arraycopy(body, 0, row, 1, kept);
        row[kept + 1] = END;
        return new Tokenized(row, truncated);
    }

    /** {@code clip.tokenize(texts, contextLength, truncate)}: one row per text. */
    public int[][] tokenizeAll(List<String> texts, int contextLength, boolean truncate) {
        int[][] rows = new int[texts.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = tokenize(texts.get(i), contextLength, truncate).ids();
        }
        return rows;
    }

    /** {@code ''.join(byte_encoder[b] for b in token.encode('utf-8'))}. */
    private static String byteEncode(String word) {
        byte[] utf8 = word.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            chars[i] = BYTE_ENCODER[utf8[i] & 0xFF];
        }
        return new String(chars);
    }

    /** {@code SimpleTokenizer.bpe} followed by the vocabulary lookup, cached per word. */
    private int[] bpe(String token) {
        int[] cached = cache.get(token);
        if (cached != null) {
            return cached;
        }
        List<String> word = new ArrayList<>(token.length());
        for (int i = 0; i < token.length() - 1; i++) {
            word.add(String.valueOf(token.charAt(i)));
        }
        word.add(token.charAt(token.length() - 1) + END_OF_WORD);
        while (word.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            int best = -1;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer rank = bpeRanks.get(word.get(i) + ' ' + word.get(i + 1));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            word = merge(word, word.get(best), word.get(best + 1));
        }
        int[] ids = new int[word.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = encoder.get(word.get(i));
        }
        if (cache.size() < CACHE_LIMIT) {
            cache.put(token, ids);
        }
        return ids;
    }

    /** Joins every left-to-right, non-overlapping occurrence of {@code first second}. */
    private static List<String> merge(List<String> word, String first, String second) {
        List<String> merged = new ArrayList<>(word.size());
        int i = 0;
        while (i < word.size()) {
            if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                merged.add(first + second);
                i += 2;
            } else {
                merged.add(word.get(i));
                i++;
            }
        }
        return merged;
    }

    /** Bytes {@code bytes_to_unicode} keeps as themselves: '!'..'~', '¡'..'¬', '®'..'ÿ'. */
    private static boolean isPrintableByte(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    private static String shorten(String text) {
        return text.codePointCount(0, text.length()) <= 60
                ? text : text.substring(0, text.offsetByCodePoints(0, 57)) + "...";
    }

    /** A growable int array, to keep {@link #encode} free of boxing. */
    private static final class IntList {
        private int[] values;
        private int size;

        IntList(int capacity) {
            values = new int[Math.max(capacity, 8)];
        }

        void addAll(int[] more) {
            if (size + more.length > values.length) {
                values = Arrays.copyOf(values, Math.max(values.length * 2, size + more.length));
            }
            System.arraycopy(more, 0, values, size, more.length);
            size += more.length;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
