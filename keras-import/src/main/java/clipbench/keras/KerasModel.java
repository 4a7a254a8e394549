package clipbench.keras;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Keras functional model as a runtime-neutral graph: layers in topological order (inputs first), the
 * output layer, and dequantised weights. Every backend builds its own network from this.
 *
 * @param name        model name
 * @param inputShape  {@code [height, width, channels]} of the single input (channels last, as Keras); height and
 *                    width may be {@link #ANY}
 * @param layers      layers in topological order; the first is the {@code InputLayer}
 * @param output      the layer whose output is the model's output
 * @param weights     every weight by its name ({@code layer/kernel}, ...)
 */
public record KerasModel(String name, int[] inputShape, List<KerasLayer> layers, String output,
                         Map<String, KerasTensor> weights) {

    /** An input height or width left open ({@code null} in Keras): the model takes any size there. */
    public static final int ANY = -1;

    /** Layer types every backend must support; anything else is refused with the layer's name. */
    public static final Set<String> SUPPORTED = Set.of("InputLayer", "Conv2D", "DepthwiseConv2D",
            "BatchNormalization", "ReLU", "Activation", "ZeroPadding2D", "Add", "Concatenate", "MaxPooling2D",
            "AveragePooling2D", "GlobalAveragePooling2D", "Flatten", "Dense", "Dropout", "UpSampling2D", "MultiplyBeta", "PixelShuffle");

    public KerasModel {
        inputShape = inputShape.clone();
        layers = List.copyOf(layers);
        weights = Map.copyOf(weights);
        for (KerasLayer l : layers) {
            if (!SUPPORTED.contains(KerasConfig.type(l))) {
                throw new IllegalArgumentException("model " + name + ": layer '" + l.name() + "' has unsupported type "
                        + l.className() + " (supported: " + new java.util.TreeSet<>(SUPPORTED) + ")");
            }
        }
    }

    @Override
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** True when the input's height or width is {@link #ANY}. */
    public boolean openSize() {
        return inputShape.length == 3 && (inputShape[0] == ANY || inputShape[1] == ANY);
    }

    /** The same model taking images of exactly {@code height x width} (where its size is open). */
    public KerasModel withInputSize(int height, int width) {
        int[] in = inputShape.clone();
        in[0] = in[0] == ANY ? height : in[0];
        in[1] = in[1] == ANY ? width : in[1];
        return new KerasModel(name, in, layers, output, weights);
    }

    public KerasLayer layer(String layerName) {
        return layers.stream().filter(l -> l.name().equals(layerName)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("model " + name + ": no layer named '" + layerName + "'"));
    }

    /** The weights of one layer, named {@code layer/<suffix>}, by suffix (e.g. {@code kernel}, {@code gamma}). */
    public Map<String, KerasTensor> weightsOf(String layerName) {
        Map<String, KerasTensor> out = new LinkedHashMap<>();
        String prefix = layerName + "/";
        weights.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** The same model ending at {@code layerName}: only the layers that output depends on are kept. */
    public KerasModel cutAt(String layerName) {
        layer(layerName);
        Set<String> needed = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(layerName));
        while (!todo.isEmpty()) {
            String n = todo.pop();
            if (needed.add(n)) {
                todo.addAll(layer(n).inbound());
            }
        }
        List<KerasLayer> kept = new ArrayList<>();
        for (KerasLayer l : layers) {
            if (needed.contains(l.name())) {
                kept.add(l);
            }
        }
        Map<String, KerasTensor> w = new LinkedHashMap<>();
        weights.forEach((k, v) -> {
            if (needed.contains(k.substring(0, Math.max(0, k.lastIndexOf('/'))))) {
                w.put(k, v);
            }
        });
        return new KerasModel(name, inputShape, kept, layerName, w);
    }

    /**
     * The default feature layer: the output of the last global pooling, i.e. the last
     * {@code GlobalAveragePooling2D}, or the {@code Flatten} that follows the last {@code AveragePooling2D}
     * (how MobileNetV2 and InceptionV3 exported by Keras 2.2 end before their classifier).
     */
    public String defaultFeatureLayer() {
        for (int i = layers.size() - 1; i >= 0; i--) {
            KerasLayer l = layers.get(i);
            if (l.className().equals("GlobalAveragePooling2D")) {
                return l.name();
            }
            if (l.className().equals("Flatten") && l.inbound().size() == 1
                    && layer(l.inbound().get(0)).className().equals("AveragePooling2D")) {
                return l.name();
            }
        }
        throw new IllegalArgumentException("model " + name + ": no global pooling layer to cut at; name a layer");
    }
}
