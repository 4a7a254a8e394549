package clipbench.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.ApiVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin jars built here on the fly: a provider class compiled into a jar the test class path does not see. */
class PluginCatalogTest {
    static final String SERVICES = "META-INF/services/" + DatasetProvider.class.getName();

    @TempDir
    Path tmp;

    /** Compiles a dataset provider with this id and returns its class files (name → bytes). */
    Map<String, byte[]> provider(String className, String id) throws IOException {
        Path src = tmp.resolve("src-" + className).resolve(className + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package plug;\n"
                + "public class " + className + " implements clipbench.api.spi.DatasetProvider {\n"
                + "  public String id() { return \"" + id + "\"; }\n"
                + "  public String description() { return \"test\"; }\n"
                + "  public clipbench.api.spi.Dataset open(String location) { throw new UnsupportedOperationException(); }\n"
                + "}\n");
        Path out = tmp.resolve("classes-" + className);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", out.toString(), "-cp", System.getProperty("java.class.path"),
                src.toString());
        assertEquals(0, rc, "javac");
        return Map.of("plug/" + className + ".class", Files.readAllBytes(out.resolve("plug/" + className + ".class")));
    }

    static Path jar(Path file, String apiVersion, String version, Map<String, byte[]> entries) throws IOException {
        Files.createDirectories(file.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (apiVersion != null) {
            manifest.getMainAttributes().putValue(ApiVersion.MANIFEST_ATTRIBUTE, apiVersion);
        }
        if (version != null) {
            manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
        }
        try (OutputStream os = Files.newOutputStream(file); JarOutputStream out = new JarOutputStream(os, manifest)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return file;
    }

    Path goodJar(Path folder, String className, String id) throws IOException {
        Map<String, byte[]> entries = new java.util.HashMap<>(provider(className, id));
        entries.put(SERVICES, ("plug." + className + "\n").getBytes(StandardCharsets.UTF_8));
        return jar(folder.resolve(className + ".jar"), ApiVersion.CURRENT, "2.3", entries);
    }

    static PluginCatalog catalog(Path... folders) {
        return new PluginCatalog(List.of(folders), PluginCatalogTest.class.getClassLoader());
    }

    @Test
    void aJarsProviderIsFoundWithItsSourceAndVersion() throws IOException {
        Path folder = tmp.resolve("plugins");
        Path jar = goodJar(folder, "Good", "good-data");
        PluginCatalog catalog = catalog(folder);
        assertEquals(List.of(), catalog.problems());
        Plugins.Found<DatasetProvider> f = catalog.discover(PluginKind.DATASET, DatasetProvider.class).stream()
                .filter(x -> x.id().equals("good-data")).findFirst().orElseThrow();
        assertEquals(jar.toString(), f.source());
        assertEquals("2.3", f.version());
        DatasetProvider p = catalog.find(PluginKind.DATASET, DatasetProvider.class, "good-data");
        assertEquals("plug.Good", p.getClass().getName());
        assertTrue(p.getClass().getClassLoader() != PluginCatalogTest.class.getClassLoader(), "its own loader");
        // Its services file is not seen for the other kinds, nor twice.
        assertEquals(1, catalog.discover(PluginKind.DATASET, DatasetProvider.class).size());
        assertEquals(List.of(), catalog.discover(PluginKind.HEAD, HeadProvider.class));
    }

    @Test
    void brokenJarsAreReportedByNameAndTheOthersStillLoad() throws IOException {
        Path folder = tmp.resolve("plugins");
        Path garbage = folder.resolve("garbage.jar");
        Files.createDirectories(folder);
        Files.writeString(garbage, "this is not a zip file");
        Path missing = jar(folder.resolve("missing-class.jar"), ApiVersion.CURRENT, "1",
                Map.of(SERVICES, "plug.NotThere\n".getBytes(StandardCharsets.UTF_8)));
        goodJar(folder, "Good", "good-data");

        PluginCatalog catalog = catalog(folder);
        assertEquals(1, catalog.problems().size(), catalog.problems().toString());
        assertTrue(catalog.problems().get(0).startsWith(garbage + ": not a readable jar"), catalog.problems().toString());
        List<Plugins.Found<DatasetProvider>> found = catalog.discover(PluginKind.DATASET, DatasetProvider.class);
        List<String> errors = found.stream().filter(f -> f.plugin() == null).map(Plugins.Found::error).toList();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith(missing + ": ") && errors.get(0).contains("plug.NotThere"), errors.get(0));
        assertNotNull(catalog.find(PluginKind.DATASET, DatasetProvider.class, "good-data"));

        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> catalog.find(PluginKind.DATASET, DatasetProvider.class, "other"));
        assertTrue(unknown.getMessage().contains("[good-data]") && unknown.getMessage().contains(garbage.toString())
                && unknown.getMessage().contains("plug.NotThere"), unknown.getMessage());
    }

    @Test
    void anIdProvidedTwiceIsRefusedNamingBothSources() throws IOException {
        Path a = goodJar(tmp.resolve("a"), "First", "same-id");
        Path b = goodJar(tmp.resolve("b"), "Second", "same-id");
        PluginCatalog catalog = catalog(tmp.resolve("a"), tmp.resolve("b"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> catalog.find(PluginKind.DATASET, DatasetProvider.class, "same-id"));
        assertTrue(e.getMessage().contains(a.toString()) && e.getMessage().contains(b.toString()), e.getMessage());
        List<String> errors = catalog.discover(PluginKind.DATASET, DatasetProvider.class).stream()
                .filter(f -> f.plugin() == null).map(Plugins.Found::error).toList();
        assertEquals(List.of(e.getMessage()), errors, "list shows the clash as an error line");
    }

    @Test
    void theSameFolderTwiceIsNotAClash() throws IOException {
        Path folder = tmp.resolve("plugins");
        goodJar(folder, "Good", "good-data");
        assertNotNull(catalog(folder, folder).find(PluginKind.DATASET, DatasetProvider.class, "good-data"));
    }

    @Test
    void aJarForAnotherApiVersionIsRefusedNamingTheJarAndBothVersions() throws IOException {
        Path folder = tmp.resolve("plugins");
        Map<String, byte[]> entries = new java.util.HashMap<>(provider("Future", "future-data"));
        entries.put(SERVICES, "plug.Future\n".getBytes(StandardCharsets.UTF_8));
        Path future = jar(folder.resolve("future.jar"), "2.0", "1", entries);
        Path unstated = jar(folder.resolve("unstated.jar"), null, "1", entries);
        goodJar(folder, "Good", "good-data");

        PluginCatalog catalog = catalog(folder);
        List<String> problems = catalog.problems();
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(future + ": refused: built for clipbench API 2.0, this clipbench has API "
                + ApiVersion.CURRENT), problems.get(0));
        assertTrue(problems.get(1).startsWith(unstated + ": refused: states no Clipbench-Api-Version"), problems.get(1));
        assertEquals(List.of("good-data"), catalog.discover(PluginKind.DATASET, DatasetProvider.class).stream()
                .map(Plugins.Found::id).toList());
    }

    @Test
    void pluginsReadsTheFoldersFromTheSystemProperty() throws IOException {
        Path folder = tmp.resolve("plugins");
        goodJar(folder, "Good", "good-data");
        try {
            System.setProperty(Plugins.DEFAULT_FOLDER_PROPERTY, "");
            assertThrows(IllegalArgumentException.class, () -> Plugins.dataset("good-data"));
            System.setProperty(Plugins.PLUGINS_PROPERTY, folder.toString());
            assertEquals("plug.Good", Plugins.dataset("good-data").getClass().getName());
            System.clearProperty(Plugins.PLUGINS_PROPERTY);
            System.setProperty(Plugins.DEFAULT_FOLDER_PROPERTY, folder.toString());
            assertEquals(List.of(folder), Plugins.folders());
            assertEquals("plug.Good", Plugins.dataset("good-data").getClass().getName());
        } finally {
            System.clearProperty(Plugins.PLUGINS_PROPERTY);
            System.clearProperty(Plugins.DEFAULT_FOLDER_PROPERTY);
        }
    }
}
