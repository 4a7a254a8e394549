package clipbench.api.spi;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A dataset that hands every call to another one, so a wrapper (downscaled, subsampled) overrides only what
 * it changes. A wrapper that changes items or pixels must change {@link #name()} and {@link #fingerprint()}
 * too: both key the embedding cache.
 */
public abstract class ForwardingDataset implements Dataset {
    private final Dataset inner;

    protected ForwardingDataset(Dataset inner) {
        this.inner = Objects.requireNonNull(inner, "dataset");
    }

    /** The wrapped dataset. */
    public Dataset inner() {
        return inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public List<String> splits() {
        return inner.splits();
    }

    @Override
    public List<ClassInfo> classes() {
        return inner.classes();
    }

    @Override
    public List<DatasetItem> items(String split) {
        return inner.items(split);
    }

    @Override
    public List<String> warnings() {
        return inner.warnings();
    }

    @Override
    public String fingerprint() {
        return inner.fingerprint();
    }

    @Override
    public OptionalInt nativeResolution() {
        return inner.nativeResolution();
    }

    @Override
    public List<String> captions(DatasetItem item) {
        return inner.captions(item);
    }

    @Override
    public String testSplit() {
        return inner.testSplit();
    }

    @Override
    public String toString() {
        return ListedDataset.describe(this);
    }
}
