package clipbench.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.Plugins;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** idx on IDX files written here, raw and gzipped, good and broken. */
class IdxDatasetProviderTest {
    @TempDir
    Path tmp;

    private final IdxDatasetProvider provider = new IdxDatasetProvider();

    /** Pixel (x, y) of image i is (i * 31 + y * 7 + x) mod 256. */
    static int pixel(int i, int x, int y) {
        return (i * 31 + y * 7 + x) & 0xFF;
    }

    static byte[] images(int n, int rows, int cols) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(0x00000803);
        out.writeInt(n);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    out.writeByte(pixel(i, x, y));
                }
            }
        }
        return b.toByteArray();
    }

    static byte[] labels(int... values) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(0x00000801);
        out.writeInt(values.length);
        for (int v : values) {
            out.writeByte(v);
        }
        return b.toByteArray();
    }

    static Path write(Path file, byte[] data, boolean gzip) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(data);
        }
        return file;
    }

    /** Training: 5 gzipped 4x4 images; Test: 3 raw ones (dotted names). */
    private Path mnistLike() throws IOException {
        Path dir = tmp.resolve("mini");
        write(dir.resolve("train-images-idx3-ubyte.gz"), images(5, 4, 4), true);
        write(dir.resolve("train-labels-idx1-ubyte.gz"), labels(2, 0, 1, 2, 0), true);
        write(dir.resolve("t10k-images.idx3-ubyte"), images(3, 4, 4), false);
        write(dir.resolve("t10k-labels.idx1-ubyte"), labels(1, 1, 0), false);
        return dir;
    }

    @Test
    void readsGzippedAndRawSplits() throws IOException {
        Dataset d = provider.open(mnistLike().toString());
        assertEquals("idx:mini", d.name());
        assertEquals(List.of("Training", "Test"), d.splits());
        assertEquals(List.of(new ClassInfo(0, "0", "0"), new ClassInfo(1, "1", "1"), new ClassInfo(2, "2", "2")),
                d.classes());
        assertEquals(OptionalInt.of(4), d.nativeResolution());
        List<DatasetItem> train = d.items("Training");
        assertEquals(List.of(2, 0, 1, 2, 0), train.stream().map(DatasetItem::label).toList());
        assertEquals("train-images-idx3-ubyte.gz#3", train.get(3).id());
        assertEquals("t10k-images.idx3-ubyte#0", d.items("Test").get(0).id());
        for (String split : d.splits()) {
            List<DatasetItem> items = d.items(split);
            for (int i = 0; i < items.size(); i++) {
                RgbImage img = items.get(i).load();
                assertEquals(4, img.width());
                assertEquals(4, img.height());
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 4; x++) {
                        int v = pixel(i, x, y);
                        assertEquals(v << 16 | v << 8 | v, img.rgb(x, y), split + " " + i + " (" + x + "," + y + ")");
                    }
                }
            }
        }
    }

    @Test
    void classesJsonNamesTheLabels() throws IOException {
        Path dir = mnistLike();
        Files.writeString(dir.resolve("classes.json"), "[\"zero\", {\"name\": \"One\", \"prompt\": \"number one\"}, \"two\"]");
        Dataset d = provider.open(dir.toString());
        assertEquals(List.of(new ClassInfo(0, "zero", "zero"), new ClassInfo(1, "One", "number one"),
                new ClassInfo(2, "two", "two")), d.classes());
        Path two = Files.writeString(tmp.resolve("two.json"), "[\"a\", \"b\"]");
        IOException e = assertThrows(IOException.class, () -> provider.open(dir + "?classes=" + two));
        assertTrue(e.getMessage().contains("label 2") && e.getMessage().contains(two.toString()), e.getMessage());
    }

    @Test
    void badMagicNamesTheFile() throws IOException {
        Path dir = mnistLike();
        byte[] bad = images(5, 4, 4);
        bad[3] = 0x08; // 0x00000808
        Path file = write(dir.resolve("train-images-idx3-ubyte.gz"), bad, true);
        IOException e = assertThrows(IOException.class, () -> provider.open(dir.toString()));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("0x00000808")
                && e.getMessage().contains("0x00000803"), e.getMessage());
        // labels and images swapped
        Path dir2 = tmp.resolve("swapped");
        write(dir2.resolve("t10k-images-idx3-ubyte"), labels(1, 2), false);
        write(dir2.resolve("t10k-labels-idx1-ubyte"), images(2, 3, 3), false);
        e = assertThrows(IOException.class, () -> provider.open(dir2.toString()));
        assertTrue(e.getMessage().startsWith(dir2.resolve("t10k-labels-idx1-ubyte").toString()), e.getMessage());
    }

    @Test
    void truncatedFilesNameTheFile() throws IOException {
        // raw labels cut short: at open
        Path dir = tmp.resolve("cut-labels");
        write(dir.resolve("t10k-images-idx3-ubyte"), images(3, 4, 4), false);
        byte[] lab = labels(1, 2, 0);
        Path labels = write(dir.resolve("t10k-labels-idx1-ubyte"), Arrays.copyOf(lab, lab.length - 1), false);
        IOException e = assertThrows(IOException.class, () -> provider.open(dir.toString()));
        assertTrue(e.getMessage().startsWith(labels.toString()) && e.getMessage().contains("truncated"), e.getMessage());

        // raw images cut short: at open
        Path dir2 = tmp.resolve("cut-raw");
        byte[] img = images(3, 4, 4);
        Path raw = write(dir2.resolve("t10k-images-idx3-ubyte"), Arrays.copyOf(img, img.length - 5), false);
        write(dir2.resolve("t10k-labels-idx1-ubyte"), labels(1, 2, 0), false);
        e = assertThrows(IOException.class, () -> provider.open(dir2.toString()));
        assertTrue(e.getMessage().startsWith(raw.toString()) && e.getMessage().contains("truncated"), e.getMessage());

        // gzipped images cut short: found at the first load, and every load reports it
        Path dir3 = tmp.resolve("cut-gz");
        Path gz = write(dir3.resolve("train-images-idx3-ubyte.gz"), Arrays.copyOf(img, img.length - 5), true);
        write(dir3.resolve("train-labels-idx1-ubyte.gz"), labels(1, 2, 0), true);
        Dataset d = provider.open(dir3.toString());
        for (DatasetItem item : d.items("Training")) {
            IOException le = assertThrows(IOException.class, item::load);
            assertTrue(le.getMessage().startsWith(gz.toString()) && le.getMessage().contains("truncated"), le.getMessage());
        }

        // a header that stops early
        Path dir4 = tmp.resolve("cut-header");
        Path header = write(dir4.resolve("train-images-idx3-ubyte"), Arrays.copyOf(img, 10), false);
        write(dir4.resolve("train-labels-idx1-ubyte"), labels(1, 2, 0), false);
        e = assertThrows(IOException.class, () -> provider.open(dir4.toString()));
        assertTrue(e.getMessage().startsWith(header.toString()), e.getMessage());
    }

    @Test
    void mismatchedOrMissingFilesAreErrors() throws IOException {
        Path dir = tmp.resolve("mismatch");
        Path images = write(dir.resolve("train-images-idx3-ubyte"), images(3, 4, 4), false);
        write(dir.resolve("train-labels-idx1-ubyte"), labels(1, 2), false);
        IOException e = assertThrows(IOException.class, () -> provider.open(dir.toString()));
        assertTrue(e.getMessage().startsWith(images.toString()) && e.getMessage().contains("3 images"), e.getMessage());

        Path lonely = tmp.resolve("lonely");
        write(lonely.resolve("t10k-images-idx3-ubyte.gz"), images(1, 2, 2), true);
        e = assertThrows(IOException.class, () -> provider.open(lonely.toString()));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte"), e.getMessage());

        Path none = Files.createDirectories(tmp.resolve("none"));
        e = assertThrows(IOException.class, () -> provider.open(none.toString()));
        assertTrue(e.getMessage().startsWith(none.toString()) && e.getMessage().contains("no IDX files"), e.getMessage());
    }

    @Test
    void fingerprintFollowsTheFilesAndNonSquareImagesHaveNoNativeResolution() throws IOException {
        Path dir = mnistLike();
        String before = provider.open(dir.toString()).fingerprint();
        assertEquals(before, provider.open(dir.toString()).fingerprint());
        write(dir.resolve("t10k-labels.idx1-ubyte"), labels(1, 0, 0), false);
        assertNotEquals(before, provider.open(dir.toString()).fingerprint());

        Path wide = tmp.resolve("wide");
        write(wide.resolve("t10k-images-idx3-ubyte"), images(2, 3, 5), false);
        write(wide.resolve("t10k-labels-idx1-ubyte"), labels(0, 0), false);
        Dataset d = provider.open(wide.toString());
        assertEquals(OptionalInt.empty(), d.nativeResolution());
        RgbImage img = d.items("Test").get(1).load();
        assertEquals(5, img.width());
        assertEquals(3, img.height());
        assertEquals(pixel(1, 4, 2), img.r(4, 2));
        assertArrayEquals(new byte[] {(byte) pixel(1, 0, 0), (byte) pixel(1, 0, 0), (byte) pixel(1, 0, 0)},
                Arrays.copyOf(img.pixels(), 3));
    }

    @Test
    void serviceLoaderFindsIdxAndFashionMnist() {
        assertInstanceOf(IdxDatasetProvider.class, Plugins.dataset("idx"));
        assertInstanceOf(FashionMnistDatasetProvider.class, Plugins.dataset("fashion-mnist"));
    }
}
