package clipbench.clip.image;

import clipbench.api.image.RgbImage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClipTransformTest {

    /** Finds {@code shared/golden/openai-clip-reference.json}: property {@code clipbench.shared}, then ../shared, ../../shared. */
    static Path golden() {
        List<Path> tried = new ArrayList<>();
        String prop = System.getProperty("clipbench.shared");
        if (prop != null && !prop.isBlank()) {
            tried.add(Path.of(prop));
        }
        Path cwd = Path.of("").toAbsolutePath();
        tried.add(cwd.resolve("../shared"));
        tried.add(cwd.resolve("../../shared"));
        for (Path dir : tried) {
            Path f = dir.resolve("golden/openai-clip-reference.json").normalize();
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        return fail("golden file golden/openai-clip-reference.json not found under any of " + tried
                + " (set -Dclipbench.shared=...)");
    }

    @Test
    void matchesOpenAiReferenceOutput() throws IOException {
        JsonNode root = new ObjectMapper().readTree(golden().toFile());
        int resolution = root.get("transform_resolution").asInt();
        assertEquals(32, resolution);

        JsonNode in = root.get("transform_input"); // [H][W][3] uint8
        int h = in.size();
        int w = in.get(0).size();
        assertEquals(64, h);
        assertEquals(128, w);
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    int v = in.get(y).get(x).get(c).asInt();
                    assertTrue(v >= 0 && v <= 255);
                    px[(y * w + x) * 3 + c] = (byte) v;
                }
            }
        }
        float[] chw = ClipTransform.openaiClip(resolution).apply(new RgbImage(w, h, px));
        assertEquals(3 * resolution * resolution, chw.length);

        JsonNode out = root.get("transform_output"); // [H][W][3] float, the CHW tensor transposed
        assertEquals(resolution, out.size());
        double maxErr = 0;
        for (int y = 0; y < resolution; y++) {
            assertEquals(resolution, out.get(y).size());
            for (int x = 0; x < resolution; x++) {
                for (int c = 0; c < 3; c++) {
                    double expected = out.get(y).get(x).get(c).asDouble();
                    double actual = chw[c * resolution * resolution + y * resolution + x];
                    maxErr = Math.max(maxErr, Math.abs(expected - actual));
                }
            }
        }
        System.out.printf("ClipTransform golden (openai-clip-reference.json): max abs error = %.3e%n", maxErr);
        assertTrue(maxErr <= 1e-4, "max abs error " + maxErr + " > 1e-4");
    }

    @Test
    void goldenInputIsNotTriviallyMatched() throws IOException {
        // Guards the golden test: a transform that skipped the resize (plain crop) must not pass it.
        JsonNode root = new ObjectMapper().readTree(golden().toFile());
        JsonNode in = root.get("transform_input");
        JsonNode out = root.get("transform_output");
        int h = in.size();
        int w = in.get(0).size();
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    px[(y * w + x) * 3 + c] = (byte) in.get(y).get(x).get(c).asInt();
                }
            }
        }
        ClipTransform t = ClipTransform.openaiClip(32);
        RgbImage wrong = new RgbImage(w, h, px).crop((w - 32) / 2, (h - 32) / 2, 32, 32);
        float[] chw = t.toTensor(wrong);
        double maxErr = 0;
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                for (int c = 0; c < 3; c++) {
                    maxErr = Math.max(maxErr, Math.abs(out.get(y).get(x).get(c).asDouble() - chw[c * 1024 + y * 32 + x]));
                }
            }
        }
        assertTrue(maxErr > 1e-2, "golden output should discriminate, got " + maxErr);
    }

    @Test
    void openAiConstants() {
        ClipTransform t = ClipTransform.openaiClip(224);
        assertEquals(224, t.size());
        assertArrayEquals(new float[] {0.48145466f, 0.4578275f, 0.40821073f}, t.mean());
        assertArrayEquals(new float[] {0.26862954f, 0.26130258f, 0.27577711f}, t.std());
        assertEquals(3 * 224 * 224, t.tensorLength());
    }

    @Test
    void resizedSizeFollowsTorchvision() {
        assertArrayEquals(new int[] {64, 32}, ClipTransform.resizedSize(128, 64, 32));
        assertArrayEquals(new int[] {32, 64}, ClipTransform.resizedSize(64, 128, 32));
        assertArrayEquals(new int[] {224, 224}, ClipTransform.resizedSize(300, 300, 224));
        // int(224 * 500 / 333) = int(336.336...) = 336; the short side is exactly 224.
        assertArrayEquals(new int[] {336, 224}, ClipTransform.resizedSize(500, 333, 224));
        assertArrayEquals(new int[] {224, 336}, ClipTransform.resizedSize(333, 500, 224));
        // truncation, not rounding: int(4 * 7 / 3) = int(9.33) = 9 and int(10 * 29 / 6) = int(48.33) = 48;
        // int(3 * 5 / 2) = int(7.5) = 7 (rounding would give 8).
        assertArrayEquals(new int[] {4, 9}, ClipTransform.resizedSize(3, 7, 4));
        assertArrayEquals(new int[] {48, 10}, ClipTransform.resizedSize(29, 6, 10));
        assertArrayEquals(new int[] {7, 3}, ClipTransform.resizedSize(5, 2, 3));
    }

    @Test
    void cropOffsetUsesPythonRoundHalfToEven() {
        assertEquals(0, ClipTransform.cropOffset(32, 32));
        assertEquals(0, ClipTransform.cropOffset(33, 32)); // round(0.5) = 0
        assertEquals(1, ClipTransform.cropOffset(34, 32));
        assertEquals(2, ClipTransform.cropOffset(35, 32)); // round(1.5) = 2
        assertEquals(2, ClipTransform.cropOffset(37, 32)); // round(2.5) = 2, half-up would say 3
        assertEquals(4, ClipTransform.cropOffset(39, 32)); // round(3.5) = 4
        assertEquals(16, ClipTransform.cropOffset(64, 32));
    }

    @Test
    void resizeAndCropCentersWithBankersRounding() {
        // 9x4 with size 4: the short side is already 4, no resize; crop left = round(2.5) = 2.
        RgbImage img = gradient(9, 4);
        RgbImage out = ClipTransform.openaiClip(4).resizeAndCrop(img);
        assertEquals(img.crop(2, 0, 4, 4), out);
        // 4x11: top = round(3.5) = 4.
        RgbImage tall = gradient(4, 11);
        assertEquals(tall.crop(0, 4, 4, 4), ClipTransform.openaiClip(4).resizeAndCrop(tall));
    }

    @Test
    void resizeAndCropResizesShortSideWithPilBicubic() {
        RgbImage img = gradient(50, 20);
        RgbImage out = ClipTransform.openaiClip(10).resizeAndCrop(img);
        // short side 20 -> 10, long side int(10 * 50 / 20) = 25, crop left round(7.5) = 8
        RgbImage resized = PilResample.resize(img, 25, 10, PilResample.Filter.BICUBIC);
        assertEquals(resized.crop(8, 0, 10, 10), out);
        assertEquals(10, out.width());
        assertEquals(10, out.height());
    }

    @Test
    void centerCropPadsLikeTorchvisionWhenSmaller() {
        RgbImage img = RgbImage.filled(2, 3, 9, 9, 9);
        RgbImage out = ClipTransform.centerCrop(img, 5);
        // pad left (5 - 2) // 2 = 1, right 2; top (5 - 3) // 2 = 1, bottom 1
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 5; x++) {
                boolean inside = x >= 1 && x <= 2 && y >= 1 && y <= 3;
                assertEquals(inside ? 9 : 0, out.r(x, y), "(" + x + ", " + y + ")");
            }
        }
    }

    @Test
    void toTensorIsChwNormalised() {
        ClipTransform t = new ClipTransform(2, new float[] {0.5f, 0.25f, 0f}, new float[] {0.5f, 0.25f, 2f});
        byte[] px = new byte[2 * 2 * 3];
        // pixel (1, 0) = (255, 0, 51); others 0
        px[3] = (byte) 255;
        px[5] = (byte) 51;
        float[] out = t.toTensor(new RgbImage(2, 2, px));
        assertEquals(12, out.length);
        // channel 0 plane: (0/255 - 0.5) / 0.5 = -1 except (1, 0): (1 - 0.5) / 0.5 = 1
        assertArrayEquals(new float[] {-1f, 1f, -1f, -1f}, slice(out, 0, 4));
        assertArrayEquals(new float[] {-1f, -1f, -1f, -1f}, slice(out, 4, 8));
        float v = (51f / 255f - 0f) / 2f;
        assertArrayEquals(new float[] {0f, v, 0f, 0f}, slice(out, 8, 12));
        assertEquals(0.1f, v, 1e-7f);
    }

    @Test
    void toTensorMatchesFloat32Formula() {
        ClipTransform t = ClipTransform.openaiClip(16);
        RgbImage img = gradient(16, 16);
        float[] out = t.toTensor(img);
        float[] mean = t.mean();
        float[] std = t.std();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 16; x++) {
                    float expected = ((float) img.channel(x, y, c) / 255f - mean[c]) / std[c];
                    assertEquals(expected, out[c * 256 + y * 16 + x], 0f);
                }
            }
        }
    }

    @Test
    void applyIntoFillsBatchSlots() {
        ClipTransform t = ClipTransform.openaiClip(8);
        RgbImage a = gradient(20, 13);
        RgbImage b = gradient(9, 31);
        float[] batch = new float[2 * t.tensorLength() + 5];
        t.applyInto(a, batch, 0);
        t.applyInto(b, batch, t.tensorLength());
        assertArrayEquals(t.apply(a), slice(batch, 0, t.tensorLength()));
        assertArrayEquals(t.apply(b), slice(batch, t.tensorLength(), 2 * t.tensorLength()));
        for (int i = 2 * t.tensorLength(); i < batch.length; i++) {
            assertEquals(0f, batch[i]);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> t.applyInto(a, batch, t.tensorLength() + 6));
        assertThrows(IndexOutOfBoundsException.class, () -> t.applyInto(a, batch, -1));
    }

    @Test
    void validatesAndCopies() {
        assertThrows(IllegalArgumentException.class, () -> ClipTransform.openaiClip(0));
        assertThrows(IllegalArgumentException.class, () -> new ClipTransform(4, new float[2], new float[] {1, 1, 1}));
        assertThrows(IllegalArgumentException.class, () -> new ClipTransform(4, new float[3], new float[] {1, 0, 1}));
        assertThrows(IllegalArgumentException.class, () -> new ClipTransform(4, new float[] {0, Float.NaN, 0}, new float[] {1, 1, 1}));
        ClipTransform t = ClipTransform.openaiClip(4);
        t.mean()[0] = 99f;
        t.std()[0] = 99f;
        assertEquals(0.48145466f, t.mean()[0]);
        assertEquals(0.26862954f, t.std()[0]);
        assertNotSame(t.mean(), t.mean());
        assertEquals(ClipTransform.openaiClip(4), t);
        assertEquals(ClipTransform.openaiClip(4).hashCode(), t.hashCode());
        assertThrows(IllegalArgumentException.class, () -> t.toTensor(gradient(5, 4)));
    }

    static RgbImage gradient(int w, int h) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                px[o] = (byte) (x * 255 / Math.max(1, w - 1));
                px[o + 1] = (byte) (y * 255 / Math.max(1, h - 1));
                px[o + 2] = (byte) ((x * 37 + y * 91) & 0xFF);
            }
        }
        return new RgbImage(w, h, px);
    }

    private static float[] slice(float[] a, int from, int to) {
        float[] out = new float[to - from];
        System.arraycopy(a, from, out, 0, out.length);
        return out;
    }
}
