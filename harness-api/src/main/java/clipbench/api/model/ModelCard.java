package clipbench.api.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What the harness knows about a model directory: read from {@code model-card.json}, or inferred from
 * a known export layout by {@link ModelCards}. Immutable.
 *
 * @param directory     the model directory
 * @param name          model name, used in results
 * @param family        e.g. {@code clip-vit}, {@code clip-resnet}, {@code keras}
 * @param preprocess    how images become input
 * @param contextLength text context length (0 without a text tower)
 * @param embedDim      embedding length
 * @param logitScale    multiplier of cosine similarities (CLIP: 100)
 * @param vocabFile     tokenizer vocabulary file name, resolved by {@link #resolveVocab}; null without text
 * @param artifacts     format (onnx, torchscript, savedmodel, safetensors) to role (image, text, ...) to file
 */
public record ModelCard(Path directory, String name, String family, PreprocessSpec preprocess,
                        int contextLength, int embedDim, double logitScale, String vocabFile,
                        Map<String, Map<String, String>> artifacts) {

    /** Where the shared CLIP vocabulary may be found when a model directory has no copy. */
    public static final String VOCAB_PROPERTY = "clipbench.vocab";

    public ModelCard {
        artifacts = Map.copyOf(artifacts);
    }

    /** The file for one role of one format, e.g. {@code artifact("onnx", "image")}. */
    public Optional<Path> artifact(String format, String role) {
        Map<String, String> files = artifacts.get(format);
        if (files == null || !files.containsKey(role)) {
            return Optional.empty();
        }
        return Optional.of(directory.resolve(files.get(role)));
    }

    /** Like {@link #artifact} but fails with a message naming the card and the missing entry. */
    public Path requireArtifact(String format, String role) {
        return artifact(format, role).orElseThrow(() -> new IllegalArgumentException(
                directory + ": the model card lists no '" + role + "' artifact for format '" + format
                        + "' (it has " + artifacts.keySet() + ")"));
    }

    public boolean hasText(String format) {
        return artifact(format, "text").isPresent() && contextLength > 0;
    }

    /**
     * The tokenizer vocabulary: the model directory's own copy if present, else the file named by the
     * {@value #VOCAB_PROPERTY} system property or {@code CLIPBENCH_VOCAB} environment variable.
     */
    public Path resolveVocab() {
        String file = vocabFile == null ? "bpe_simple_vocab_16e6.txt.gz" : vocabFile;
        Path own = directory.resolve(file);
        if (Files.isRegularFile(own)) {
            return own;
        }
        String configured = System.getProperty(VOCAB_PROPERTY, System.getenv("CLIPBENCH_VOCAB"));
        if (configured != null && Files.isRegularFile(Path.of(configured))) {
            return Path.of(configured);
        }
        throw new IllegalStateException(own + ": tokenizer vocabulary not found; copy OpenAI's "
                + file + " into the model directory or set CLIPBENCH_VOCAB (see README)");
    }
}
