package clipbench.cli;

import clipbench.api.spi.Plugins;
import clipbench.protocol.bench.BenchCase;
import clipbench.protocol.bench.BenchResult;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one {@link BenchCase} in a child JVM: the same java binary, classpath and -D/-X settings as this one
 * (ai.djl.offline, clipbench.vocab, heap size), stderr shown as it comes. Any failure (exit code, no result
 * line, time limit) is an error naming the case: no row is ever made from a failed child.
 */
final class BenchProcess {
    private BenchProcess() {
    }

    static BenchResult run(BenchCase c) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command(c)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        AtomicReference<String> result = new AtomicReference<>();
        Thread reader = new Thread(() -> readStdout(p, result), "clipbench-bench-child-stdout");
        reader.setDaemon(true);
        reader.start();
        if (!p.waitFor(limitSeconds(c), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(c.label() + ": the child JVM did not finish in " + limitSeconds(c)
                    + " s; it was stopped");
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        if (p.exitValue() != 0 || result.get() == null) {
            throw new IOException(c.label() + ": the child JVM failed (exit code " + p.exitValue()
                    + (result.get() == null ? ", no result" : "") + "); see its message above");
        }
        return BenchChild.JSON.readValue(result.get(), BenchResult.class);
    }

    private static void readStdout(Process p, AtomicReference<String> result) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith(BenchChild.MARKER)) {
                    result.set(line.substring(BenchChild.MARKER.length()));
                } else {
                    System.err.println(line); // the parent's stdout stays the table of results
                }
            }
        } catch (IOException e) {
            System.err.println("bench: cannot read the child's output: " + e.getMessage());
        }
    }

    /** Generous: ten minutes to load and start, plus five times the planned timing. */
    static long limitSeconds(BenchCase c) {
        double planned = c.warmupSeconds() + c.seconds() * c.repeats() * (c.dataset() == null ? 1 : 2);
        return 600 + (long) Math.ceil(5 * planned);
    }

    private static List<String> command(BenchCase c) throws IOException {
        String javaBinary = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(javaBinary));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if ((arg.startsWith("-D") || arg.startsWith("-Xm") || arg.startsWith("-Xss") || arg.startsWith("-XX:"))
                    && !arg.startsWith("-D" + Plugins.PLUGINS_PROPERTY + "=")) {
                cmd.add(arg);
            }
        }
        // --plugins sets this property after start-up, so it is not among the input arguments.
        String plugins = System.getProperty(Plugins.PLUGINS_PROPERTY);
        if (plugins != null) {
            cmd.add("-D" + Plugins.PLUGINS_PROPERTY + "=" + plugins);
        }
        String classPath = System.getProperty("java.class.path");
        List<String> absolute = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            absolute.add(Path.of(entry).toAbsolutePath().toString());
        }
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, absolute), BenchChild.class.getName(),
                BenchChild.JSON.writeValueAsString(c)));
        return cmd;
    }
}
