package clipbench.backend.djl;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import clipbench.api.spi.ImageBatch;
import clipbench.api.spi.TowerCut;
import clipbench.api.spi.TrainableParameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What {@link ClipNetCut} and {@link KerasNetCut} share: the top run on a scope of its own per call, without
 * autograd for {@link #forward}, and for {@link #backward} with DJL's gradient collector on fresh leaf tensors of the
 * parameter values, back-propagating {@code sum(out * upstream)} so each leaf's gradient is the vector-Jacobian
 * product. A family supplies the frozen bottom and the top's graph ({@link #top}).
 *
 * <p>DJL's PyTorch gradient collector is process-wide (one at a time), so backward calls of several cuts must not
 * overlap; the SPI's calls are single-threaded anyway.
 */
abstract class TorchCut implements TowerCut {
    private final String cutName;
    private final int activationLength;
    private final List<TrainableParameter> parameters;
    /** Each parameter's shape, read once (a parameter's values are copied on every access). */
    private final List<Shape> shapes;
    private final ai.djl.Device device;
    private final int threads;
    private final NDManager manager;
    /** What the top computes in: float32, or float64 for gradient checks against finite differences (tests). */
    private DataType precision = DataType.FLOAT32;

    TorchCut(String cutName, int activationLength, List<TrainableParameter> parameters, ai.djl.Device device,
             int threads) {
        this.cutName = cutName;
        this.activationLength = activationLength;
        this.parameters = List.copyOf(parameters);
        this.shapes = this.parameters.stream().map(p -> new Shape(Arrays.stream(p.shape()).asLongStream().toArray()))
                .toList();
        this.device = device;
        this.threads = threads;
        DjlRuntime.engine();
        this.manager = NDManager.newBaseManager(device, DjlRuntime.ENGINE);
    }

    /**
     * The top's graph on {@code activations} ({@code [n, activationLength]}, a tensor of the call's scope in the
     * call's precision) with {@code values} in the order of {@link #parameters()}: the {@code [n, d]} embeddings.
     * Other tensors it needs it makes in {@code activations}' manager and type.
     */
    protected abstract NDArray top(NDArray activations, List<NDArray> values);

    /** Names the model and cut in errors. */
    protected abstract String source();

    /** Runs the top in float64 from now on (finite-difference gradient checks). */
    void computeInDouble() {
        precision = DataType.FLOAT64;
    }

    @Override
    public String cutName() {
        return cutName;
    }

    @Override
    public int activationLength() {
        return activationLength;
    }

    @Override
    public List<TrainableParameter> parameters() {
        return parameters; // records whose accessors copy
    }

    @Override
    public float[][] forward(float[][] activations, List<float[]> values) {
        return run(activations, values, null, (out, grads) -> {
            float[][] rows = new float[activations.length][];
            double[][] wide = rows(doubles(out), activations.length);
            for (int i = 0; i < rows.length; i++) {
                rows[i] = floats(wide[i]);
            }
            return rows;
        });
    }

    @Override
    public List<float[]> backward(float[][] activations, List<float[]> values, float[][] upstream) {
        return run(activations, values, requireRows(upstream, activations),
                (out, grads) -> grads.stream().map(g -> g.toType(DataType.FLOAT32, false).toFloatArray()).toList());
    }

    /** {@link #forward} read at the precision it computed in. */
    double[][] forwardDouble(float[][] activations, List<float[]> values) {
        return run(activations, values, null, (out, grads) -> rows(doubles(out), activations.length));
    }

    /** {@link #backward} read at the precision it computed in. */
    List<double[]> backwardDouble(float[][] activations, List<float[]> values, float[][] upstream) {
        return run(activations, values, requireRows(upstream, activations),
                (out, grads) -> grads.stream().map(TorchCut::doubles).toList());
    }

    private float[][] requireRows(float[][] upstream, float[][] activations) {
        if (upstream.length != activations.length) {
            throw new IllegalArgumentException(source() + ": " + upstream.length + " upstream rows for "
                    + activations.length + " images");
        }
        return upstream;
    }

    private static double[][] rows(double[] flat, int n) {
        int d = flat.length / Math.max(1, n);
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
        return rows;
    }

    private interface Reader<T> {
        T read(NDArray out, List<NDArray> gradients);
    }

    private <T> T run(float[][] activations, List<float[]> values, float[][] upstream, Reader<T> reader) {
        int n = activations.length;
        if (values.size() != parameters.size()) {
            throw new IllegalArgumentException(source() + ": " + values.size() + " parameter values for "
                    + parameters.size() + " parameters");
        }
        DjlRuntime.useThreads(threads);
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scope = manager.newSubManager(device)) {
            NDArray x = scope.create(flat(activations, activationLength, "activation"), new Shape(n, activationLength))
                    .toType(precision, false);
            List<NDArray> leaves = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                float[] v = values.get(i);
                Shape shape = shapes.get(i);
                if (v.length != shape.size()) {
                    throw new IllegalArgumentException(source() + ": parameter " + parameters.get(i).name() + " needs "
                            + shape.size() + " values, got " + v.length);
                }
                leaves.add(scope.create(v, shape).toType(precision, false));
            }
            if (upstream == null) {
                return reader.read(top(x, leaves), null);
            }
            leaves.forEach(leaf -> leaf.setRequiresGradient(true));
            try (GradientCollector collector = Engine.getEngine(DjlRuntime.ENGINE).newGradientCollector()) {
                NDArray out = top(x, leaves);
                NDArray up = scope.create(flat(upstream, (int) (out.getShape().size() / Math.max(1, n)), "upstream"),
                        out.getShape()).toType(precision, false);
                collector.backward(out.mul(up).sum());
                return reader.read(out, leaves.stream().map(NDArray::getGradient).toList());
            }
        } catch (EngineException e) {
            throw new IllegalStateException(source() + ": PyTorch failed: " + TorchModule.pytorchMessage(e), e);
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    private float[] flat(float[][] rows, int width, String what) {
        float[] flat = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != width) {
                throw new IllegalArgumentException(source() + ": " + what + " row " + i + " has " + rows[i].length
                        + " values, expected " + width);
            }
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        return flat;
    }

    private static double[] doubles(NDArray x) {
        return x.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    private static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** Rows of an image batch as they are (the cut at the input). */
    static float[][] imageRows(ImageBatch batch) {
        int per = batch.data().length / batch.count();
        float[][] rows = new float[batch.count()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = Arrays.copyOfRange(batch.data(), i * per, (i + 1) * per);
        }
        return rows;
    }

    @Override
    public void close() {
        manager.close();
    }
}
