package clipbench.datasets;

import static clipbench.datasets.ImageFolderDatasetProviderTest.png;
import static clipbench.datasets.ImageFolderDatasetProviderTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** imagefolder's fingerprint, options and bad-data reporting. */
class ImageFolderOptionsTest {
    @TempDir
    Path tmp;

    private final ImageFolderDatasetProvider provider = new ImageFolderDatasetProvider();

    private Path tree() throws IOException {
        Path root = tmp.resolve("set");
        png(root.resolve("Training/cat/a.png"), 0x111111);
        png(root.resolve("Training/dog/b.png"), 0x222222);
        png(root.resolve("Test/cat/c.png"), 0x333333);
        png(root.resolve("Test/dog/d.png"), 0x444444);
        return root;
    }

    @Test
    void fingerprintIsStableAndFollowsFileChanges() throws IOException {
        Path root = tree();
        Dataset d = provider.open(root.toString());
        String first = d.fingerprint();
        assertEquals(64, first.length());
        assertEquals(first, d.fingerprint());
        assertEquals(first, provider.open(root.toString()).fingerprint());
        assertNotEquals(first, new DefaultFingerprint(d).fingerprint(), "adds more than ids and labels");

        // same size, new modification time
        Path c = root.resolve("Test/cat/c.png");
        Files.setLastModifiedTime(c, FileTime.from(Instant.parse("2001-02-03T04:05:06Z")));
        String touched = d.fingerprint();
        assertNotEquals(first, touched);
        // new content (other size), same time
        png(c, new int[][] {{1, 2, 3}, {4, 5, 6}});
        Files.setLastModifiedTime(c, FileTime.from(Instant.parse("2001-02-03T04:05:06Z")));
        assertNotEquals(touched, d.fingerprint());
        // a new file: a new listing
        png(root.resolve("Test/dog/e.png"), 0x555555);
        assertNotEquals(d.fingerprint(), provider.open(root.toString()).fingerprint());
        // a vanished file counts as missing
        String now = d.fingerprint();
        Files.delete(root.resolve("Training/dog/b.png"));
        assertNotEquals(now, d.fingerprint());
    }

    /** Only the SPI's default fingerprint, for comparison. */
    private record DefaultFingerprint(Dataset d) implements Dataset {
        public String name() {
            return d.name();
        }

        public List<String> splits() {
            return d.splits();
        }

        public List<ClassInfo> classes() {
            return d.classes();
        }

        public List<DatasetItem> items(String split) {
            return d.items(split);
        }
    }

    @Test
    void nativeOptionDeclaresTheResolution() throws IOException {
        Path root = tree();
        assertEquals(OptionalInt.empty(), provider.open(root.toString()).nativeResolution());
        Dataset d = provider.open(root + "?native=100");
        assertEquals(OptionalInt.of(100), d.nativeResolution());
        assertEquals("imagefolder:set", d.name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.open(root + "?native=0"));
        assertTrue(e.getMessage().contains("native"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> provider.open(root + "?size=3"));
        assertTrue(e.getMessage().contains("'size'") && e.getMessage().contains("[names, native]"), e.getMessage());
    }

    @Test
    void aFolderWhoseNameHasAQuestionMarkIsAPath() throws IOException {
        Path root = tmp.resolve("what?native=3");
        png(root.resolve("cat/a.png"), 0x111111);
        Dataset d = provider.open(root.toString());
        assertEquals(OptionalInt.empty(), d.nativeResolution());
        assertEquals(1, d.items("all").size());
    }

    @Test
    void overrideFilesRenameClassesAndWarnAboutUnknownOnes() throws IOException {
        Path root = tree();
        text(root.resolve("class-names.csv"), "folder,prompt\ncat,house cat\nemu,emu bird\n");
        Dataset d = provider.open(root.toString());
        assertEquals(List.of(new ClassInfo(0, "cat", "house cat"), new ClassInfo(1, "dog", "dog")), d.classes());
        assertEquals(1, d.warnings().size(), d.warnings()::toString);
        assertTrue(d.warnings().get(0).startsWith(root.resolve("class-names.csv").toString())
                && d.warnings().get(0).contains("'emu'"), d.warnings()::toString);
        // an explicit file wins over the one in the root
        Path json = text(tmp.resolve("names.json"), "{\"dog\": \"puppy\"}");
        Dataset e = provider.open(root + "?names=" + json);
        assertEquals(List.of(new ClassInfo(0, "cat", "cat"), new ClassInfo(1, "dog", "puppy")), e.classes());
        // percent-encoded path
        Path spaced = text(tmp.resolve("my names.json"), "{\"cat\": \"kitty\"}");
        assertEquals("kitty", provider.open(root + "?names=" + spaced.toString().replace(" ", "%20"))
                .classes().get(0).promptName());
    }

    @Test
    void badDataIsReportedWithItsPathAndTheRestStillLoads() throws IOException {
        Path root = tmp.resolve("bad");
        png(root.resolve("Test/cat/good.png"), 0x123456);
        Path empty = Files.createDirectories(root.resolve("Test/cat")).resolve("empty.png");
        Files.write(empty, new byte[0]);
        Path corrupt = text(root.resolve("Test/cat/corrupt.jpg"), "not a jpeg at all");
        Path unknown = text(root.resolve("Test/cat/photo.heic"), "ftypheic");
        Path emptyClass = Files.createDirectories(root.resolve("Test/dog"));
        Dataset d = provider.open(root.toString());
        List<String> w = d.warnings();
        assertTrue(w.stream().anyMatch(s -> s.startsWith(empty.toString()) && s.contains("0 bytes")), w::toString);
        assertTrue(w.stream().anyMatch(s -> s.startsWith(unknown.toString()) && s.contains("extension")), w::toString);
        assertTrue(w.stream().anyMatch(s -> s.startsWith(emptyClass.toString()) && s.contains("empty class")), w::toString);
        assertEquals(3, w.size(), w::toString);
        List<DatasetItem> items = d.items("Test");
        assertEquals(List.of("Test/cat/corrupt.jpg", "Test/cat/good.png"), items.stream().map(DatasetItem::id).toList());
        IOException e = assertThrows(IOException.class, () -> items.get(0).load());
        assertTrue(e.getMessage().contains(corrupt.toString()), e.getMessage());
        assertEquals(0x123456, items.get(1).load().rgb(0, 0));
    }
}
