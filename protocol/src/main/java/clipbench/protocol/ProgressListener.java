package clipbench.protocol;

/** Receives progress of long work; the CLI shows it as a progress bar. */
public interface ProgressListener {
    ProgressListener NONE = new ProgressListener() {
    };

    default void start(String task, long total) {
    }

    default void advance(long steps) {
    }

    default void finish() {
    }

    /** Something the user should see that does not stop the work (e.g. a skipped image and why). */
    default void warn(String message) {
    }
}
