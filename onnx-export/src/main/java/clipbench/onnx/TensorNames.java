package clipbench.onnx;

import java.util.HashSet;
import java.util.Set;

/** The tensor names of one graph: each used once (ONNX requires it), new ones made unique from a base. */
final class TensorNames {
    private final Set<String> names = new HashSet<>();

    /** A name not used yet, based on {@code base}; it is now used. */
    String fresh(String base) {
        String n = base;
        for (int k = 1; names.contains(n); k++) {
            n = base + "_" + k;
        }
        names.add(n);
        return n;
    }

    /** Marks {@code name} used; false when it already was. */
    boolean add(String name) {
        return names.add(name);
    }
}
