package clipbench.datasets;

import static clipbench.datasets.ImageFolderDatasetProviderTest.png;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listing what a careless or hostile dataset folder holds: TIFF and WebP, links out of the root, odd names. */
class HostileDatasetTest {
    /** A 4x3 lossless WebP made by cwebp (clip-core's test resource lossless-4x3.webp); pixel (0, 0) is 0x0a1405. */
    private static final byte[] WEBP = Base64.getDecoder().decode(
            "UklGRjQAAABXRUJQVlA4TCcAAAAvA4AAAIkyRPQ/IBBIcRAjLhZM8e6YQtC2bWPZ9nNxRH3n3AKwAAAA");

    @TempDir
    Path tmp;

    private final ImageFolderDatasetProvider provider = new ImageFolderDatasetProvider();

    private static List<String> ids(Dataset d) {
        return d.items(ImageFolderDatasetProvider.SINGLE_SPLIT).stream().map(DatasetItem::id).toList();
    }

    @Test
    void tiffAndWebpAreListedAndRead() throws IOException {
        Path root = tmp.resolve("ds");
        png(root.resolve("cat/a.png"), 0x102030);
        BufferedImage bi = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        bi.setRGB(0, 0, 0x405060);
        assertTrue(ImageIO.write(bi, "tiff", root.resolve("cat/b.tif").toFile()));
        Files.write(root.resolve("cat/c.webp"), WEBP);
        Dataset d = provider.open(root.toString());
        assertEquals(List.of("cat/a.png", "cat/b.tif", "cat/c.webp"), ids(d));
        assertEquals(List.of(), d.warnings());
        List<DatasetItem> items = d.items(ImageFolderDatasetProvider.SINGLE_SPLIT);
        assertEquals(0x405060, items.get(1).load().rgb(0, 0));
        RgbImage webp = items.get(2).load();
        assertEquals(4, webp.width());
        assertEquals(0x0a1405, webp.rgb(0, 0));
    }

    @Test
    void linksLeadingOutsideTheRootAreSkippedWithAWarningUnlessAsked() throws IOException {
        Path outside = tmp.resolve("elsewhere");
        Path secret = png(outside.resolve("secret.png"), 0xFF0000);
        png(outside.resolve("dogs/d1.png"), 0x00FF00);
        Path root = tmp.resolve("ds");
        png(root.resolve("cat/a.png"), 0x102030);
        Path fileLink = Files.createSymbolicLink(root.resolve("cat/link.png"), secret);
        Path dirLink = Files.createSymbolicLink(root.resolve("dog"), outside.resolve("dogs"));
        Files.createSymbolicLink(root.resolve("cat/inside.png"), root.resolve("cat/a.png"));

        Dataset d = provider.open(root.toString());
        assertEquals(List.of("cat/a.png", "cat/inside.png"), ids(d), "a link inside the root is followed");
        assertEquals(List.of("cat"), d.classes().stream().map(c -> c.originalName()).toList());
        List<String> w = d.warnings();
        assertEquals(2, w.size(), w::toString);
        Path target = secret.toRealPath();
        assertTrue(w.stream().anyMatch(s -> s.startsWith(fileLink + ": symbolic link to " + target)
                && s.contains("outside the dataset root") && s.contains(ImageFolderDatasetProvider.FOLLOW_EXTERNAL_LINKS)),
                w::toString);
        assertTrue(w.stream().anyMatch(s -> s.startsWith(dirLink + ": symbolic link to ")), w::toString);

        System.setProperty(ImageFolderDatasetProvider.FOLLOW_EXTERNAL_LINKS, "true");
        try {
            Dataset followed = provider.open(root.toString());
            assertEquals(List.of("cat/a.png", "cat/inside.png", "cat/link.png", "dog/d1.png"), ids(followed));
            assertEquals(List.of(), followed.warnings());
        } finally {
            System.clearProperty(ImageFolderDatasetProvider.FOLLOW_EXTERNAL_LINKS);
        }
    }

    @Test
    void namesThatAreNotValidUtf8AreListedWithDistinctIdsAndRead() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh to create names from raw bytes");
        Path root = tmp.resolve("ds");
        png(root.resolve("a cat/ok.png"), 0x102030);
        png(root.resolve("a cat/src.png"), 0x405060);
        // Latin-1 e-acute and a lone 0xFF: both invalid as UTF-8, both decoded by Java to U+FFFD.
        Process p = new ProcessBuilder("/bin/sh", "-c",
                "mv src.png \"$(printf 'caf\\351.png')\" && cp ok.png \"$(printf 'caf\\377.png')\"")
                .directory(root.resolve("a cat").toFile()).inheritIO().start();
        assertEquals(0, p.waitFor());

        Dataset d = provider.open(root.toString());
        List<String> ids = ids(d);
        assertEquals(3, ids.size(), ids::toString);
        assertEquals(List.of(), d.warnings());
        List<String> odd = new ArrayList<>(ids.subList(0, 2));
        assertNotEquals(odd.get(0), odd.get(1));
        assertTrue(odd.contains("a cat/caf%E9.png") && odd.contains("a cat/caf%FF.png"), ids::toString);
        for (DatasetItem item : d.items(ImageFolderDatasetProvider.SINGLE_SPLIT)) {
            int expected = item.id().equals("a cat/caf%E9.png") ? 0x405060 : 0x102030;
            assertEquals(expected, item.load().rgb(0, 0), item.id());
            // The fingerprint reads the listed file, not a path rebuilt from the escaped id.
            assertTrue(Files.isRegularFile(((FileDataset) d).file(item)), item.id());
        }
        String before = d.fingerprint();
        Process touch = new ProcessBuilder("/bin/sh", "-c", "printf x >> \"$(printf 'caf\\377.png')\"")
                .directory(root.resolve("a cat").toFile()).inheritIO().start();
        assertEquals(0, touch.waitFor());
        assertNotEquals(before, d.fingerprint(), "a changed file with a non-UTF-8 name changes the fingerprint");
    }
}
