package clipbench.api.spi;

import java.util.Map;
import java.util.TreeMap;

/**
 * How a backend should run a model. Immutable and validated once.
 *
 * @param intraOpThreads threads one operator may use; 0 lets the runtime decide
 * @param device         where to run
 * @param settings       backend-specific settings ({@code --backend-option KEY=VALUE}), sorted by key; the
 *                       provider checks them ({@link BackboneProvider#checkSettings}) before any work
 * @param precision      number format to compute in; the provider checks it ({@link BackboneProvider#checkPrecision})
 */
public record BackendOptions(int intraOpThreads, Device device, Map<String, String> settings, Precision precision) {
    public BackendOptions {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("threads: must be >= 0, got " + intraOpThreads);
        }
        if (device == null) {
            throw new IllegalArgumentException("device: must be set");
        }
        settings = settings == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(settings));
        if (precision == null) {
            throw new IllegalArgumentException("precision: must be set");
        }
    }

    /** fp32. */
    public BackendOptions(int intraOpThreads, Device device, Map<String, String> settings) {
        this(intraOpThreads, device, settings, Precision.FP32);
    }

    public BackendOptions(int intraOpThreads, Device device) {
        this(intraOpThreads, device, Map.of());
    }

    public static BackendOptions defaults() {
        return new BackendOptions(0, Device.CPU);
    }

    /**
     * Parses {@code KEY=VALUE} strings (as given on the command line) into a map; a missing {@code =}, an
     * empty key or a key given twice is an error naming the entry.
     */
    public static Map<String, String> parseSettings(java.util.List<String> entries) {
        Map<String, String> out = new TreeMap<>();
        for (String entry : entries == null ? java.util.List.<String>of() : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--backend-option " + entry + ": expected KEY=VALUE");
            }
            String key = entry.substring(0, eq).trim();
            if (out.put(key, entry.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException("--backend-option " + key + ": given twice");
            }
        }
        return out;
    }

    /** Checks that every key starts with one of {@code ids} and a dot, so that no setting is silently ignored. */
    public static void requireBackendPrefixes(Map<String, String> settings, java.util.Collection<String> ids) {
        for (String key : settings.keySet()) {
            if (!ids.contains(key.split("\\.", 2)[0])) {
                throw new IllegalArgumentException("--backend-option " + key + ": must start with the id of a backend"
                        + " in use " + ids + " and a dot, e.g. onnx.spinning");
            }
        }
    }

    /** The entries whose key starts with {@code id.}. */
    public static Map<String, String> settingsOf(Map<String, String> settings, String id) {
        Map<String, String> own = new TreeMap<>(settings);
        own.keySet().removeIf(k -> !k.startsWith(id + "."));
        return own;
    }
}
