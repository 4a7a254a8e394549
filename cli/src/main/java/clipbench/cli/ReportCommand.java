package clipbench.cli;

import clipbench.reports.ReportBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code clipbench report RUN_DIR [RUN_B ...] [--out CMP]}: charts and HTML rebuilt from the CSVs alone. */
@Command(name = "report", description = "Rebuild summary.csv, charts and report.html from run directories' CSVs;"
        + " several runs merge into one comparison report.")
final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RUN_DIR")
    List<Path> runs;

    @Option(names = "--out", description = "Where to write the report (default: the single RUN_DIR).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (out == null && runs.size() > 1) {
            throw new IllegalArgumentException("several run directories need --out for the merged report");
        }
        Path target = out == null ? runs.get(0) : out;
        ReportBuilder.build(runs, target);
        System.out.println("report: " + target.resolve("report.html"));
        return 0;
    }
}
