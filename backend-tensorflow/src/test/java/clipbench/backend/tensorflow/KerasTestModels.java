package clipbench.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.backend.tensorflow.KerasReference.Nd;
import clipbench.keras.KerasLayer;
import clipbench.keras.KerasModel;
import clipbench.keras.KerasTensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Hand-built Keras models with seeded random weights, run through {@link KerasGraph} and {@link KerasReference}. */
final class KerasTestModels {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Largest difference allowed between the TF build and the double-precision reference. */
    static final double TOLERANCE = 1e-5;

    private KerasTestModels() {
    }

    /** A config object from alternating keys and values (ints, int arrays, strings, booleans, null, ...). */
    static JsonNode cfg(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return JSON.valueToTree(map);
    }

    /** Builds a functional model layer by layer; each layer's input defaults to the previous layer. */
    static final class Builder {
        private final String name;
        private final int[] input;
        private final List<KerasLayer> layers = new ArrayList<>();
        private final Map<String, KerasTensor> weights = new LinkedHashMap<>();
        private final Random random;
        private String last;

        Builder(String name, int height, int width, int channels, long seed) {
            this.name = name;
            this.input = new int[] {height, width, channels};
            this.random = new Random(seed);
            layers.add(new KerasLayer("input_1", "InputLayer",
                    cfg("batch_input_shape", Arrays.asList(null, height, width, channels)), List.of()));
            last = "input_1";
        }

        String last() {
            return last;
        }

        /** Adds a layer fed by {@code inbound} (the previous layer when none is given). */
        Builder layer(String layerName, String className, JsonNode config, String... inbound) {
            layers.add(new KerasLayer(layerName, className, config, inbound.length == 0 ? List.of(last)
                    : List.of(inbound)));
            last = layerName;
            return this;
        }

        /** A weight of uniform values in {@code [lo, hi)}. */
        Builder weight(String layerName, String suffix, double lo, double hi, int... shape) {
            int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            float[] data = new float[n];
            for (int i = 0; i < n; i++) {
                data[i] = (float) (lo + (hi - lo) * random.nextDouble());
            }
            String key = layerName + "/" + suffix;
            weights.put(key, new KerasTensor(key, shape, data));
            return this;
        }

        /** Conv2D with a random kernel (and bias when {@code use_bias}). */
        Builder conv(String layerName, int in, int filters, int[] kernel, int[] strides, String padding,
                     int[] dilation, boolean bias, String activation, String... inbound) {
            layer(layerName, "Conv2D", cfg("filters", filters, "kernel_size", kernel, "strides", strides,
                    "padding", padding, "data_format", "channels_last", "dilation_rate", dilation,
                    "activation", activation, "use_bias", bias), inbound);
            double r = 1.5 / Math.sqrt(kernel[0] * kernel[1] * in);
            weight(layerName, "kernel", -r, r, kernel[0], kernel[1], in, filters);
            return bias ? weight(layerName, "bias", -0.5, 0.5, filters) : this;
        }

        Builder depthwise(String layerName, int in, int multiplier, int[] kernel, int[] strides, String padding,
                          int[] dilation, boolean bias, String activation, String... inbound) {
            layer(layerName, "DepthwiseConv2D", cfg("kernel_size", kernel, "strides", strides, "padding", padding,
                    "data_format", "channels_last", "dilation_rate", dilation, "depth_multiplier", multiplier,
                    "activation", activation, "use_bias", bias), inbound);
            double r = 1.5 / Math.sqrt(kernel[0] * kernel[1]);
            weight(layerName, "depthwise_kernel", -r, r, kernel[0], kernel[1], in, multiplier);
            return bias ? weight(layerName, "bias", -0.5, 0.5, in * multiplier) : this;
        }

        Builder batchNorm(String layerName, int channels, Object axis, double epsilon, boolean center, boolean scale,
                          String... inbound) {
            layer(layerName, "BatchNormalization", cfg("axis", axis, "momentum", 0.99, "epsilon", epsilon,
                    "center", center, "scale", scale), inbound);
            if (scale) {
                weight(layerName, "gamma", 0.5, 1.5, channels);
            }
            if (center) {
                weight(layerName, "beta", -0.5, 0.5, channels);
            }
            weight(layerName, "moving_mean", -0.5, 0.5, channels);
            return weight(layerName, "moving_variance", 0.05, 2, channels);
        }

        Builder dense(String layerName, int in, int units, String activation, String... inbound) {
            layer(layerName, "Dense", cfg("units", units, "activation", activation, "use_bias", true), inbound);
            double r = 1.5 / Math.sqrt(in);
            weight(layerName, "kernel", -r, r, in, units);
            return weight(layerName, "bias", -0.5, 0.5, units);
        }

        KerasModel build() {
            return new KerasModel(name, input, layers, last, weights);
        }
    }

    /** A seeded random NHWC input in {@code [lo, hi)}. */
    static Nd input(long seed, double lo, double hi, int... shape) {
        Random random = new Random(seed);
        int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) (lo + (hi - lo) * random.nextDouble());
        }
        return Nd.of(shape, data);
    }

    /** The model's output for an NHWC input, run by TensorFlow through {@link KerasGraph#apply}. */
    static Nd runTf(KerasModel model, Nd input) {
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Ops tf = Ops.create(graph);
            long[] shape = Arrays.stream(input.shape()).asLongStream().toArray();
            Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
            Operand<TFloat32> y = tf.identity(new KerasGraph(tf, model).apply(x)); // fetchable even if unchanged
            try (TFloat32 in = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(input.floats(), true, false));
                 Result result = session.runner().feed(x, in).fetch(y).run()) {
                TFloat32 out = (TFloat32) result.get(0);
                float[] data = new float[Math.toIntExact(out.shape().size())];
                out.copyTo(DataBuffers.of(data, false, false));
                return Nd.of(Arrays.stream(out.shape().asArray()).mapToInt(Math::toIntExact).toArray(), data);
            }
        }
    }

    static double maxAbsDiff(Nd a, Nd b) {
        assertArrayEquals(b.shape(), a.shape(), "shape");
        double worst = 0;
        for (int i = 0; i < a.data().length; i++) {
            worst = Math.max(worst, Math.abs(a.data()[i] - b.data()[i]));
        }
        return worst;
    }

    static double maxAbsDiff(float[][] a, float[][] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(new int[] {b[i].length}, new int[] {a[i].length}, "row length");
            for (int j = 0; j < a[i].length; j++) {
                worst = Math.max(worst, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return worst;
    }

    /**
     * Runs the model with TF and the reference on the same input, asserts equal shapes and values within
     * {@link #TOLERANCE}, prints and returns the error.
     */
    static double check(String what, KerasModel model, Nd input, int... expectedShape) {
        Nd want = KerasReference.run(model, input);
        Nd got = runTf(model, input);
        if (expectedShape.length > 0) {
            assertArrayEquals(expectedShape, got.shape(), what + ": output shape");
        }
        double error = maxAbsDiff(got, want);
        System.out.printf("[keras] %-58s %-16s max |diff| = %.2e%n", what, Arrays.toString(got.shape()), error);
        assertTrue(error <= TOLERANCE, what + ": TF and the reference differ by " + error);
        return error;
    }
}
