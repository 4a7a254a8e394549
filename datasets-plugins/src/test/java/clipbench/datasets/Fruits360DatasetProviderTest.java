package clipbench.datasets;

import static clipbench.datasets.ImageFolderDatasetProviderTest.png;
import static clipbench.datasets.ImageFolderDatasetProviderTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.Plugins;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fruits360 on a small Fruits-360-shaped tree of 100 x 100 JPEGs built here. */
class Fruits360DatasetProviderTest {
    private static final List<String> FOLDERS = List.of("Apple Red 1", "apple_golden_1", "Grape pink 2", "Pepper Red",
            "Tomato Cherry Red");

    @TempDir
    Path tmp;

    private final Fruits360DatasetProvider provider = new Fruits360DatasetProvider();

    static Path jpg(Path file, int rgb) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 100; y++) {
            for (int x = 0; x < 100; x++) {
                img.setRGB(x, y, x < 10 || y < 10 ? 0xFFFFFF : rgb);
            }
        }
        ImageIO.write(img, "jpg", file.toFile());
        return file;
    }

    private Path tree() throws IOException {
        Path root = tmp.resolve("fruits-360");
        int colour = 0x201000;
        for (String folder : FOLDERS) {
            colour += 0x202020;
            jpg(root.resolve("Training/" + folder + "/0_100.jpg"), colour);
            jpg(root.resolve("Training/" + folder + "/r_1_100.jpg"), colour);
            jpg(root.resolve("Test/" + folder + "/5_100.jpg"), colour);
        }
        jpg(root.resolve("Validation/Pepper Red/9_100.jpg"), 0xFF0000);
        jpg(root.resolve("test-multiple_fruits/apple_pear.jpg"), 0x00FF00);
        text(root.resolve("LICENSE"), "CC BY-SA 4.0");
        return root;
    }

    @Test
    void readsTheLayoutWithNaturalPromptNames() throws IOException {
        Path root = tree();
        Dataset d = provider.open(root.toString());
        assertEquals("fruits360:fruits-360", d.name());
        assertEquals(List.of("Training", "Validation", "Test"), d.splits());
        assertEquals("Test", d.testSplit());
        assertEquals(OptionalInt.of(100), d.nativeResolution());
        assertEquals(List.of(
                new ClassInfo(0, "Apple Red 1", "red apple"),
                new ClassInfo(1, "Grape pink 2", "pink grape"),
                new ClassInfo(2, "Pepper Red", "red pepper"),
                new ClassInfo(3, "Tomato Cherry Red", "red cherry tomato"),
                new ClassInfo(4, "apple_golden_1", "golden apple")), d.classes());
        assertEquals(10, d.items("Training").size());
        assertEquals(5, d.items("Test").size());
        assertEquals(List.of("Validation/Pepper Red/9_100.jpg"), d.items("Validation").stream().map(DatasetItem::id).toList());
        assertEquals(2, d.items("Validation").get(0).label());
        var img = d.items("Test").get(0).load();
        assertEquals(100, img.width());
        assertEquals(100, img.height());
        // the other folder is skipped with a warning; the Validation split lacks 4 classes
        List<String> w = d.warnings();
        assertTrue(w.stream().anyMatch(s -> s.startsWith(root.resolve("test-multiple_fruits").toString())), w::toString);
        assertEquals(4, w.stream().filter(s -> s.contains("split 'Validation'")).count(), w::toString);
        assertEquals(5, w.size(), w::toString);
    }

    @Test
    void overrideFileInTheRootAndExplicitNamesWin() throws IOException {
        Path root = tree();
        text(root.resolve("class-names.csv"), "Tomato Cherry Red,cherry tomato\n");
        Dataset d = provider.open(root.toString());
        assertEquals("cherry tomato", d.classes().get(3).promptName());
        assertEquals("red apple", d.classes().get(0).promptName());
        Path json = text(tmp.resolve("n.json"), "{\"Apple Red 1\": \"apple\"}");
        Dataset e = provider.open(root + "?names=" + json + "&native=96");
        assertEquals("apple", e.classes().get(0).promptName());
        assertEquals("red cherry tomato", e.classes().get(3).promptName(), "the explicit file replaces the root's");
        assertEquals(OptionalInt.of(96), e.nativeResolution());
    }

    @Test
    void findsTheDatasetInsideAnUnpackedArchive() throws IOException {
        Path root = tree();
        Path archive = tmp.resolve("archive");
        Files.createDirectories(archive.resolve("fruits-360_100x100"));
        Files.move(root, archive.resolve("fruits-360_100x100/fruits-360"));
        Dataset d = provider.open(archive.toString());
        assertEquals("fruits360:fruits-360", d.name());
        assertEquals(5, d.classes().size());
    }

    @Test
    void missingTestFolderIsAnErrorNamingTheRoot() throws IOException {
        Path root = tmp.resolve("only-training");
        jpg(root.resolve("Training/Banana/1_100.jpg"), 0xFFFF00);
        IOException e = assertThrows(IOException.class, () -> provider.open(root.toString()));
        assertTrue(e.getMessage().startsWith(root.toString()) && e.getMessage().contains("Test"), e.getMessage());
        assertThrows(IOException.class, () -> provider.open(tmp.resolve("nothing").toString()));
        assertThrows(IllegalArgumentException.class, () -> provider.open(""));
    }

    @Test
    void badDataIsReportedWithItsPath() throws IOException {
        Path root = tree();
        Path empty = root.resolve("Test/Pepper Red/empty.jpg");
        Files.write(empty, new byte[0]);
        Path unknown = text(root.resolve("Test/Pepper Red/notes.txt"), "x");
        Path corrupt = text(root.resolve("Test/Pepper Red/broken.jpg"), "\u00ff\u00d8 not really");
        Path emptyClass = Files.createDirectories(root.resolve("Test/Kaki"));
        Dataset d = provider.open(root.toString());
        List<String> w = d.warnings();
        for (Path p : List.of(empty, unknown, emptyClass)) {
            assertTrue(w.stream().anyMatch(s -> s.startsWith(p.toString())), p + " not in " + w);
        }
        DatasetItem broken = d.items("Test").stream().filter(i -> i.id().endsWith("broken.jpg")).findFirst().orElseThrow();
        IOException e = assertThrows(IOException.class, broken::load);
        assertTrue(e.getMessage().contains(corrupt.toString()), e.getMessage());
        assertEquals(6, d.classes().size(), "Kaki is a class without images");
    }

    @Test
    void serviceLoaderFindsIt() {
        assertInstanceOf(Fruits360DatasetProvider.class, Plugins.dataset("fruits360"));
    }
}
