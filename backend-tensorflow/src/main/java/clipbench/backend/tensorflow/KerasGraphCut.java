package clipbench.backend.tensorflow;

import clipbench.api.spi.FineTunable;
import clipbench.api.spi.TowerCut;
import clipbench.keras.KerasBlocks;
import clipbench.keras.KerasLayer;
import clipbench.keras.KerasModel;
import clipbench.keras.KerasTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.ConfigProto;

/**
 * A Keras image model ({@link KerasGraph}, already cut at its feature layer) as blocks to fine-tune, split by
 * {@link KerasBlocks}. The cut's activations per image: the cut layer's output in Keras's NHWC layout, row-major;
 * the preprocessed image {@code [3, S, S]} (NCHW) when every block trains. Parameters are the top's weights named
 * {@code layer/kernel}, {@code layer/bias}, {@code layer/gamma}, ... layer by layer in topological order
 * ({@code kernel} or {@code depthwise_kernel}, {@code bias}, {@code gamma}, {@code beta}); BatchNormalization's
 * moving statistics stay constants.
 */
final class KerasGraphCut implements FineTunable {
    /** A layer's weights in this order; BatchNormalization's moving statistics are state, not parameters. */
    private static final List<String> ORDER = List.of("kernel", "depthwise_kernel", "bias", "gamma", "beta");

    private final String source;
    private final KerasModel model;
    private final int imageSize;
    private final ConfigProto config;

    /** @param model with a fixed input size ({@link KerasModel#withInputSize}) */
    KerasGraphCut(String source, KerasModel model, int imageSize, ConfigProto config) {
        this.source = source;
        this.model = model;
        this.imageSize = imageSize;
        this.config = config;
    }

    @Override
    public List<String> blocks() {
        return KerasBlocks.blocks(model);
    }

    @Override
    public TowerCut cut(int lastBlocks) {
        return cut(KerasBlocks.lastBlocks(model, lastBlocks));
    }

    @Override
    public TowerCut cutAfter(String layer) {
        return cut(KerasBlocks.after(model, layer));
    }

    /** The trained weights: layer by layer in topological order, each layer's in {@link #ORDER}. */
    static List<KerasTensor> trained(KerasModel top) {
        List<KerasTensor> out = new ArrayList<>();
        for (KerasLayer layer : top.layers()) {
            Map<String, KerasTensor> weights = top.weightsOf(layer.name());
            ORDER.stream().filter(weights::containsKey).forEach(k -> out.add(weights.get(k)));
        }
        return out;
    }

    private TowerCut cut(KerasBlocks.Split split) {
        KerasModel bottomModel = split.bottom();
        TfTowerCut.Bottom bottom = bottomModel == null ? null : (tf, image) -> {
            KerasGraph graph = new KerasGraph(tf, bottomModel);
            return graph.apply(graph.nhwc(image));
        };
        return TfTowerCut.create(source, split.cut(), imageSize, config, bottom, (tf, params, x) -> {
            for (KerasTensor t : trained(split.top())) {
                params.add(t.name(), Arrays.stream(t.shape()).asLongStream().toArray(), t.data());
            }
            KerasGraph top = new KerasGraph(tf, split.top(), params);
            return top.rows(top.apply(bottomModel == null ? top.nhwc(x) : x));
        });
    }
}
