package clipbench.api.spi;

import clipbench.api.ApiVersion;
import clipbench.api.Versions;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The built-in plugins plus those of plugin jars from outside: every {@code *.jar} of the given folders, each in
 * its own class loader (parent: the harness's), whose {@code META-INF/services} providers join the built-in ones.
 * A jar that cannot be opened, or states an incompatible {@link ApiVersion}, is a {@link #problems() problem}
 * naming it; a provider that fails to load is a {@link Plugins.Found} with an error; an id provided twice is
 * refused naming both sources. Nothing here stops the other plugins from loading.
 */
public final class PluginCatalog {
    /** The source of plugins on the harness's own class path. */
    public static final String BUILT_IN = "built-in";

    /** An accepted plugin jar: its loader and manifest version ({@code Implementation-Version}). */
    record Jar(Path path, ClassLoader loader, String version) {
    }

    private final List<Jar> jars = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    /**
     * @param folders plugin folders; each {@code *.jar} directly in them is read, in name order (a jar reached
     *                twice, e.g. through a link, once)
     * @param parent  the class loader plugin jars see the API through
     */
    public PluginCatalog(List<Path> folders, ClassLoader parent) {
        Set<Path> seen = new LinkedHashSet<>();
        for (Path folder : folders) {
            for (Path jar : jarsIn(folder)) {
                try {
                    if (seen.add(jar.toRealPath())) {
                        open(jar, parent);
                    }
                } catch (IOException | RuntimeException e) {
                    problems.add(jar + ": not a readable jar (" + e.getMessage() + "); skipped");
                }
            }
        }
    }

    /** Jar-level problems (unreadable, wrong API version), each naming its jar or folder. */
    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    /**
     * Every provider of {@code kind}: built-in first, then each jar's, then one error per id provided more than
     * once. A provider that fails to load is an error naming its source.
     */
    public <T extends Plugin> List<Plugins.Found<T>> discover(PluginKind kind, Class<T> type) {
        if (!kind.service().equals(type)) {
            throw new IllegalArgumentException(kind + " plugins are " + kind.service().getSimpleName());
        }
        List<Plugins.Found<T>> found = new ArrayList<>();
        load(kind, type, ServiceLoader.load(type), null, BUILT_IN, Versions.clipbench(), found);
        for (Jar jar : jars) {
            load(kind, type, ServiceLoader.load(type, jar.loader()), jar.loader(), jar.path().toString(),
                    jar.version(), found);
        }
        Map<String, List<Plugins.Found<T>>> byId = new LinkedHashMap<>();
        found.stream().filter(f -> f.plugin() != null)
                .forEach(f -> byId.computeIfAbsent(f.id(), id -> new ArrayList<>()).add(f));
        byId.forEach((id, same) -> {
            if (same.size() > 1) {
                found.add(new Plugins.Found<>(kind, null, clash(kind, id, same), null, null));
            }
        });
        return found;
    }

    /** The plugin with this id; an error listing the ids there are (and the problems) or naming a clash. */
    public <T extends Plugin> T find(PluginKind kind, Class<T> type, String id) {
        List<Plugins.Found<T>> found = discover(kind, type);
        List<Plugins.Found<T>> matches = found.stream().filter(f -> f.plugin() != null && f.id().equals(id)).toList();
        if (matches.size() > 1) {
            throw new IllegalArgumentException(clash(kind, id, matches));
        }
        if (matches.isEmpty()) {
            List<String> trouble = new ArrayList<>(problems);
            found.stream().filter(f -> f.plugin() == null).forEach(f -> trouble.add(f.error()));
            throw new IllegalArgumentException("unknown " + kind.label() + " '" + id + "'; available: "
                    + found.stream().filter(f -> f.plugin() != null).map(Plugins.Found::id).distinct().sorted().toList()
                    + (trouble.isEmpty() ? "" : "; not loaded: " + String.join("; ", trouble)));
        }
        return matches.get(0).plugin();
    }

    private static String clash(PluginKind kind, String id, List<? extends Plugins.Found<?>> same) {
        return kind.label() + " id '" + id + "' is provided more than once: by "
                + String.join(" and by ", same.stream().map(f -> f.source() + " (" + f.plugin().getClass().getName()
                + ")").toList()) + "; remove one of them";
    }

    /**
     * Adds the providers {@code loader} finds. With {@code own} set, each must be a class of that jar (a jar naming
     * a built-in class would list it twice).
     */
    private static <T extends Plugin> void load(PluginKind kind, Class<T> type, ServiceLoader<T> loader,
                                                ClassLoader own, String source, String version,
                                                List<Plugins.Found<T>> found) {
        String prefix = own == null ? "" : source + ": ";
        Iterator<T> it = loader.iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                T plugin = it.next();
                if (own != null && plugin.getClass().getClassLoader() != own) {
                    found.add(new Plugins.Found<>(kind, null, prefix + "names " + plugin.getClass().getName()
                            + ", which is not a class of this jar; skipped", source, version));
                } else {
                    found.add(new Plugins.Found<>(kind, plugin, null, source, version));
                }
            } catch (ServiceConfigurationError | LinkageError e) {
                found.add(new Plugins.Found<>(kind, null, prefix + e.getMessage()
                        + (e.getCause() == null ? "" : " (" + e.getCause() + ")"), source, version));
            }
        }
    }

    private List<Path> jarsIn(Path folder) {
        List<Path> list = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            problems.add(folder + ": plugin folder does not exist");
            return list;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder, "*.jar")) {
            stream.forEach(p -> list.add(p.toAbsolutePath().normalize()));
        } catch (IOException e) {
            problems.add(folder + ": cannot list the plugin folder (" + e.getMessage() + ")");
        }
        list.sort(null);
        return list;
    }

    /** Checks the manifest, then gives the jar its own loader. */
    private void open(Path jar, ClassLoader parent) throws IOException {
        Attributes main;
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            main = manifest == null ? new Attributes() : manifest.getMainAttributes();
        }
        String refusal = ApiVersion.incompatibility(main.getValue(ApiVersion.MANIFEST_ATTRIBUTE));
        if (refusal != null) {
            problems.add(jar + ": refused: " + refusal);
            return;
        }
        String version = main.getValue(Attributes.Name.IMPLEMENTATION_VERSION);
        jars.add(new Jar(jar, new JarLoader(jar, parent), version == null ? "unversioned" : version));
    }

    /**
     * A jar's class loader whose service files are only the jar's own: the parent's would list the built-ins
     * again, and a built-in that fails to load would be blamed on the jar.
     */
    private static final class JarLoader extends URLClassLoader {
        JarLoader(Path jar, ClassLoader parent) throws MalformedURLException {
            super("plugin:" + jar.getFileName(), new URL[]{jar.toUri().toURL()}, parent);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            return name.startsWith("META-INF/services/") ? findResources(name) : super.getResources(name);
        }
    }
}
