package clipbench.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The committed real image folder {@code testdata/images/emoji-fruit} (see its SOURCE.md). */
class EmojiFruitDatasetTest {
    private static final String RELATIVE = "testdata/images/emoji-fruit";
    private static Dataset dataset;

    /** The repository root: system property {@code clipbench.root} (set by surefire), else walking up. */
    static Path repoRoot() {
        String prop = System.getProperty("clipbench.root");
        if (prop != null && !prop.isBlank() && Files.isDirectory(Path.of(prop).resolve(RELATIVE))) {
            return Path.of(prop);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(RELATIVE))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find " + RELATIVE + " (clipbench.root=" + prop + ", cwd="
                + Path.of("").toAbsolutePath() + ")");
    }

    @BeforeAll
    static void open() throws IOException {
        dataset = new ImageFolderDatasetProvider().open(repoRoot().resolve(RELATIVE).toString());
    }

    @Test
    void hasTwoSplitsAndEightClassesWithoutWarnings() {
        assertEquals("imagefolder:emoji-fruit", dataset.name());
        assertEquals(List.of("Training", "Test"), dataset.splits());
        assertEquals(List.of(), dataset.warnings());
        assertEquals(List.of(
                new ClassInfo(0, "Apple Red 1", "apple red"),
                new ClassInfo(1, "apple_green_1", "apple green"),
                new ClassInfo(2, "banana", "banana"),
                new ClassInfo(3, "cherries", "cherries"),
                new ClassInfo(4, "grapes", "grapes"),
                new ClassInfo(5, "lemon", "lemon"),
                new ClassInfo(6, "strawberry", "strawberry"),
                new ClassInfo(7, "watermelon", "watermelon")), dataset.classes());
    }

    @Test
    void fourTrainingAndThreeTestImagesPerClass() {
        assertEquals(32, dataset.items("Training").size());
        assertEquals(24, dataset.items("Test").size());
        for (String split : dataset.splits()) {
            Map<Integer, Integer> perClass = new TreeMap<>();
            dataset.items(split).forEach(i -> perClass.merge(i.label(), 1, Integer::sum));
            int expected = split.equals("Training") ? 4 : 3;
            assertEquals(8, perClass.size(), split);
            perClass.forEach((label, n) -> assertEquals(expected, n, split + " class " + label));
        }
    }

    @Test
    void everyItemLoadsAsA64x64RgbImageAndImagesDiffer() throws IOException {
        Set<Integer> distinct = new HashSet<>();
        int n = 0;
        for (String split : dataset.splits()) {
            for (DatasetItem item : dataset.items(split)) {
                RgbImage img = item.load();
                assertEquals(64, img.width(), item.id());
                assertEquals(64, img.height(), item.id());
                assertEquals(64 * 64 * 3, img.pixels().length, item.id());
                distinct.add(Arrays.hashCode(img.pixels()));
                n++;
            }
        }
        assertEquals(56, n);
        assertEquals(56, distinct.size(), "every image is a different variant");
    }

    @Test
    void imagesHaveTheirFruitColours() throws IOException {
        // Mean colour over non-background pixels: a red apple is red, a green apple green, a lemon yellow.
        assertTrue(meanOf("Apple Red 1")[0] > 1.5 * meanOf("Apple Red 1")[1]);
        double[] green = meanOf("apple_green_1");
        assertTrue(green[1] > green[0] && green[1] > green[2], Arrays.toString(green));
        double[] lemon = meanOf("lemon");
        assertTrue(lemon[0] > 1.5 * lemon[2] && lemon[1] > 1.5 * lemon[2], Arrays.toString(lemon));
    }

    private static double[] meanOf(String className) throws IOException {
        int label = dataset.classes().stream().filter(c -> c.originalName().equals(className))
                .findFirst().orElseThrow().index();
        DatasetItem item = dataset.items("Training").stream().filter(i -> i.label() == label)
                .filter(i -> i.id().endsWith("-orig.png")).findFirst().orElseThrow();
        byte[] px = item.load().pixels();
        double[] sum = new double[3];
        int count = 0;
        for (int i = 0; i < px.length; i += 3) {
            int r = px[i] & 255;
            int g = px[i + 1] & 255;
            int b = px[i + 2] & 255;
            if (r + g + b < 720) { // not (near) white background
                sum[0] += r;
                sum[1] += g;
                sum[2] += b;
                count++;
            }
        }
        assertTrue(count > 500, className + ": too few fruit pixels: " + count);
        return new double[] {sum[0] / count, sum[1] / count, sum[2] / count};
    }
}
