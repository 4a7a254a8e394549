package clipbench.cli;

import clipbench.protocol.ProgressListener;
import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows protocol progress on stderr: a redrawn progress bar with rate and ETA on a terminal, plain
 * periodic lines (one every {@link #PLAIN_INTERVAL_MILLIS}, and one at the end) when stderr goes to a
 * file or a pipe, so CI logs and {@code nohup} files stay readable. The plain interval can be set with
 * {@code -Dclipbench.progressIntervalMillis=N} (the load tool samples progress every second).
 */
final class ConsoleProgress implements ProgressListener {
    static final long PLAIN_INTERVAL_MILLIS = 10_000;

    private final String prefix;
    private final boolean terminal;
    private final PrintStream out;
    private final long plainIntervalMillis;
    private ProgressBar bar;

    ConsoleProgress(String prefix) {
        // Java 17 has no Console.isTerminal(); a console exists only when stdin and stdout are terminals.
        this(prefix, System.console() != null, System.err,
                Math.max(100, Long.getLong("clipbench.progressIntervalMillis", PLAIN_INTERVAL_MILLIS)));
    }

    ConsoleProgress(String prefix, boolean terminal, PrintStream out, long plainIntervalMillis) {
        this.prefix = prefix;
        this.terminal = terminal;
        this.out = out;
        this.plainIntervalMillis = plainIntervalMillis;
    }

    @Override
    public void start(String task, long total) {
        finish();
        ProgressBarConsumer consumer = terminal
                ? new ConsoleProgressBarConsumer(out)
                : new DelegatingProgressBarConsumer(new ChangedLines(out)::print);
        bar = new ProgressBarBuilder().setTaskName(prefix + task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).showSpeed().setConsumer(consumer)
                .setUpdateIntervalMillis(terminal ? 500 : (int) plainIntervalMillis).build();
    }

    @Override
    public void advance(long steps) {
        if (bar != null) {
            bar.stepBy(steps);
        }
    }

    @Override
    public void warn(String message) {
        finish();
        out.println("warning: " + message);
    }

    /** Prints a plain line only when it differs from the last one (the bar repeats its final state on close). */
    private static final class ChangedLines {
        private final PrintStream out;
        private String last;

        ChangedLines(PrintStream out) {
            this.out = out;
        }

        void print(String line) {
            if (!line.equals(last)) {
                out.println(line);
                last = line;
            }
        }
    }

    @Override
    public void finish() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
