package clipbench.datasets;

import clipbench.protocol.DownscaledDataset;

import static clipbench.datasets.ImageFolderDatasetProviderTest.png;
import static clipbench.datasets.ImageFolderDatasetProviderTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.clip.image.ImageDecoder;
import clipbench.clip.image.PilResample;
import clipbench.api.image.RgbImage;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownscaledDatasetTest {
    @TempDir
    Path tmp;

    private static int[][] gradient(int w, int h) {
        int[][] rgb = new int[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                rgb[y][x] = (x * 255 / (w - 1)) << 16 | (y * 255 / (h - 1)) << 8 | ((x + y) % 2) * 255;
            }
        }
        return rgb;
    }

    private Dataset inner() throws IOException {
        png(tmp.resolve("set/Training/cat/a.png"), gradient(40, 30));
        png(tmp.resolve("set/Test/cat/b.png"), gradient(12, 20));
        png(tmp.resolve("set/Test/dog/c.png"), gradient(3, 2));
        return new ImageFolderDatasetProvider().open(tmp.resolve("set").toString());
    }

    @Test
    void everyImageBecomesNxNWithPilBicubic() throws IOException {
        Dataset inner = inner();
        Dataset d = DownscaledDataset.downscale(inner, 8);
        assertEquals("imagefolder:set@8", d.name());
        assertEquals(OptionalInt.of(8), d.nativeResolution());
        assertEquals(inner.splits(), d.splits());
        assertEquals(inner.classes(), d.classes());
        assertEquals(inner.testSplit(), d.testSplit());
        for (String split : d.splits()) {
            List<DatasetItem> in = inner.items(split);
            List<DatasetItem> out = d.items(split);
            assertSame(out, d.items(split), "listed once");
            assertEquals(in.size(), out.size());
            for (int i = 0; i < in.size(); i++) {
                assertEquals(in.get(i).id(), out.get(i).id());
                assertEquals(in.get(i).label(), out.get(i).label());
                RgbImage original = ImageDecoder.read(tmp.resolve("set").resolve(in.get(i).id()));
                RgbImage small = out.get(i).load();
                assertEquals(8, small.width());
                assertEquals(8, small.height());
                assertEquals(PilResample.resize(original, 8, 8, PilResample.Filter.BICUBIC), small, in.get(i).id());
                assertNotEquals(PilResample.resize(original, 8, 8, PilResample.Filter.BILINEAR), small, in.get(i).id());
            }
        }
    }

    @Test
    void fingerprintIncludesTheSize() throws IOException {
        Dataset inner = inner();
        String f8 = DownscaledDataset.downscale(inner, 8).fingerprint();
        assertEquals(f8, DownscaledDataset.downscale(inner, 8).fingerprint());
        assertNotEquals(f8, DownscaledDataset.downscale(inner, 9).fingerprint());
        assertNotEquals(f8, inner.fingerprint());
        assertEquals("imagefolder:set@8@4", DownscaledDataset.downscale(DownscaledDataset.downscale(inner, 8), 4).name());
    }

    @Test
    void loadErrorsStillNameTheFileAndBadSizesAreRejected() throws IOException {
        Path bad = text(tmp.resolve("bad/cat/x.png"), "no png");
        Dataset d = DownscaledDataset.downscale(new ImageFolderDatasetProvider().open(tmp.resolve("bad").toString()), 4);
        IOException e = assertThrows(IOException.class, () -> d.items("all").get(0).load());
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DownscaledDataset.downscale(d, 0));
        assertThrows(NullPointerException.class, () -> DownscaledDataset.downscale(null, 4));
    }
}
