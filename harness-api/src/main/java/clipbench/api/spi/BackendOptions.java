package clipbench.api.spi;

/**
 * How a backend should run a model. Immutable and validated once.
 *
 * @param intraOpThreads threads one operator may use; 0 lets the runtime decide
 * @param device         where to run
 */
public record BackendOptions(int intraOpThreads, Device device) {
    public BackendOptions {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("threads: must be >= 0, got " + intraOpThreads);
        }
        if (device == null) {
            throw new IllegalArgumentException("device: must be set");
        }
    }

    public static BackendOptions defaults() {
        return new BackendOptions(0, Device.CPU);
    }
}
