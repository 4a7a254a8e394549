package clipbench.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the packaged CLI jar in a child JVM, as a user would. */
final class CliProcess {
    record Result(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }
    }

    static Path root() {
        return Path.of(System.getProperty("clipbench.root", "..")).toAbsolutePath().normalize();
    }

    static Path shared() {
        return Path.of(System.getProperty("clipbench.shared", root().resolve("../shared").toString()))
                .toAbsolutePath().normalize();
    }

    static Path vocab() {
        return shared().resolve("clip/bpe_simple_vocab_16e6.txt.gz");
    }

    static Result run(String... args) throws IOException, InterruptedException {
        return runWithVocab(vocab(), args);
    }

    /** Runs the CLI with {@code -Dclipbench.vocab=vocab} (a missing file: no vocabulary outside model folders). */
    static Result runWithVocab(Path vocab, String... args) throws IOException, InterruptedException {
        return runWithEnv(vocab, Map.of(), args);
    }

    /** Like {@link #runWithVocab}, with {@code env} added to the child's environment. */
    static Result runWithEnv(Path vocab, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("clipbench.jar", "target/clipbench.jar"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dclipbench.vocab=" + vocab, "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("cli", ".out");
        Path err = Files.createTempFile("cli", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root().toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("clipbench " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return r;
    }
}
