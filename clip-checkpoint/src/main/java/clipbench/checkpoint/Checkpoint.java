package clipbench.checkpoint;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Named float tensors in PyTorch layout (a state dict): a safetensors file, or weights held in memory.
 * Lookups of a missing name fail with a message naming the source.
 */
public interface Checkpoint {
    /** What the weights were read from, for error messages. */
    String source();

    Set<String> names();

    default boolean has(String name) {
        return names().contains(name);
    }

    long[] shape(String name);

    /** The values in row-major order, converted to float32. */
    float[] floats(String name);

    /** How an error names a tensor: quoted, and for a view, with the stored tensors it is made from. */
    default String label(String name) {
        return "'" + name + "'";
    }

    default IllegalArgumentException missing(String name) {
        return new IllegalArgumentException(source() + ": no tensor '" + name + "' in the checkpoint");
    }

    /** Weights already in memory, e.g. a state dict read from JSON. */
    public static Checkpoint of(String source, Map<String, long[]> shapes, Map<String, float[]> values) {
        Map<String, long[]> s = new TreeMap<>(shapes);
        Map<String, float[]> v = new TreeMap<>(values);
        if (!s.keySet().equals(v.keySet())) {
            throw new IllegalArgumentException(source + ": shapes and values name different tensors");
        }
        s.forEach((name, shape) -> {
            if (Arrays.stream(shape).reduce(1, Math::multiplyExact) != v.get(name).length) {
                throw new IllegalArgumentException(source + ": tensor '" + name + "' has shape "
                        + Arrays.toString(shape) + " but " + v.get(name).length + " values");
            }
        });
        return new Checkpoint() {
            @Override
            public String source() {
                return source;
            }

            @Override
            public Set<String> names() {
                return s.keySet();
            }

            @Override
            public long[] shape(String name) {
                return get(s, name).clone();
            }

            @Override
            public float[] floats(String name) {
                return get(v, name).clone();
            }

            private <T> T get(Map<String, T> map, String name) {
                T value = map.get(name);
                if (value == null) {
                    throw missing(name);
                }
                return value;
            }
        };
    }
}
