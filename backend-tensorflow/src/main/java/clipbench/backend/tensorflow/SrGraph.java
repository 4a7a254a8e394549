package clipbench.backend.tensorflow;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * An ESPCN-style super-resolution network from a model card's {@code architecture} block (type
 * {@code espcn}: conv2d layers with tanh/relu, an optional nearest-neighbour residual, pixel shuffle by
 * {@code upscale}) and its checkpoint, in TF ops on NHWC.
 *
 * <p>PyTorch's {@code PixelShuffle(r)} reads channel {@code c*r*r + i*r + j} for output pixel
 * {@code (h*r+i, w*r+j)} of channel {@code c}; TF's {@code DepthToSpace} (NHWC) reads channel
 * {@code (i*r + j)*C + c}. The last conv's output channels (weights and bias) are therefore reordered by
 * {@link #depthToSpaceOrder}, and the residual (PyTorch's {@code repeat_interleave(x, r*r)}) becomes
 * {@code tile(x, r*r)} in that order.
 */
final class SrGraph {
    static final String SIGNATURE = "serving_default";
    static final String INPUT = "image";
    static final String OUTPUT = "output";

    private SrGraph() {
    }

    /** Adds the network with an NCHW {@code image} placeholder; returns its signature (NCHW {@code output}). */
    static Signature build(Ops tf, GraphParams p, JsonNode arch) {
        TfRuntime.ensureNativeDefaults();
        String source = p.checkpoint().source();
        if (arch == null || !"espcn".equals(arch.path("type").asText())) {
            throw new IllegalArgumentException(source + ": the model card's architecture.type must be 'espcn' to"
                    + " build a super-resolution network, got " + (arch == null ? "no architecture block"
                    : arch.path("type")));
        }
        int r = arch.path("upscale").asInt(0);
        JsonNode layers = arch.path("layers");
        if (r < 1 || !layers.isArray() || layers.isEmpty()) {
            throw new IllegalArgumentException(source + ": architecture needs 'upscale' >= 1 and a 'layers' list");
        }
        int channels = (int) p.shape(layers.get(0).path("name").asText() + ".weight")[1];
        Placeholder<TFloat32> image = tf.withName(INPUT).placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(-1, channels, -1, -1)));
        Operand<TFloat32> x = tf.linalg.transpose(image, tf.constant(new int[] {0, 2, 3, 1}));
        Operand<TFloat32> h = x;
        for (int i = 0; i < layers.size(); i++) {
            JsonNode layer = layers.get(i);
            boolean last = i == layers.size() - 1;
            h = conv(tf, p, h, layer, last ? depthToSpaceOrder(channels, r) : null);
            h = activation(tf, h, layer, source);
        }
        if (arch.has("residual")) {
            h = tf.math.add(h, tf.tile(x, tf.constant(new int[] {1, 1, 1, r * r})));
        }
        Operand<TFloat32> out = tf.linalg.transpose(tf.nn.depthToSpace(h, (long) r),
                tf.constant(new int[] {0, 3, 1, 2}));
        return Signature.builder().key(SIGNATURE).input(INPUT, image)
                .output(OUTPUT, tf.withName(OUTPUT).identity(out)).build();
    }

    /**
     * For each TF {@code DepthToSpace} input channel {@code t = (i*r + j)*C + c}, the PyTorch
     * {@code PixelShuffle} channel {@code c*r*r + i*r + j} holding the same value.
     */
    static int[] depthToSpaceOrder(int channels, int r) {
        int[] order = new int[channels * r * r];
        for (int t = 0; t < order.length; t++) {
            order[t] = (t % channels) * r * r + t / channels;
        }
        return order;
    }

    /** One PyTorch Conv2d (zero padding, stride 1) on NHWC; {@code order} reorders its output channels. */
    private static Operand<TFloat32> conv(Ops tf, GraphParams p, Operand<TFloat32> x, JsonNode layer,
                                          int[] order) {
        String name = layer.path("name").asText();
        String source = p.checkpoint().source();
        long[] w = p.shape(name + ".weight");
        int kernel = layer.path("kernel_size").asInt((int) w[2]);
        long pad = layer.path("padding").asLong(0);
        if (!"conv2d".equals(layer.path("op").asText("conv2d")) || layer.path("stride").asInt(1) != 1
                || w.length != 4 || w[2] != kernel || w[3] != kernel
                || (layer.has("out_channels") && w[0] != layer.path("out_channels").asLong())
                || (layer.has("in_channels") && w[1] != layer.path("in_channels").asLong())) {
            throw new IllegalArgumentException(source + ": layer '" + name + "' of the model card (" + layer
                    + ") is not a stride-1 conv2d matching the checkpoint's " + name + ".weight "
                    + Arrays.toString(w));
        }
        if (order != null && order.length != w[0]) {
            throw new IllegalArgumentException(source + ": the last layer '" + name + "' gives " + w[0]
                    + " channels; pixel shuffle needs " + order.length);
        }
        Operand<TFloat32> filter = tf.linalg.transpose(p.get(name + ".weight"), tf.constant(new int[] {2, 3, 1, 0}));
        Operand<TFloat32> bias = layer.path("bias").asBoolean(true) ? p.get(name + ".bias") : null;
        if (order != null) {
            filter = tf.gather(filter, tf.constant(order), tf.constant(3));
            bias = bias == null ? null : tf.gather(bias, tf.constant(order), tf.constant(0));
        }
        if (pad > 0) {
            x = tf.pad(x, tf.constant(new long[][] {{0, 0}, {pad, pad}, {pad, pad}, {0, 0}}), tf.constant(0f));
        }
        Operand<TFloat32> y = tf.nn.conv2d(x, filter, List.of(1L, 1L, 1L, 1L), "VALID");
        return bias == null ? y : tf.math.add(y, bias);
    }

    private static Operand<TFloat32> activation(Ops tf, Operand<TFloat32> x, JsonNode layer, String source) {
        JsonNode a = layer.path("activation");
        if (a.isMissingNode() || a.isNull()) {
            return x;
        }
        return switch (a.asText()) {
            case "tanh" -> tf.math.tanh(x);
            case "relu" -> tf.nn.relu(x);
            default -> throw new IllegalArgumentException(source + ": layer '" + layer.path("name").asText()
                    + "' has activation '" + a.asText() + "'; tanh, relu or null are supported");
        };
    }
}
