package clipbench.api.spi;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds plugins: the built-in ones with {@link java.util.ServiceLoader}, plus those of plugin jars in the folders
 * named by {@value #PLUGINS_PROPERTY} and in the default folder (see {@link #folders()}). A provider or jar that
 * fails to load is reported, not fatal; see {@link PluginCatalog}.
 */
public final class Plugins {
    /** System property: plugin folders, separated by {@link File#pathSeparator} (the CLI's {@code --plugins}). */
    public static final String PLUGINS_PROPERTY = "clipbench.plugins";

    /** System property: the default plugin folder; empty turns it off. Default {@code ~/.clipbench/plugins}. */
    public static final String DEFAULT_FOLDER_PROPERTY = "clipbench.plugins.default";

    private static List<Path> cachedFolders;
    private static PluginCatalog cached;

    private Plugins() {
    }

    /**
     * A discovered provider, or the error that kept it from loading.
     *
     * @param source  {@value PluginCatalog#BUILT_IN} or the plugin jar's path (null for an id clash)
     * @param version the clipbench version for built-ins, the jar's {@code Implementation-Version} otherwise
     */
    public record Found<T>(PluginKind kind, T plugin, String error, String source, String version) {
        public String id() {
            return plugin instanceof Plugin p ? p.id() : "?";
        }
    }

    /**
     * The plugin folders: those of {@value #PLUGINS_PROPERTY}, then the default folder when it exists
     * ({@value #DEFAULT_FOLDER_PROPERTY}, else {@code ~/.clipbench/plugins}).
     */
    public static List<Path> folders() {
        List<Path> folders = new ArrayList<>();
        String given = System.getProperty(PLUGINS_PROPERTY, "");
        for (String folder : given.split(File.pathSeparator)) {
            if (!folder.isBlank()) {
                folders.add(Path.of(folder).toAbsolutePath().normalize());
            }
        }
        String home = System.getProperty(DEFAULT_FOLDER_PROPERTY,
                Path.of(System.getProperty("user.home"), ".clipbench", "plugins").toString());
        if (!home.isBlank() && Files.isDirectory(Path.of(home))) {
            folders.add(Path.of(home).toAbsolutePath().normalize());
        }
        return folders;
    }

    /** The catalog of the current {@link #folders()}; jars are opened once per set of folders. */
    public static synchronized PluginCatalog catalog() {
        List<Path> folders = folders();
        if (cached == null || !folders.equals(cachedFolders)) {
            cached = new PluginCatalog(folders, Plugins.class.getClassLoader());
            cachedFolders = folders;
        }
        return cached;
    }

    public static <T extends Plugin> List<Found<T>> discover(PluginKind kind, Class<T> type) {
        return catalog().discover(kind, type);
    }

    /** The plugin with this id, or an error listing the ids that exist, or naming both sources of a clash. */
    public static <T extends Plugin> T find(PluginKind kind, Class<T> type, String id) {
        return catalog().find(kind, type, id);
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

    /** The plugin id of an {@code ID[:ARGUMENT]} setting ({@code --dataset}, {@code --upsampler}). */
    public static String idOf(String spec) {
        return spec.split(":", 2)[0];
    }

    /** The argument of an {@code ID[:ARGUMENT]} setting, "" when there is none. */
    public static String argumentOf(String spec) {
        String[] parts = spec.split(":", 2);
        return parts.length > 1 ? parts[1] : "";
    }

    /** Opens an {@code ID:LOCATION} dataset setting with its plugin. */
    public static Dataset openDataset(String spec) throws IOException {
        return dataset(idOf(spec)).open(argumentOf(spec));
    }

    /** Creates an {@code ID[:ARGUMENT]} upsampler setting with its plugin. */
    public static Upsampler createUpsampler(String spec, BackendOptions options) throws IOException {
        return upsampler(idOf(spec)).create(argumentOf(spec), options);
    }
}
