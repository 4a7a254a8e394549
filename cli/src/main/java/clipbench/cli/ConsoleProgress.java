package clipbench.cli;

import clipbench.protocol.ProgressListener;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Shows protocol progress as a console progress bar with rate and ETA (on stderr). */
final class ConsoleProgress implements ProgressListener {
    private final String prefix;
    private ProgressBar bar;

    ConsoleProgress(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public void start(String task, long total) {
        finish();
        bar = new ProgressBarBuilder().setTaskName(prefix + task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).showSpeed().setConsumer(
                        new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(500).build();
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
        System.err.println("warning: " + message);
    }

    @Override
    public void finish() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
