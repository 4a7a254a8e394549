package clipbench.backend.tensorflow;

import clipbench.api.spi.TrainableParameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The trainable tensors of a cut's top: one placeholder each, fed with the caller's values on every call, in the
 * order they were added; the graph builders ({@link GraphParams}, {@link KerasGraph}) read a weight from here
 * instead of baking it in when it is listed.
 */
final class TopParameters {
    private final Ops tf;
    private final Map<String, Placeholder<TFloat32>> placeholders = new LinkedHashMap<>();
    private final List<TrainableParameter> parameters = new ArrayList<>();

    TopParameters(Ops tf) {
        this.tf = tf.withSubScope("param");
    }

    void add(String name, long[] shape, float[] values) {
        if (placeholders.containsKey(name)) {
            throw new IllegalArgumentException("parameter " + name + " added twice");
        }
        int[] dims = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = Math.toIntExact(shape[i]);
        }
        parameters.add(new TrainableParameter(name, dims, values));
        placeholders.put(name, tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape))));
    }

    boolean has(String name) {
        return placeholders.containsKey(name);
    }

    Operand<TFloat32> get(String name) {
        return placeholders.get(name);
    }

    List<TrainableParameter> parameters() {
        return List.copyOf(parameters);
    }

    List<Placeholder<TFloat32>> placeholders() {
        return List.copyOf(placeholders.values());
    }
}
