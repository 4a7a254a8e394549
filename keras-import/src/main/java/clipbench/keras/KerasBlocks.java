package clipbench.keras;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Keras graph as blocks, by the network's own block names (MobileNetV2 {@code block_1} ... {@code block_16},
 * InceptionV3 {@code mixed0} ... {@code mixed10}), and its split into a frozen bottom and a trainable top at a
 * single-tensor cut. Runtime-neutral: every training backend builds its two networks from the {@link Split}.
 */
public final class KerasBlocks {
    /** A layer belongs to block B when its name is B or starts with B + "_" (block_16_expand, mixed9_1). */
    private static final Pattern BLOCK = Pattern.compile("^(block_\\d+|mixed\\d+)(?:_.*)?$");

    private KerasBlocks() {
    }

    /**
     * The model in two: {@code bottom} ends at {@code cut} (null when the cut is the input: nothing frozen), and
     * {@code top} takes the cut's output as its input (an {@code InputLayer} named as the cut layer, so the top's
     * layers keep their inbound names) and ends at the model's output.
     */
    public record Split(String cut, KerasModel bottom, KerasModel top) {
        /** Floats per image at the cut. */
        public int activationLength() {
            int n = 1;
            for (int d : top.inputShape()) {
                n *= d;
            }
            return n;
        }
    }

    /** Block names in the order their first layer appears; empty when the network names no blocks. */
    public static List<String> blocks(KerasModel model) {
        return List.copyOf(ends(model).keySet());
    }

    /**
     * Cuts below the last {@code n} blocks: the cut is the layer that ends the block before them. {@code n} equal to
     * the number of blocks trains everything from the input.
     */
    public static Split lastBlocks(KerasModel model, int n) {
        Map<String, String> ends = ends(model);
        if (ends.isEmpty()) {
            throw new IllegalArgumentException("model " + model.name() + ": no layer is named like a block"
                    + " (block_N..., mixedN...); name a cut layer instead");
        }
        if (n < 1 || n > ends.size()) {
            throw new IllegalArgumentException("model " + model.name() + ": last:" + n + " is not in 1.." + ends.size()
                    + " (its blocks: " + String.join(", ", ends.keySet()) + ")");
        }
        if (n == ends.size()) {
            return new Split("input", null, model);
        }
        List<String> names = new ArrayList<>(ends.keySet());
        return after(model, ends.get(names.get(names.size() - n - 1)));
    }

    /**
     * Cuts after {@code layer}, which must be a single-tensor cut: nothing after it reads a layer before it. The
     * model needs a fixed input size ({@link KerasModel#withInputSize}) for the cut's shape.
     */
    public static Split after(KerasModel model, String layer) {
        model.layer(layer);
        List<KerasLayer> layers = model.layers();
        int at = indexOf(layers, layer);
        if (layers.get(at).name().equals(model.output())) {
            throw new IllegalArgumentException("model " + model.name() + ": cut '" + layer
                    + "' is the output layer; nothing would be trained");
        }
        Set<String> before = new HashSet<>();
        for (int i = 0; i < at; i++) {
            before.add(layers.get(i).name());
        }
        List<KerasLayer> top = new ArrayList<>();
        top.add(new KerasLayer(layer, "InputLayer", JsonNodeFactory.instance.objectNode(), List.of()));
        for (int i = at + 1; i < layers.size(); i++) {
            KerasLayer l = layers.get(i);
            for (String in : l.inbound()) {
                if (before.contains(in)) {
                    throw new IllegalArgumentException("model " + model.name() + ": '" + layer + "' is not a single-tensor"
                            + " cut: layer '" + l.name() + "' after it reads '" + in + "' from before it");
                }
            }
            top.add(l);
        }
        Map<String, KerasTensor> weights = new LinkedHashMap<>();
        Set<String> topNames = new HashSet<>();
        top.forEach(l -> topNames.add(l.name()));
        model.weights().forEach((k, v) -> {
            if (topNames.contains(k.substring(0, Math.max(0, k.lastIndexOf('/'))))) {
                weights.put(k, v);
            }
        });
        int[] shape = KerasShapes.outputShape(model, layer);
        KerasModel topModel = new KerasModel(model.name() + "@" + layer, shape, top, model.output(), weights);
        return new Split(layer, model.cutAt(layer), topModel);
    }

    /** Each block's last layer in topological order, by block name in order of appearance. */
    private static Map<String, String> ends(KerasModel model) {
        Map<String, String> ends = new LinkedHashMap<>();
        for (KerasLayer l : model.layers()) {
            Matcher m = BLOCK.matcher(l.name());
            if (m.matches()) {
                ends.put(m.group(1), l.name());
            }
        }
        return ends;
    }

    private static int indexOf(List<KerasLayer> layers, String name) {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name);
    }
}
