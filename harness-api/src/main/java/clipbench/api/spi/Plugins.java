package clipbench.api.spi;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Finds plugins with {@link ServiceLoader}; a provider that fails to load is reported, not fatal. */
public final class Plugins {
    private Plugins() {
    }

    /** A discovered provider, or the error that kept it from loading. */
    public record Found<T>(PluginKind kind, T plugin, String error) {
        public String id() {
            return plugin instanceof Plugin p ? p.id() : "?";
        }
    }

    public static <T extends Plugin> List<Found<T>> discover(PluginKind kind, Class<T> type) {
        if (!kind.service().equals(type)) {
            throw new IllegalArgumentException(kind + " plugins are " + kind.service().getSimpleName());
        }
        List<Found<T>> found = new ArrayList<>();
        Iterator<T> it = ServiceLoader.load(type).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(new Found<>(kind, it.next(), null));
            } catch (ServiceConfigurationError e) {
                found.add(new Found<>(kind, null, e.getMessage()));
            }
        }
        return found;
    }

    public static <T extends Plugin> List<T> all(PluginKind kind, Class<T> type) {
        return discover(kind, type).stream().filter(f -> f.plugin() != null).map(Found::plugin).toList();
    }

    /** The plugin with this id, or an error listing the ids that exist. */
    public static <T extends Plugin> T find(PluginKind kind, Class<T> type, String id) {
        List<T> plugins = all(kind, type);
        return plugins.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("unknown " + kind.label() + " '" + id + "'; available: "
                        + plugins.stream().map(Plugin::id).sorted().toList()));
    }

    public static BackboneProvider backend(String id) {
        return find(PluginKind.BACKEND, BackboneProvider.class, id);
    }

    public static DatasetProvider dataset(String id) {
        return find(PluginKind.DATASET, DatasetProvider.class, id);
    }

    public static UpsamplerProvider upsampler(String id) {
        return find(PluginKind.UPSAMPLER, UpsamplerProvider.class, id);
    }

    public static HeadProvider head(String id) {
        return find(PluginKind.HEAD, HeadProvider.class, id);
    }
}
