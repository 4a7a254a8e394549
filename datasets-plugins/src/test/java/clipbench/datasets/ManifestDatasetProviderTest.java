package clipbench.datasets;

import static clipbench.datasets.ImageFolderDatasetProviderTest.png;
import static clipbench.datasets.ImageFolderDatasetProviderTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.Plugins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestDatasetProviderTest {
    @TempDir
    Path tmp;

    private final ManifestDatasetProvider provider = new ManifestDatasetProvider();

    private Path manifest() throws IOException {
        png(tmp.resolve("data/img/a.png"), 0xFF0000);
        png(tmp.resolve("data/img/b.png"), 0x00FF00);
        png(tmp.resolve("data/img/c, d.png"), 0x0000FF);
        png(tmp.resolve("elsewhere/e.png"), 0xFFFF00);
        return text(tmp.resolve("data/list.csv"), String.join("\n",
                "path,label,split",
                "# comment line",
                "img/b.png,Pepper-Red 2,Training",
                "img/a.png,Apple Red 1,Training",
                "\"img/c, d.png\",Apple Red 1",
                tmp.resolve("elsewhere/e.png") + ",banana,",
                "../elsewhere/e.png,banana,Training",
                ""));
    }

    @Test
    void readsPathsLabelsAndSplits() throws IOException {
        Path csv = manifest();
        Dataset d = provider.open(csv.toString());
        assertEquals("manifest:list.csv", d.name());
        assertEquals(List.of("Training", "Test"), d.splits());
        assertEquals(List.of(new ClassInfo(0, "Apple Red 1", "apple red"), new ClassInfo(1, "Pepper-Red 2", "pepper red"),
                new ClassInfo(2, "banana", "banana")), d.classes());
        assertEquals(List.of("img/b.png", "img/a.png", tmp.resolve("elsewhere/e.png").toString()),
                d.items("Training").stream().map(DatasetItem::id).toList());
        assertEquals(List.of(1, 0, 2), d.items("Training").stream().map(DatasetItem::label).toList());
        assertEquals(List.of("img/c, d.png", tmp.resolve("elsewhere/e.png").toString()),
                d.items("Test").stream().map(DatasetItem::id).toList());
        assertEquals(0x0000FF, d.items("Test").get(0).load().rgb(0, 0));
        assertEquals(0xFFFF00, d.items("Training").get(2).load().rgb(1, 1));
        assertTrue(d.warnings().stream().anyMatch(w -> w.contains("'Pepper-Red 2'") && w.contains("'Test'")),
                d.warnings()::toString);
        assertEquals(1, d.warnings().size(), d.warnings()::toString);
    }

    @Test
    void withoutHeaderEverythingIsTest() throws IOException {
        png(tmp.resolve("x.png"), 0x010203);
        Path csv = text(tmp.resolve("m.csv"), "x.png,cat\n");
        Dataset d = provider.open(csv.toString());
        assertEquals(List.of("Test"), d.splits());
        assertEquals(1, d.items("Test").size());
    }

    @Test
    void badDataIsReportedWithItsPath() throws IOException {
        png(tmp.resolve("ok.png"), 0x010203);
        Files.write(tmp.resolve("empty.png"), new byte[0]);
        text(tmp.resolve("broken.png"), "not a png");
        text(tmp.resolve("doc.pdf"), "%PDF");
        Path csv = text(tmp.resolve("m.csv"), "ok.png,cat\nempty.png,cat\nbroken.png,dog\ndoc.pdf,dog\n"
                + "gone.png,dog\nok.png,cat\n");
        Dataset d = provider.open(csv.toString());
        List<String> w = d.warnings();
        assertTrue(w.stream().anyMatch(s -> s.startsWith(tmp.resolve("empty.png").toString()) && s.contains("0 bytes")
                && s.contains("line 2")), w::toString);
        assertTrue(w.stream().anyMatch(s -> s.startsWith(tmp.resolve("doc.pdf").toString())), w::toString);
        assertTrue(w.stream().anyMatch(s -> s.startsWith(tmp.resolve("gone.png").toString())), w::toString);
        assertTrue(w.stream().anyMatch(s -> s.startsWith(tmp.resolve("ok.png").toString()) && s.contains("twice")), w::toString);
        assertEquals(4, w.size(), w::toString);
        assertEquals(List.of("ok.png", "broken.png"), d.items("Test").stream().map(DatasetItem::id).toList());
        IOException e = assertThrows(IOException.class, () -> d.items("Test").get(1).load());
        assertTrue(e.getMessage().contains(tmp.resolve("broken.png").toString()), e.getMessage());
    }

    @Test
    void malformedRowsNameTheLine() throws IOException {
        Path csv = text(tmp.resolve("bad.csv"), "path,label\na.png,cat\nb.png\n");
        IOException e = assertThrows(IOException.class, () -> provider.open(csv.toString()));
        assertTrue(e.getMessage().startsWith(csv + ":3"), e.getMessage());
        Path empty = text(tmp.resolve("empty.csv"), "path,label\n");
        assertThrows(IOException.class, () -> provider.open(empty.toString()));
        assertThrows(IOException.class, () -> provider.open(tmp.resolve("none.csv").toString()));
    }

    @Test
    void fingerprintCoversTheCsvAndTheFiles() throws IOException {
        Path csv = manifest();
        Dataset d = provider.open(csv.toString());
        String f = d.fingerprint();
        assertEquals(f, provider.open(csv.toString()).fingerprint());
        png(tmp.resolve("data/img/a.png"), new int[][] {{1, 2, 3}});
        assertNotEquals(f, d.fingerprint());
    }

    @Test
    void serviceLoaderFindsIt() {
        assertInstanceOf(ManifestDatasetProvider.class, Plugins.dataset("manifest"));
    }
}
