package clipbench.upsamplers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.ImageTensor;
import clipbench.api.spi.ImageToImage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A network output is computed once per distinct input, whichever backend's pipeline asks. */
class SrMemoTest {
    /** Nearest x2 that counts its calls. */
    static final class CountingNearest implements ImageToImage {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public ImageTensor run(ImageTensor in) {
            calls.incrementAndGet();
            int h = in.height();
            int w = in.width();
            float[] out = new float[in.count() * in.channels() * 4 * h * w];
            for (int p = 0; p < in.count() * in.channels(); p++) {
                for (int y = 0; y < 2 * h; y++) {
                    for (int x = 0; x < 2 * w; x++) {
                        out[(p * 2 * h + y) * 2 * w + x] = in.data()[(p * h + y / 2) * w + x / 2];
                    }
                }
            }
            return new ImageTensor(in.count(), in.channels(), 2 * h, 2 * w, out);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void theSameImageRunsTheNetworkOnceAndGetsTheSameOutput() {
        CountingNearest net = new CountingNearest();
        SrModelUpsampler sr = new SrModelUpsampler(net, 2, 64, 8, "counting-" + System.nanoTime());
        RgbImage a = SrModelUpsamplerTest.image(20, 20);
        RgbImage b = SrModelUpsamplerTest.image(20, 21);
        RgbImage first = sr.upsample(a, 40);
        RgbImage again = sr.upsample(a.copy(), 40);
        sr.upsample(b, 40);
        assertEquals(2, net.calls.get(), "one network run per distinct image");
        assertEquals(1, sr.memoHits());
        assertArrayEquals(first.pixels(), again.pixels());
        // another target reuses the network output and only resizes it differently
        RgbImage bigger = sr.upsample(a, 50);
        assertEquals(2, net.calls.get());
        assertEquals(50, bigger.width());
        // another upsampler of the same network (the next run of a study) reuses it too; another network does not
        CountingNearest other = new CountingNearest();
        SrModelUpsampler same = new SrModelUpsampler(other, 2, 64, 8, sr.toString().split(" ")[0]);
        same.upsample(a, 40);
        assertEquals(0, other.calls.get());
        SrModelUpsampler different = new SrModelUpsampler(other, 2, 32, 8, sr.toString().split(" ")[0]);
        different.upsample(a, 40);
        assertEquals(1, other.calls.get(), "another tile size is another network identity");
    }

    @Test
    void beyondTheBudgetTheLeastRecentlyUsedIsDropped() {
        SrMemo memo = new SrMemo(3 * (12 + 48));  // three 2x2 inputs with their 4x4 outputs
        AtomicInteger made = new AtomicInteger();
        for (int i = 0; i < 4; i++) {
            memo.get("n", RgbImage.filled(2, 2, i, 0, 0), in -> {
                made.incrementAndGet();
                return RgbImage.filled(4, 4, 1, 2, 3);
            });
        }
        assertEquals(3, memo.size());
        assertEquals(0, memo.stored("other"));
        memo.get("n", RgbImage.filled(2, 2, 0, 0, 0), in -> {
            made.incrementAndGet();
            return RgbImage.filled(4, 4, 1, 2, 3);
        });
        assertEquals(5, made.get(), "the first image was dropped and made again");
    }
}
