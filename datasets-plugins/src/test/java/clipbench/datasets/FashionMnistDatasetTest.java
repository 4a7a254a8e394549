package clipbench.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real Fashion-MNIST from Debian's {@code dataset-fashion-mnist} package (CI installs it). Expected values
 * were read from the same files with Python's gzip module.
 */
class FashionMnistDatasetTest {
    private static Dataset dataset;

    @BeforeAll
    static void open() throws IOException {
        if (!Files.isDirectory(Path.of(FashionMnistDatasetProvider.DEFAULT_DIR))) {
            fail(FashionMnistDatasetProvider.DEFAULT_DIR + " is missing: install Fashion-MNIST with"
                    + " 'sudo apt-get install -y dataset-fashion-mnist' (Debian/Ubuntu)");
        }
        dataset = new FashionMnistDatasetProvider().open("");
    }

    @Test
    void opensOutOfTheBoxWithTheTenClasses() {
        assertEquals("fashion-mnist", dataset.name());
        assertEquals(List.of("Training", "Test"), dataset.splits());
        assertEquals(OptionalInt.of(28), dataset.nativeResolution());
        assertEquals(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                "Bag", "Ankle boot"), dataset.classes().stream().map(ClassInfo::originalName).toList());
        assertEquals(List.of("t-shirt or top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker",
                "bag", "ankle boot"), dataset.classes().stream().map(ClassInfo::promptName).toList());
        assertEquals(60000, dataset.items("Training").size());
        assertEquals(10000, dataset.items("Test").size());
        assertEquals(List.of(), dataset.warnings());
    }

    @Test
    void labelsAreBalancedAndInFileOrder() {
        assertEquals(List.of(9, 0, 0, 3, 0, 2, 7, 2, 5, 5),
                dataset.items("Training").subList(0, 10).stream().map(DatasetItem::label).toList());
        assertEquals(List.of(9, 2, 1, 1, 6, 1, 4, 6, 5, 7),
                dataset.items("Test").subList(0, 10).stream().map(DatasetItem::label).toList());
        for (String split : dataset.splits()) {
            int[] counts = new int[10];
            dataset.items(split).forEach(i -> counts[i.label()]++);
            for (int c = 0; c < 10; c++) {
                assertEquals(split.equals("Training") ? 6000 : 1000, counts[c], split + " class " + c);
            }
        }
        assertEquals("train-images-idx3-ubyte.gz#59999", dataset.items("Training").get(59999).id());
    }

    @Test
    void pixelsMatchTheFiles() throws IOException {
        // sum of the 784 gray values, and the value at row 14, column 14
        check(dataset.items("Training").get(0), 76247, 217);
        check(dataset.items("Training").get(1), 84598, 204);
        check(dataset.items("Training").get(59999), 16684, 0);
        check(dataset.items("Test").get(0), 33456, 110);
        check(dataset.items("Test").get(9999), 24390, 132);
    }

    private static void check(DatasetItem item, int sum, int centre) throws IOException {
        RgbImage img = item.load();
        assertEquals(28, img.width());
        assertEquals(28, img.height());
        int s = 0;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                assertEquals(img.r(x, y), img.g(x, y), item.id());
                assertEquals(img.r(x, y), img.b(x, y), item.id());
                s += img.r(x, y);
            }
        }
        assertEquals(sum, s, item.id());
        assertEquals(centre, img.r(14, 14), item.id());
    }

    @Test
    void fingerprintIsStable() throws IOException {
        String f = dataset.fingerprint();
        assertEquals(f, new FashionMnistDatasetProvider().open(FashionMnistDatasetProvider.DEFAULT_DIR).fingerprint());
        assertTrue(f.matches("[0-9a-f]{64}"), f);
    }
}
