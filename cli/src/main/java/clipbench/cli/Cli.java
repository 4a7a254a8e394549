package clipbench.cli;

import clipbench.api.model.ModelCard;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small helpers shared by commands. */
final class Cli {
    private Cli() {
    }

    /** The clipbench checkout: {@code clipbench.root} (set by the launcher), else the current directory. */
    static Path root() {
        return Path.of(System.getProperty("clipbench.root", ".")).toAbsolutePath().normalize();
    }

    /** The CLIP vocabulary named by {@code clipbench.vocab} / {@code CLIPBENCH_VOCAB}, or a clear error. */
    static Path defaultVocab() {
        String configured = System.getProperty(ModelCard.VOCAB_PROPERTY, System.getenv("CLIPBENCH_VOCAB"));
        if (configured != null && Files.isRegularFile(Path.of(configured))) {
            return Path.of(configured);
        }
        throw new IllegalStateException("no CLIP vocabulary: pass --vocab FILE or set CLIPBENCH_VOCAB to OpenAI's"
                + " bpe_simple_vocab_16e6.txt.gz (see README, 'The tokenizer vocabulary')"
                + (configured == null ? "" : "; not a file: " + configured));
    }
}
