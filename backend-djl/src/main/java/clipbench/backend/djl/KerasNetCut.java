package clipbench.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import clipbench.api.spi.FineTunable;
import clipbench.api.spi.ImageBatch;
import clipbench.keras.KerasBlocks;
import clipbench.keras.KerasModel;
import java.util.List;

/**
 * A Keras model cut by {@link KerasBlocks}: the bottom a {@link KerasNet} as at inference (folded), the top a
 * {@link KerasNet#trainable} net of the layers after the cut. Activations are the cut layer's output per image in
 * Keras's order ({@code [h, w, c]}, row-major, as the TensorFlow backend holds it); at the {@code input} cut, the
 * preprocessed image as the batch holds it ({@code [3, size, size]}).
 */
final class KerasNetCut extends TorchCut {
    private final KerasNet bottom;
    private final KerasNet top;
    private final int[] cutShape;
    private final String model;

    private KerasNetCut(KerasBlocks.Split split, KerasNet bottom, KerasNet top, ai.djl.Device device, int threads) {
        super(split.cut(), split.activationLength(), top.parameters(), device, threads);
        this.bottom = bottom;
        this.top = top;
        this.cutShape = split.top().inputShape();
        this.model = split.top().name();
    }

    /** Blocks and cuts of {@code model} (a fixed input size), run on {@code device} with {@code threads}. */
    static FineTunable fineTunable(KerasModel model, ai.djl.Device device, int threads) {
        return new FineTunable() {
            @Override
            public List<String> blocks() {
                return KerasBlocks.blocks(model);
            }

            @Override
            public KerasNetCut cut(int lastBlocks) {
                return of(KerasBlocks.lastBlocks(model, lastBlocks), device, threads);
            }

            @Override
            public KerasNetCut cutAfter(String layer) {
                return of(KerasBlocks.after(model, layer), device, threads);
            }
        };
    }

    static KerasNetCut of(KerasBlocks.Split split, ai.djl.Device device, int threads) {
        KerasNet top = KerasNet.trainable(split.top(), device, threads);
        try {
            KerasNet bottom = split.bottom() == null ? null : KerasNet.build(split.bottom(), device, threads);
            return new KerasNetCut(split, bottom, top, device, threads);
        } catch (RuntimeException e) {
            top.close();
            throw e;
        }
    }

    @Override
    public float[][] frozen(ImageBatch batch) {
        return bottom == null ? imageRows(batch) : bottom.run(batch.data(), batch.count(), batch.size(), batch.size());
    }

    @Override
    protected NDArray top(NDArray activations, List<NDArray> values) {
        long n = activations.getShape().get(0);
        NDArray input = bottom == null
                ? activations.reshape(n, ImageBatch.CHANNELS, cutShape[0], cutShape[1])
                : activations.reshape(n, cutShape[0], cutShape[1], cutShape[2]).transpose(0, 3, 1, 2);
        return top.forward(input, values);
    }

    @Override
    protected String source() {
        return "model " + model;
    }

    @Override
    public void close() {
        try (KerasNet t = top) {
            if (bottom != null) {
                bottom.close();
            }
        } finally {
            super.close();
        }
    }
}
