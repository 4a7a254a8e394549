package clipbench.api.spi;

/** The four kinds of plugin the harness discovers with {@link java.util.ServiceLoader}. */
public enum PluginKind {
    BACKEND("backend", BackboneProvider.class),
    DATASET("dataset", DatasetProvider.class),
    UPSAMPLER("upsampler", UpsamplerProvider.class),
    HEAD("head", HeadProvider.class);

    private final String label;
    private final Class<?> service;

    PluginKind(String label, Class<?> service) {
        this.label = label;
        this.service = service;
    }

    /** Lower-case word used on the command line and in {@code clipbench list}. */
    public String label() {
        return label;
    }

    public Class<?> service() {
        return service;
    }
}
