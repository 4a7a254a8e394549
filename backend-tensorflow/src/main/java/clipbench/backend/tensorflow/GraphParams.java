package clipbench.backend.tensorflow;

import clipbench.checkpoint.Checkpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * How a graph gets the checkpoint's tensors, each in its checkpoint (PyTorch) layout and named as in the
 * state dict: baked in as constants (to run now), as variables filled once from the checkpoint (to
 * export a SavedModel, whose {@code variables/} then hold the weights instead of {@code saved_model.pb}), or,
 * for a fine-tuning top, the trained ones as {@link TopParameters} placeholders and the rest as constants.
 */
final class GraphParams {
    private record Pending(String name, Placeholder<TFloat32> value, Assign<TFloat32> assign) {
    }

    private final Ops tf;
    private final Checkpoint checkpoint;
    private final boolean variables;
    /** The trained tensors (placeholders), or null. */
    private final TopParameters trained;
    private final Map<String, Operand<TFloat32>> made = new HashMap<>();
    private final List<Pending> pending = new ArrayList<>();

    private GraphParams(Ops tf, Checkpoint checkpoint, boolean variables, TopParameters trained) {
        this.tf = tf;
        this.checkpoint = checkpoint;
        this.variables = variables;
        this.trained = trained;
    }

    static GraphParams constants(Ops tf, Checkpoint checkpoint) {
        return new GraphParams(tf, checkpoint, false, null);
    }

    static GraphParams variables(Ops tf, Checkpoint checkpoint) {
        return new GraphParams(tf, checkpoint, true, null);
    }

    /** The tensors listed in {@code trained} are its placeholders, the others constants. */
    static GraphParams trained(Ops tf, Checkpoint checkpoint, TopParameters trained) {
        return new GraphParams(tf, checkpoint, false, trained);
    }

    Checkpoint checkpoint() {
        return checkpoint;
    }

    boolean has(String name) {
        return checkpoint.has(name);
    }

    long[] shape(String name) {
        return checkpoint.shape(name);
    }

    /** The tensor as a graph operand; made once per name. */
    Operand<TFloat32> get(String name) {
        Operand<TFloat32> op = made.get(name);
        if (op == null) {
            op = make(name);
            made.put(name, op);
        }
        return op;
    }

    private Operand<TFloat32> make(String name) {
        if (trained != null && trained.has(name)) {
            return trained.get(name);
        }
        Shape shape = Shape.of(checkpoint.shape(name));
        if (!variables) {
            return tf.withName(name).constant(shape, DataBuffers.of(checkpoint.floats(name), true, false));
        }
        Operand<TFloat32> variable = tf.withName(name).variable(shape, TFloat32.class);
        Placeholder<TFloat32> value = tf.withSubScope("assign").withName(name)
                .placeholder(TFloat32.class, Placeholder.shape(shape));
        pending.add(new Pending(name, value, tf.withSubScope("assign").assign(variable, value)));
        return variable;
    }

    /** Fills the variables from the checkpoint, one tensor at a time (nothing to do for constants). */
    void initialize(Session session) {
        for (Pending p : pending) {
            try (TFloat32 value = TFloat32.tensorOf(Shape.of(checkpoint.shape(p.name())),
                    DataBuffers.of(checkpoint.floats(p.name()), true, false))) {
                session.runner().feed(p.value(), value).addTarget(p.assign()).run().close();
            }
        }
        pending.clear();
    }
}
