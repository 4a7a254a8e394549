package clipbench.backend.tensorflow;

import clipbench.keras.KerasModel;
import clipbench.keras.contract.KerasRunner;
import clipbench.keras.contract.Nd;
import java.util.Arrays;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Runs a {@link KerasModel} built with TF ops by {@link KerasGraph#apply}, on the NHWC batch as it is. */
final class KerasGraphRunner implements KerasRunner {
    @Override
    public Nd run(KerasModel model, Nd input) {
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Ops tf = Ops.create(graph);
            long[] shape = Arrays.stream(input.shape()).asLongStream().toArray();
            Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
            Operand<TFloat32> y = tf.identity(new KerasGraph(tf, model).apply(x)); // fetchable even if unchanged
            try (TFloat32 in = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(input.v(), true, false));
                 Result result = session.runner().feed(x, in).fetch(y).run()) {
                TFloat32 out = (TFloat32) result.get(0);
                float[] data = new float[Math.toIntExact(out.shape().size())];
                out.copyTo(DataBuffers.of(data, false, false));
                return new Nd(Arrays.stream(out.shape().asArray()).mapToInt(Math::toIntExact).toArray(), data);
            }
        }
    }
}
