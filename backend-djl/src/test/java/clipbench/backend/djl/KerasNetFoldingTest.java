package clipbench.backend.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import clipbench.keras.KerasModel;
import clipbench.keras.contract.KerasReference;
import clipbench.keras.contract.KerasTestNet;
import clipbench.keras.contract.Nd;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** BatchNormalization folded into the convolution before it, and inputs refilled into one buffer per thread. */
class KerasNetFoldingTest {
    private static final int[] HWC = {6, 5, 3};

    private static float[] run(KerasNet net, Nd x) {
        float[][] rows = net.run(x.nchw(), x.count(), HWC[0], HWC[1]);
        float[] flat = new float[rows.length * rows[0].length];
        for (int n = 0; n < rows.length; n++) {
            System.arraycopy(rows[n], 0, flat, n * rows[n].length, rows[n].length);
        }
        return flat;
    }

    @Test
    void aNormalisationReadingOnlyAConvolutionIsFoldedIntoItsWeights() {
        KerasTestNet n = new KerasTestNet("fold", HWC[0], HWC[1], HWC[2], 5);
        n.conv("c", "input", 3, "{'filters':4,'kernel_size':3,'padding':'same','use_bias':false}");
        n.bn("bn", "c", 4, "{'axis':-1,'epsilon':0.001}");
        n.depthwise("dw", "bn", 4, "{'kernel_size':3,'padding':'valid','use_bias':true}");
        n.bn("bn2", "dw", 4, "{'axis':3,'center':false,'epsilon':0.00001}");
        n.layer("ReLU", "r", "{'max_value':6.0}", "bn2");
        KerasModel model = n.build();
        Nd x = Nd.random(2, HWC, 9, -2, 2);
        try (KerasNet net = KerasNet.build(model, ai.djl.Device.cpu(), 1)) {
            // each convolution holds its weight and a bias made from the normalisation; no normalisation arrays
            assertEquals(4, net.liveArrays());
            assertArrayEquals(KerasReference.run(model, x).v(), run(net, x), 1e-5f);
        }
    }

    @Test
    void aConvolutionReadByMoreThanTheNormalisationIsNotFolded() {
        KerasTestNet n = new KerasTestNet("nofold", HWC[0], HWC[1], HWC[2], 6);
        n.conv("c", "input", 3, "{'filters':3,'kernel_size':1,'use_bias':false}");
        n.bn("bn", "c", 3, "{'axis':-1}");
        n.layer("Add", "add", "{}", "c", "bn");
        KerasModel model = n.build();
        Nd x = Nd.random(1, HWC, 10, -2, 2);
        try (KerasNet net = KerasNet.build(model, ai.djl.Device.cpu(), 1)) {
            assertEquals(1 + 4, net.liveArrays()); // the weight; mean, variance, gamma, beta
            assertArrayEquals(KerasReference.run(model, x).v(), run(net, x), 1e-5f);
        }
    }

    @Test
    void callsOfDifferentSizesOnOneThreadReadOnlyTheirOwnInput() {
        KerasTestNet n = new KerasTestNet("reuse", HWC[0], HWC[1], HWC[2], 7);
        n.conv("c", "input", 3, "{'filters':2,'kernel_size':3,'padding':'same'}");
        KerasModel model = n.build();
        Nd big = Nd.random(3, HWC, 11, -1, 1);
        Nd small = Nd.random(1, HWC, 12, -1, 1);
        try (KerasNet net = KerasNet.build(model, ai.djl.Device.cpu(), 1)) {
            float[] first = run(net, small);
            float[] three = run(net, big); // refills (and grows) this thread's buffer
            assertArrayEquals(KerasReference.run(model, big).v(), three, 1e-5f);
            float[] again = run(net, small); // the buffer still holds the rest of the bigger batch
            assertArrayEquals(first, again, 0f);
            assertFalse(Arrays.equals(first, Arrays.copyOf(three, first.length)));
        }
    }
}
