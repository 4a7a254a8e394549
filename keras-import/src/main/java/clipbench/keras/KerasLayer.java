package clipbench.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One layer of a Keras functional model.
 *
 * @param name      the layer's name (weights are named {@code name/kernel}, {@code name/gamma}, ...)
 * @param className Keras class, e.g. {@code Conv2D}, {@code BatchNormalization}
 * @param config    the layer's Keras config (strides, padding, activation, ...)
 * @param inbound   names of the layers feeding it, in order (first output of each)
 */
public record KerasLayer(String name, String className, JsonNode config, List<String> inbound) {
    public KerasLayer {
        inbound = List.copyOf(inbound);
    }
}
