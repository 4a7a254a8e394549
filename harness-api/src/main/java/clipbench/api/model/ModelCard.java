package clipbench.api.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    /** OpenAI's CLIP BPE vocabulary file. */
    public static final String OPENAI_VOCAB = "bpe_simple_vocab_16e6.txt.gz";
    /** The merges file beside a Hugging Face {@code vocab.json}. */
    public static final String HF_MERGES = "merges.txt";

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
     * The tokenizer vocabulary: the model directory's own copy if present (for {@code vocab.json}, with
     * {@code merges.txt} beside it: Hugging Face's two files), else OpenAI's gz named by the {@value #VOCAB_PROPERTY}
     * system property or {@code CLIPBENCH_VOCAB} environment variable. Only text needs it; the error names every
     * file looked for.
     */
    public Path resolveVocab() {
        String file = vocabFile == null ? OPENAI_VOCAB : vocabFile;
        Path own = directory.resolve(file);
        List<Path> needed = file.endsWith(".json") ? List.of(own, own.resolveSibling(HF_MERGES)) : List.of(own);
        if (needed.stream().allMatch(Files::isRegularFile)) {
            return own;
        }
        String configured = System.getProperty(VOCAB_PROPERTY, System.getenv("CLIPBENCH_VOCAB"));
        if (configured != null && Files.isRegularFile(Path.of(configured))) {
            return Path.of(configured);
        }
        List<Path> missing = needed.stream().filter(p -> !Files.isRegularFile(p)).toList();
        throw new IllegalStateException(directory + ": tokenizer vocabulary not found: missing "
                + missing.stream().map(Path::toString).collect(java.util.stream.Collectors.joining(" and "))
                + (file.equals(OPENAI_VOCAB) ? "" : " (or OpenAI's " + OPENAI_VOCAB + ")")
                + "; copy them into the model directory or set CLIPBENCH_VOCAB to OpenAI's " + OPENAI_VOCAB
                + " (see README); only text needs it, images do not.");
    }
}
