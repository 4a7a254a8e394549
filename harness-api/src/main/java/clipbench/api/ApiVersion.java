package clipbench.api;

/**
 * The version of the plugin API ({@code harness-api} and {@code clip-core}), which a plugin jar states in its
 * manifest as {@value #MANIFEST_ATTRIBUTE}{@code : MAJOR.MINOR}.
 *
 * <h2>The promise</h2>
 * <ul>
 *   <li>A minor version ({@code 1.0} to {@code 1.1}) only adds: new types, new methods with a default, new
 *       constants. A plugin built for {@code 1.m} runs on every clipbench whose API is {@code 1.n} with
 *       {@code n >= m}.</li>
 *   <li>A major version ({@code 1.x} to {@code 2.0}) may remove or change anything in {@code clipbench.api}
 *       and {@code clipbench.clip}; plugins built for another major are refused.</li>
 *   <li>Classes outside those packages (protocol, backends, cli) are not API: a plugin must not use them.</li>
 * </ul>
 * A jar that states no version, a malformed one, or an incompatible one is refused, naming the jar and both
 * versions; the other plugins still load.
 */
public final class ApiVersion {
    /**
     * The API this clipbench implements. 1.1 added {@code Precision}, {@code BackendOptions.precision} and
     * {@code BackboneProvider.checkPrecision}, and {@code Upsampler.name}; 1.2 added
     * {@code Backbone.fineTunable} with {@code FineTunable}, {@code TowerCut}, {@code TrainableParameter} and
     * {@code Capability.FINE_TUNE} (all with defaults); 1.3 added {@code Backbone.embedTexts} (a default that
     * refuses) and {@code Capability.TEXT_STRINGS}, for text towers with their own tokenizer, and {@code Dataset.captions}
     * (a default that offers none), for image-text alignment: 1.0 to 1.2 plugins
     * still run.
     */
    public static final String CURRENT = "1.3";

    /** The manifest attribute a plugin jar states the API version it was built for in. */
    public static final String MANIFEST_ATTRIBUTE = "Clipbench-Api-Version";

    private ApiVersion() {
    }

    /** Why a plugin built for {@code declared} cannot run on {@link #CURRENT}, or null when it can. */
    public static String incompatibility(String declared) {
        return incompatibility(declared, CURRENT);
    }

    // Package-visible for tests of other current versions.
    static String incompatibility(String declared, String current) {
        if (declared == null || declared.isBlank()) {
            return "states no " + MANIFEST_ATTRIBUTE + " in its manifest (this clipbench has API " + current
                    + "; see docs/PLUGINS.md)";
        }
        int[] want = parse(declared.trim());
        int[] have = parse(current);
        if (want == null) {
            return MANIFEST_ATTRIBUTE + " '" + declared + "' is not MAJOR.MINOR (this clipbench has API " + current + ")";
        }
        if (want[0] != have[0]) {
            return "built for clipbench API " + declared.trim() + ", this clipbench has API " + current
                    + " (another major version: rebuild the plugin against API " + have[0] + ".x)";
        }
        if (want[1] > have[1]) {
            return "built for clipbench API " + declared.trim() + ", this clipbench has API " + current
                    + " (older: update clipbench)";
        }
        return null;
    }

    private static int[] parse(String version) {
        String[] parts = version.split("\\.");
        if (parts.length != 2) {
            return null;
        }
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = Integer.parseInt(parts[1]);
            return major < 0 || minor < 0 ? null : new int[]{major, minor};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
