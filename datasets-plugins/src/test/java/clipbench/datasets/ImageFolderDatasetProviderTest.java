package clipbench.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.DatasetProvider;
import clipbench.api.spi.Plugins;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderDatasetProviderTest {
    @TempDir
    Path tmp;

    private final ImageFolderDatasetProvider provider = new ImageFolderDatasetProvider();

    /** Writes a PNG whose pixel (x, y) is {@code rgb[y][x]} (0xRRGGBB). */
    static Path png(Path file, int[][] rgb) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(rgb[0].length, rgb.length, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < rgb.length; y++) {
            for (int x = 0; x < rgb[0].length; x++) {
                img.setRGB(x, y, rgb[y][x]);
            }
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
        return file;
    }

    static Path png(Path file, int color) throws IOException {
        return png(file, new int[][] {{color, color}, {color, color}});
    }

    static Path text(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    private static List<String> ids(Dataset d, String split) {
        return d.items(split).stream().map(DatasetItem::id).toList();
    }

    private static long count(List<String> warnings, Predicate<String> p) {
        return warnings.stream().filter(p).count();
    }

    /** A tree with three splits given out of order, a class missing from Test and a few odd files. */
    private Path tree() throws IOException {
        Path root = tmp.resolve("fruits");
        png(root.resolve("Test/banana/b2.png"), 0xFFFF00);
        png(root.resolve("Test/Apple Red 1/a9.png"), 0xFF0000);
        png(root.resolve("Training/banana/b1.png"), 0xFFFF00);
        png(root.resolve("Training/banana/Z0.PNG"), 0xFFFF00); // upper-case extension accepted
        png(root.resolve("Training/Apple Red 1/a2.png"), 0xFF0000);
        png(root.resolve("Training/Apple Red 1/a10.png"), 0xFF0000);
        png(root.resolve("Training/cherry_2/c1.png"), 0x990000);
        png(root.resolve("Validation/banana/v.png"), 0xFFFF00);
        Files.createDirectories(root.resolve("Validation/Apple Red 1"));        // empty class folder
        Files.createDirectories(root.resolve("Validation/cherry_2"));
        png(root.resolve("Validation/cherry_2/c.png"), 0x990000);
        text(root.resolve("Training/banana/notes.txt"), "not an image");      // unknown extension
        text(root.resolve("Training/banana/.DS_Store"), "hidden");            // hidden file: silent
        png(root.resolve("Training/banana/.hidden.png"), 0x000000);           // hidden image: silent
        png(root.resolve(".cache/x/y.png"), 0x000000);                        // hidden split: silent
        png(root.resolve("Training/.thumbs/t.png"), 0x000000);                // hidden class: silent
        text(root.resolve("README.md"), "about");                             // non-image beside splits: silent
        return root;
    }

    @Test
    void splitsAreOrderedTrainingValidationTest() throws IOException {
        Dataset d = provider.open(tree().toString());
        assertEquals(List.of("Training", "Validation", "Test"), d.splits());
        assertEquals("Test", d.testSplit());
        assertEquals("imagefolder:fruits", d.name());
    }

    @Test
    void splitOrderPutsUnknownNamesBetweenTrainingAndValidation() {
        List<String> names = new java.util.ArrayList<>(List.of("test", "extra", "val", "TRAIN", "holdout"));
        names.sort(ImageFolderDatasetProvider.SPLIT_ORDER);
        assertEquals(List.of("TRAIN", "extra", "holdout", "val", "test"), names);
    }

    @Test
    void classesAreTheSortedUnionWithPromptNames() throws IOException {
        Dataset d = provider.open(tree().toString());
        assertEquals(List.of(
                new ClassInfo(0, "Apple Red 1", "apple red"),
                new ClassInfo(1, "banana", "banana"),
                new ClassInfo(2, "cherry_2", "cherry")), d.classes());
    }

    @Test
    void itemsAreSortedByRelativeIdWithLabels() throws IOException {
        Dataset d = provider.open(tree().toString());
        // String order, case-sensitive: 'Z' sorts before 'b', "a10" before "a2".
        assertEquals(List.of("Training/Apple Red 1/a10.png", "Training/Apple Red 1/a2.png",
                "Training/banana/Z0.PNG", "Training/banana/b1.png", "Training/cherry_2/c1.png"), ids(d, "Training"));
        assertEquals(List.of(0, 0, 1, 1, 2), d.items("Training").stream().map(DatasetItem::label).toList());
        assertEquals(List.of("Validation/banana/v.png", "Validation/cherry_2/c.png"), ids(d, "Validation"));
        assertEquals(List.of("Test/Apple Red 1/a9.png", "Test/banana/b2.png"), ids(d, "Test"));
        assertEquals(List.of(0, 1), d.items("Test").stream().map(DatasetItem::label).toList());
    }

    @Test
    void orderIsStableAcrossOpens() throws IOException {
        Path root = tree();
        Dataset a = provider.open(root.toString());
        Dataset b = provider.open(root.toString());
        for (String split : a.splits()) {
            assertEquals(ids(a, split), ids(b, split));
        }
        assertEquals(a.warnings(), b.warnings());
    }

    @Test
    void warningsNameMissingClassEmptyClassAndUnknownFiles() throws IOException {
        Path root = tree();
        List<String> w = provider.open(root.toString()).warnings();
        // cherry_2 has no folder in Test
        assertEquals(1, count(w, s -> s.contains("'cherry_2'") && s.contains("'Test'")
                && s.startsWith(root.resolve("Test/cherry_2").toString())), w::toString);
        // the empty Validation/Apple Red 1
        assertEquals(1, count(w, s -> s.startsWith(root.resolve("Validation/Apple Red 1").toString())
                && s.contains("empty")), w::toString);
        // notes.txt
        assertEquals(1, count(w, s -> s.startsWith(root.resolve("Training/banana/notes.txt").toString())), w::toString);
        assertEquals(3, w.size(), w::toString);
        // hidden entries and the README never show up
        assertEquals(0, count(w, s -> s.contains(".DS_Store") || s.contains(".hidden") || s.contains(".cache")
                || s.contains(".thumbs") || s.contains("README")), w::toString);
    }

    @Test
    void hiddenFilesAreNotItems() throws IOException {
        Dataset d = provider.open(tree().toString());
        for (String split : d.splits()) {
            for (String id : ids(d, split)) {
                assertFalse(id.contains("/."), id);
            }
        }
        assertFalse(d.splits().contains(".cache"));
        assertTrue(d.classes().stream().noneMatch(c -> c.originalName().startsWith(".")));
    }

    @Test
    void loadIsLazyAndReadsThePixels() throws IOException {
        Path root = tmp.resolve("lazy");
        int[][] first = {{0x102030, 0x405060, 0x708090}, {0xA0B0C0, 0xD0E0F0, 0x010203}};
        Path file = png(root.resolve("cls/img.png"), first);
        Dataset d = provider.open(root.toString());
        DatasetItem item = d.items("all").get(0);

        RgbImage img = item.load();
        assertEquals(3, img.width());
        assertEquals(2, img.height());
        assertArrayEquals(new byte[] {
                0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, (byte) 0x80, (byte) 0x90,
                (byte) 0xA0, (byte) 0xB0, (byte) 0xC0, (byte) 0xD0, (byte) 0xE0, (byte) 0xF0, 0x01, 0x02, 0x03},
                img.pixels());

        // Pixels are read at load(), not at open(): a rewritten file gives the new pixels.
        png(file, new int[][] {{0x00FF00}});
        RgbImage again = item.load();
        assertEquals(1, again.width());
        assertArrayEquals(new byte[] {0, (byte) 0xFF, 0}, again.pixels());
    }

    @Test
    void brokenImageFailsAtLoadNamingTheFile() throws IOException {
        Path root = tmp.resolve("broken");
        Path bad = text(root.resolve("cls/bad.png"), "this is not a PNG");
        Dataset d = provider.open(root.toString());
        IOException e = assertThrows(IOException.class, () -> d.items("all").get(0).load());
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }

    @Test
    void classFoldersDirectlyUnderRootAreOneSplitNamedAll() throws IOException {
        Path root = tmp.resolve("flat");
        png(root.resolve("dog/d.jpg.png"), 0x111111);
        png(root.resolve("cat/c.png"), 0x222222);
        Files.createDirectories(root.resolve("empty_class"));
        png(root.resolve("stray.png"), 0x333333);
        Dataset d = provider.open(root.toString());
        assertEquals(List.of("all"), d.splits());
        assertEquals(List.of("cat", "dog", "empty_class"), d.classes().stream().map(ClassInfo::originalName).toList());
        assertEquals(List.of("cat/c.png", "dog/d.jpg.png"), ids(d, "all"));
        assertEquals(1, count(d.warnings(), s -> s.startsWith(root.resolve("empty_class").toString())), d.warnings()::toString);
        assertEquals(1, count(d.warnings(), s -> s.startsWith(root.resolve("stray.png").toString())), d.warnings()::toString);
        assertEquals("all", d.testSplit());
    }

    @Test
    void folderWithoutClassFoldersBesideSplitsIsSkippedWithWarning() throws IOException {
        Path root = tmp.resolve("mixed");
        png(root.resolve("Train/a/1.png"), 0x111111);
        png(root.resolve("Test/a/2.png"), 0x111111);
        png(root.resolve("loose/3.png"), 0x111111);
        Dataset d = provider.open(root.toString());
        assertEquals(List.of("Train", "Test"), d.splits());
        assertEquals(1, count(d.warnings(), s -> s.startsWith(root.resolve("loose").toString())), d.warnings()::toString);
    }

    @Test
    void missingRootIsAnIOExceptionNamingThePath() {
        Path missing = tmp.resolve("nope");
        IOException e = assertThrows(IOException.class, () -> provider.open(missing.toString()));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void rootWithoutClassFoldersIsAnIOExceptionNamingThePath() throws IOException {
        Path root = tmp.resolve("bare");
        text(root.resolve("README.md"), "nothing here");
        Files.createDirectories(root.resolve(".git/objects"));
        IOException e = assertThrows(IOException.class, () -> provider.open(root.toString()));
        assertTrue(e.getMessage().contains(root.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("no class folders"), e.getMessage());
    }

    @Test
    void aFileAsRootIsAnIOExceptionNamingThePath() throws IOException {
        Path file = text(tmp.resolve("file.txt"), "x");
        IOException e = assertThrows(IOException.class, () -> provider.open(file.toString()));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void unknownSplitIsRejectedListingTheSplits() throws IOException {
        Dataset d = provider.open(tree().toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.items("Dev"));
        assertTrue(e.getMessage().contains("[Training, Validation, Test]"), e.getMessage());
    }

    @Test
    void listsAreImmutable() throws IOException {
        Dataset d = provider.open(tree().toString());
        assertThrows(UnsupportedOperationException.class, () -> d.items("Training").clear());
        assertThrows(UnsupportedOperationException.class, () -> d.classes().clear());
        assertThrows(UnsupportedOperationException.class, () -> d.warnings().clear());
    }

    @Test
    void supportedExtensionsAreThoseTheDecoderReads() {
        List<String> ext = ImageFolderDatasetProvider.supportedExtensions();
        assertEquals(clipbench.clip.image.ImageDecoder.fileExtensions(), ext);
        assertTrue(ext.containsAll(List.of("bmp", "gif", "jpeg", "jpg", "png", "tif", "tiff", "webp")), ext::toString);
        for (String e : ext) {
            assertTrue(List.of(ImageIO.getReaderFileSuffixes()).contains(e), e);
        }
    }

    @Test
    void serviceLoaderFindsImageFolder() {
        boolean found = ServiceLoader.load(DatasetProvider.class).stream()
                .anyMatch(p -> p.type() == ImageFolderDatasetProvider.class);
        assertTrue(found);
        assertInstanceOf(ImageFolderDatasetProvider.class, Plugins.dataset("imagefolder"));
    }
}
