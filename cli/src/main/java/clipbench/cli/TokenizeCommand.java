package clipbench.cli;

import clipbench.clip.text.ClipTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code clipbench tokenize TEXT...}: CLIP BPE token ids, one line of space-separated ids per text. */
@Command(name = "tokenize", description = "Print CLIP token ids (context-length ids per line) for each text.")
final class TokenizeCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "TEXT")
    List<String> texts;

    @Option(names = "--vocab", description = "bpe_simple_vocab_16e6.txt.gz (default: CLIPBENCH_VOCAB / ../shared/clip)")
    Path vocab;

    @Option(names = "--context", defaultValue = "77", description = "Context length (default ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--truncate", description = "Cut texts that are too long instead of failing.")
    boolean truncate;

    @Override
    public Integer call() throws Exception {
        ClipTokenizer tokenizer = ClipTokenizer.load(vocab != null ? vocab : Cli.defaultVocab());
        for (int[] row : tokenizer.tokenizeAll(texts, context, truncate)) {
            System.out.println(Arrays.stream(row).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
        }
        return 0;
    }
}
