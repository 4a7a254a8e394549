package clipbench.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import clipbench.api.spi.FineTunable;
import clipbench.api.spi.ImageBatch;
import clipbench.api.spi.TrainableParameter;
import clipbench.checkpoint.ClipArchitecture;
import clipbench.checkpoint.ClipBlocks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link ClipNet}'s image tower cut below its last N blocks ({@link ClipBlocks}). The bottom is the net's own
 * inference up to the cut; activations are, per image, ViT's token sequence {@code [tokens, width]} (class token
 * first) or ModifiedResNet's feature map {@code [channels, height, width]} after the cut block, row-major; with
 * every block trained, the preprocessed image {@code [3, size, size]}. The top is the same net with the trained
 * weights ({@link ClipBlocks#trainedKeys}, OpenAI names and PyTorch layouts, in the checkpoint's order) replaced by
 * the given values; BatchNorm keeps its running statistics (inference mode).
 */
final class ClipNetCut extends TorchCut {
    private final ClipNet net;
    /** The first block of the top (0: the stem too). */
    private final int from;
    /** One image's activation shape, without the batch axis. */
    private final long[] cutShape;

    private ClipNetCut(ClipNet net, int lastBlocks, List<TrainableParameter> parameters, long[] cutShape) {
        super(ClipBlocks.cutName(net.architecture.vision(), lastBlocks), (int) new Shape(cutShape).size(), parameters,
                net.device, net.threads);
        this.net = net;
        this.from = net.blocks() - lastBlocks;
        this.cutShape = cutShape;
    }

    /** The tower's blocks and cuts; the net stays the caller's. */
    static FineTunable fineTunable(ClipNet net) {
        ClipArchitecture.Vision vision = net.architecture.vision();
        return new FineTunable() {
            @Override
            public List<String> blocks() {
                return ClipBlocks.blocks(vision);
            }

            @Override
            public ClipNetCut cut(int lastBlocks) {
                return ClipNetCut.cut(net, lastBlocks);
            }
        };
    }

    static ClipNetCut cut(ClipNet net, int lastBlocks) {
        ClipArchitecture.Vision vision = net.architecture.vision();
        List<TrainableParameter> parameters = new ArrayList<>();
        for (String name : ClipBlocks.trainedKeys(vision, net.weightNames(), lastBlocks)) {
            parameters.add(new TrainableParameter(name, Arrays.stream(net.shape(name)).mapToInt(d -> (int) d)
                    .toArray(), net.values(name)));
        }
        int size = net.architecture.imageResolution();
        int frozenBlocks = net.blocks() - lastBlocks;
        long[] shape;
        if (frozenBlocks == 0) {
            shape = new long[] {ImageBatch.CHANNELS, size, size};
        } else { // the activation's shape from the architecture is family arithmetic; one blank image says it
            int length = net.embedBlocks(new float[ImageBatch.CHANNELS * size * size], 1, size, frozenBlocks)[0].length;
            shape = vision instanceof ClipArchitecture.Vit vit ? new long[] {length / vit.width(), vit.width()}
                    : resNetShape(net, frozenBlocks, length);
        }
        return new ClipNetCut(net, lastBlocks, parameters, shape);
    }

    /** {@code [channels, side, side]} of a square feature map of {@code length} floats after block {@code blocks - 1}. */
    private static long[] resNetShape(ClipNet net, int blocks, int length) {
        String prefix = "visual." + ClipBlocks.blocks(net.architecture.vision()).get(blocks - 1) + ".conv3.weight";
        long channels = net.shape(prefix)[0];
        long side = Math.round(Math.sqrt((double) length / channels));
        return new long[] {channels, side, side};
    }

    @Override
    public float[][] frozen(ImageBatch batch) {
        return from == 0 ? imageRows(batch) : net.embedBlocks(batch.data(), batch.count(), batch.size(), from);
    }

    @Override
    protected NDArray top(NDArray activations, List<NDArray> values) {
        Map<String, NDArray> replaced = new HashMap<>();
        List<TrainableParameter> parameters = parameters();
        for (int i = 0; i < values.size(); i++) {
            replaced.put(parameters.get(i).name(), values.get(i));
        }
        DataType type = activations.getDataType();
        if (type != DataType.FLOAT32) { // the top's fixed tensors (BatchNorm statistics) in the same precision
            for (String name : net.weightNames()) {
                if (name.startsWith("visual.") && !replaced.containsKey(name)) {
                    replaced.put(name, activations.getManager().create(net.values(name), new Shape(net.shape(name)))
                            .toType(type, false));
                }
            }
        }
        long[] shape = new long[cutShape.length + 1];
        shape[0] = activations.getShape().get(0);
        System.arraycopy(cutShape, 0, shape, 1, cutShape.length);
        return net.with(replaced).imageTower(activations.reshape(new Shape(shape)), from, net.blocks());
    }

    @Override
    protected String source() {
        return net.source + " cut at " + cutName();
    }
}
