package clipbench.keras.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link KerasReference} itself, on values worked out by hand. */
class KerasReferenceTest {

    @Test
    void convSameStride2PutsTheOddPixelBottomRight() {
        // 1 channel 4x4 input of ones, 3x3 kernel of ones, stride 2, same: out 2x2, pad total 1 -> 0 top, 1 bottom
        Nd x = new Nd(new int[] {1, 4, 4, 1}, filled(16, 1));
        Nd y = KerasReference.conv(x, filled(9, 1), 3, 3, 1, 1, null, new int[] {2, 2}, new int[] {1, 1}, "same", 1);
        assertArrayEquals(new int[] {1, 2, 2, 1}, y.shape());
        // (0,0): rows 0..2, cols 0..2 -> 9; (0,1): cols 2..4 (4 padded) -> 6; (1,1): 2x2 -> 4
        assertArrayEquals(new float[] {9, 6, 6, 4}, y.v());
    }

    @Test
    void averagePoolSameExcludesPadding() {
        Nd x = new Nd(new int[] {1, 2, 2, 1}, new float[] {1, 2, 3, 4});
        Nd y = KerasReference.pool(x, new int[] {3, 3}, new int[] {1, 1}, "same", false);
        // every window covers all four cells: mean 2.5 (counting padding it would be 10/9)
        assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f}, y.v());
        Nd m = KerasReference.pool(x, new int[] {2, 2}, new int[] {2, 2}, "valid", true);
        assertArrayEquals(new float[] {4}, m.v());
    }

    @Test
    void depthwiseOrdersOutputChannelsByInputThenMultiplier() {
        // 1x1 input with channels (1, 10), 1x1 kernel, multiplier 2: kernel [1,1,2,2] = {{2,3},{5,7}}
        Nd x = new Nd(new int[] {1, 1, 1, 2}, new float[] {1, 10});
        Nd y = KerasReference.depthwise(x, new float[] {2, 3, 5, 7}, 1, 1, 2, null, new int[] {1, 1},
                new int[] {1, 1}, "valid");
        assertArrayEquals(new float[] {2, 3, 50, 70}, y.v());
    }

    @Test
    void concatAndFlattenFollowChannelsLastOrder() {
        Nd a = new Nd(new int[] {1, 1, 2, 1}, new float[] {1, 2});
        Nd b = new Nd(new int[] {1, 1, 2, 2}, new float[] {3, 4, 5, 6});
        Nd y = KerasReference.concat(List.of(a, b), -1);
        assertArrayEquals(new int[] {1, 1, 2, 3}, y.shape());
        assertArrayEquals(new float[] {1, 3, 4, 2, 5, 6}, y.v());
    }

    @Test
    void softmaxIsOverTheLastAxis() {
        Nd y = KerasReference.act(new Nd(new int[] {1, 2}, new float[] {0, (float) Math.log(3)}), "softmax");
        assertArrayEquals(new float[] {0.25f, 0.75f}, y.v(), 1e-7f);
    }

    static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }
}
