package clipbench.api.spi;

import java.util.Locale;

/** Where a backend should run. {@code AUTO} falls back to the CPU; {@code GPU} never does silently. */
public enum Device {
    CPU, GPU, AUTO;

    public static Device parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("device: expected cpu, gpu or auto, got '" + text + "'");
        }
    }
}
