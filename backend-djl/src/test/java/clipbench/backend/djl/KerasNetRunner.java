package clipbench.backend.djl;

import clipbench.keras.KerasModel;
import clipbench.keras.contract.KerasRunner;
import clipbench.keras.contract.Nd;

/** Runs a {@link KerasModel} as {@link KerasNet} on libtorch (CPU): one row per image, flattened in NHWC order. */
final class KerasNetRunner implements KerasRunner {
    @Override
    public Nd run(KerasModel model, Nd nhwc) {
        int[] in = {nhwc.shape()[1], nhwc.shape()[2]}; // the image's own size (the model's may be open)
        float[][] rows;
        try (KerasNet net = KerasNet.build(model, ai.djl.Device.cpu(), 0)) {
            rows = net.run(nhwc.nchw(), nhwc.count(), in[0], in[1]);
        }
        int per = rows[0].length;
        float[] v = new float[rows.length * per];
        for (int n = 0; n < rows.length; n++) {
            System.arraycopy(rows[n], 0, v, n * per, per);
        }
        return new Nd(new int[] {rows.length, per}, v);
    }
}
