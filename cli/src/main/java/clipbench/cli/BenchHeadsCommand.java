package clipbench.cli;

import clipbench.protocol.bench.HeadsBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code clipbench bench-heads}: times LITE and PRO fits on synthetic features (a benchmark, not a test). */
@Command(name = "bench-heads", description = "Time LITE (with its L2 sweep) and PRO on synthetic normalised features.")
final class BenchHeadsCommand implements Callable<Integer> {
    @Option(names = "--rows", defaultValue = "60000", description = "Training rows (default ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--dim", defaultValue = "512", description = "Feature dimension (default ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--classes", defaultValue = "10", description = "Classes (default ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--seed", defaultValue = "42", description = "Data seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        System.out.println(HeadsBenchmark.run(rows, dim, classes, seed).format());
        return 0;
    }
}
