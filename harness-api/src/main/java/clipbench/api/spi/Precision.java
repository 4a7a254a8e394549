package clipbench.api.spi;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The number format a backbone computes in. {@link #FP32} is the reference every backend runs; the others are
 * opt-in, asked for through {@link BackendOptions#precision()} and refused by a provider that cannot run them
 * ({@link BackboneProvider#checkPrecision}).
 */
public enum Precision {
    FP32, BF16, INT8;

    /** The lower-case name used on the command line and in bench.csv. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code fp32}, {@code bf16} or {@code int8}; anything else is an error naming {@code --precision}. */
    public static Precision parse(String text) {
        for (Precision p : values()) {
            if (p.id().equals(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException("--precision " + text + ": expected one of "
                + Arrays.stream(values()).map(Precision::id).collect(Collectors.joining(", ")));
    }
}
