package clipbench.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.keras.KerasModel;
import clipbench.keras.contract.KerasTestNet;
import clipbench.keras.contract.Nd;
import org.junit.jupiter.api.Test;

/** What {@link KerasGraph} cannot build is refused with a message naming the layer (the layers: the contract). */
class KerasGraphRefusalTest {
    private static void assertRefused(KerasModel m, String... parts) {
        Nd x = Nd.random(1, m.inputShape(), 60, 0, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new KerasGraphRunner().run(m, x));
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention " + p);
        }
    }

    @Test
    void unsupportedConfigsNameTheLayer() {
        KerasTestNet swish = new KerasTestNet("bad", 4, 4, 3, 1);
        swish.layer("Activation", "swishy", "{'activation':'swish'}", "input");
        assertRefused(swish.build(), "'swishy'", "swish");
        KerasTestNet nchw = new KerasTestNet("bad", 4, 4, 3, 1);
        nchw.conv("conv_nchw", "input", 3, "{'filters':2,'kernel_size':3,'data_format':'channels_first'}");
        assertRefused(nchw.build(), "'conv_nchw'", "channels_first");
        KerasTestNet noKernel = new KerasTestNet("bad", 4, 4, 3, 1);
        noKernel.layer("Conv2D", "conv_nokernel", "{'filters':2,'kernel_size':3,'use_bias':false}", "input");
        assertRefused(noKernel.build(), "conv_nokernel/kernel");
        KerasTestNet wrongIn = new KerasTestNet("bad", 4, 4, 3, 1);
        wrongIn.conv("conv_wrong_in", "input", 5, "{'filters':2,'kernel_size':3,'padding':'same','use_bias':false}");
        assertRefused(wrongIn.build(), "'conv_wrong_in'");
    }

    @Test
    void unknownLayerTypesAreNamed() {
        KerasTestNet lstm = new KerasTestNet("bad", 4, 4, 3, 1);
        lstm.layer("LSTM", "lstm_1", "{'units':3}", "input");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, lstm::build);
        assertTrue(e.getMessage().contains("'lstm_1'") && e.getMessage().contains("LSTM"), e.getMessage());
    }
}
