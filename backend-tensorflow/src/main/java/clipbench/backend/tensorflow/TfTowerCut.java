package clipbench.backend.tensorflow;

import clipbench.api.spi.ImageBatch;
import clipbench.api.spi.TowerCut;
import clipbench.api.spi.TrainableParameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * A TensorFlow tower cut in two graphs, each with its own session (the backbone's thread and device settings):
 * the frozen bottom (image placeholder {@code [N,3,S,S]} → activations flattened per image in the layout the
 * bottom computes them, row-major), and the top, whose input is those rows and whose trainable weights are
 * placeholders ({@link TopParameters}); its vector-Jacobian product is TF's own graph gradient
 * ({@link Graph#addGradients}) fed with an upstream placeholder. When nothing is frozen the activations are the
 * preprocessed NCHW image itself.
 */
final class TfTowerCut implements TowerCut {
    /** Builds the frozen part on NCHW images; its output's static shape (after the batch) is the cut's shape. */
    interface Bottom {
        Operand<TFloat32> build(Ops tf, Operand<TFloat32> nchw);
    }

    /** Adds the top's parameters to {@code params}, then builds it on {@code cut} ({@code [N, ...cut shape]}). */
    interface Top {
        Operand<TFloat32> build(Ops tf, TopParameters params, Operand<TFloat32> cut);
    }

    /** TF's message for an op without a registered C++ gradient names its type after this. */
    private static final Pattern NO_GRADIENT = Pattern.compile("gradient[^:]*for op[^:]*: *([A-Za-z0-9_]+)",
            Pattern.CASE_INSENSITIVE);

    private final String source;
    private final String cutName;
    private final int imageSize;
    private final int length;
    private final List<AutoCloseable> resources;
    /** The bottom: null when the cut is the input. */
    private final Session bottom;
    private final Placeholder<TFloat32> image;
    private final Operand<TFloat32> activations;
    private final Session session;
    private final Placeholder<TFloat32> input;
    private final Operand<TFloat32> output;
    private final Placeholder<TFloat32> upstream;
    private final List<Placeholder<TFloat32>> placeholders;
    private final List<TrainableParameter> parameters;
    /** Each parameter's shape, read once (a parameter's values are copied on every access). */
    private final List<long[]> shapes = new ArrayList<>();
    private final Output<?>[] gradients;

    private TfTowerCut(String source, String cutName, int imageSize, int length, List<AutoCloseable> resources,
                       Session bottom, Placeholder<TFloat32> image, Operand<TFloat32> activations, Session session,
                       Placeholder<TFloat32> input, Operand<TFloat32> output, Placeholder<TFloat32> upstream,
                       TopParameters params, Output<?>[] gradients) {
        this.source = source;
        this.cutName = cutName;
        this.imageSize = imageSize;
        this.length = length;
        this.resources = resources;
        this.bottom = bottom;
        this.image = image;
        this.activations = activations;
        this.session = session;
        this.input = input;
        this.output = output;
        this.upstream = upstream;
        this.placeholders = params.placeholders();
        this.parameters = params.parameters();
        parameters.forEach(p -> shapes.add(Arrays.stream(p.shape()).asLongStream().toArray()));
        this.gradients = gradients;
    }

    /**
     * Builds both graphs and the top's gradients.
     *
     * @param bottom null when nothing is frozen (the cut is the input)
     * @throws UnsupportedOperationException naming the op and where it is when TF has no gradient for it
     */
    static TfTowerCut create(String source, String cutName, int imageSize, ConfigProto config, Bottom bottom,
                             Top top) {
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            long[] cutShape = {ImageBatch.CHANNELS, imageSize, imageSize};
            Session bottomSession = null;
            Placeholder<TFloat32> image = null;
            Operand<TFloat32> activations = null;
            if (bottom != null) {
                Graph graph = new Graph();
                resources.add(graph);
                Ops tf = Ops.create(graph);
                image = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, ImageBatch.CHANNELS,
                        imageSize, imageSize)));
                Operand<TFloat32> out = bottom.build(tf, image);
                cutShape = perImage(source, cutName, out.shape());
                activations = tf.reshape(out, tf.constant(new long[] {-1, product(cutShape)}));
                bottomSession = new Session(graph, config);
                resources.add(0, bottomSession);
            }
            int length = Math.toIntExact(product(cutShape));
            Graph graph = new Graph();
            resources.add(graph);
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> input = tf.withName("activations").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, length)));
            long[] batched = new long[cutShape.length + 1];
            batched[0] = -1;
            System.arraycopy(cutShape, 0, batched, 1, cutShape.length);
            TopParameters params = new TopParameters(tf);
            Operand<TFloat32> output = top.build(tf, params, tf.reshape(input, tf.constant(batched)));
            Placeholder<TFloat32> upstream = tf.withName("upstream").placeholder(TFloat32.class,
                    Placeholder.shape(output.shape()));
            Output<?>[] gradients = gradients(source, graph, output, params.placeholders(), upstream);
            Session session = new Session(graph, config);
            resources.add(0, session);
            return new TfTowerCut(source, cutName, imageSize, length, resources, bottomSession, image, activations,
                    session, input, output, upstream, params, gradients);
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    private static Output<?>[] gradients(String source, Graph graph, Operand<TFloat32> y,
                                         List<Placeholder<TFloat32>> xs, Placeholder<TFloat32> dy) {
        try {
            return graph.addGradients("gradients", new Output<?>[] {y.asOutput()},
                    xs.stream().map(Operand::asOutput).toArray(Output<?>[]::new), new Output<?>[] {dy.asOutput()});
        } catch (RuntimeException e) {
            Matcher m = NO_GRADIENT.matcher(String.valueOf(e.getMessage()));
            if (!m.find()) {
                throw e;
            }
            throw new UnsupportedOperationException(source + ": TensorFlow has no gradient for op " + m.group(1)
                    + " (" + where(graph, m.group(1)) + "), so this part of the tower cannot train", e);
        }
    }

    /** The layers (Keras scopes) or op names where ops of this type are. */
    private static String where(Graph graph, String type) {
        Set<String> places = new LinkedHashSet<>();
        for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
            GraphOperation op = it.next();
            if (op.type().equals(type)) {
                String[] path = op.name().split("/");
                places.add(path[0].equals("keras") && path.length > 2 ? "layer '" + path[1] + "'"
                        : "op '" + op.name() + "'");
            }
        }
        return places.isEmpty() ? "not found in the graph" : String.join(", ", places);
    }

    private static long[] perImage(String source, String cutName, Shape shape) {
        long[] dims = Arrays.copyOfRange(shape.asArray(), 1, shape.numDimensions());
        if (Arrays.stream(dims).anyMatch(d -> d <= 0)) {
            throw new IllegalStateException(source + ": the activations at '" + cutName + "' have no fixed shape ("
                    + shape + ")");
        }
        return dims;
    }

    private static long product(long[] dims) {
        return Arrays.stream(dims).reduce(1, Math::multiplyExact);
    }

    @Override
    public String cutName() {
        return cutName;
    }

    @Override
    public int activationLength() {
        return length;
    }

    @Override
    public float[][] frozen(ImageBatch batch) {
        if (batch.size() != imageSize) {
            throw new IllegalArgumentException(source + ": takes " + imageSize + "x" + imageSize + " images, got "
                    + batch.size() + "x" + batch.size());
        }
        if (bottom == null) {
            return split(batch.data(), batch.count());
        }
        try (TFloat32 x = TfTower.floats(batch.data(), batch.count(), ImageBatch.CHANNELS, imageSize, imageSize);
             Result r = bottom.runner().feed(image, x).fetch(activations).run()) {
            return rows((TFloat32) r.get(0), batch.count());
        }
    }

    @Override
    public List<TrainableParameter> parameters() {
        return parameters;
    }

    @Override
    public float[][] forward(float[][] activations, List<float[]> values) {
        return run(activations, values, null).get(0);
    }

    @Override
    public List<float[]> backward(float[][] activations, List<float[]> values, float[][] upstream) {
        List<float[][]> grads = run(activations, values, upstream);
        List<float[]> out = new ArrayList<>();
        grads.forEach(g -> out.add(g[0]));
        return out;
    }

    /** The top's output (without {@code dy}) or the gradients, one single-row array per parameter (with it). */
    private List<float[][]> run(float[][] x, List<float[]> values, float[][] dy) {
        if (values.size() != parameters.size()) {
            throw new IllegalArgumentException(source + ": " + values.size() + " parameter values for "
                    + parameters.size() + " parameters");
        }
        List<TFloat32> feeds = new ArrayList<>();
        try {
            Session.Runner runner = session.runner();
            runner.feed(input, track(feeds, TfTower.floats(flat(x, length, "activations"), x.length, length)));
            for (int i = 0; i < values.size(); i++) {
                float[] v = values.get(i);
                long size = product(shapes.get(i));
                if (v.length != size) {
                    throw new IllegalArgumentException(source + ": parameter " + parameters.get(i).name() + " needs "
                            + size + " values, got " + v.length);
                }
                runner.feed(placeholders.get(i), track(feeds, TfTower.floats(v, shapes.get(i))));
            }
            if (dy == null) {
                runner.fetch(output);
            } else {
                int dim = Math.toIntExact(output.shape().get(1));
                runner.feed(upstream, track(feeds, TfTower.floats(flat(dy, dim, "upstream"), dy.length, dim)));
                for (Output<?> g : gradients) {
                    runner.fetch(g);
                }
            }
            try (Result r = runner.run()) {
                List<float[][]> out = new ArrayList<>();
                for (int i = 0; i < r.size(); i++) {
                    TFloat32 t = (TFloat32) r.get(i);
                    out.add(dy == null ? rows(t, x.length) : rows(t, 1));
                }
                return out;
            }
        } finally {
            feeds.forEach(TFloat32::close);
        }
    }

    private static TFloat32 track(List<TFloat32> feeds, TFloat32 t) {
        feeds.add(t);
        return t;
    }

    private float[] flat(float[][] rows, int width, String what) {
        float[] out = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != width) {
                throw new IllegalArgumentException(source + ": " + what + " row " + i + " has " + rows[i].length
                        + " values, expected " + width);
            }
            System.arraycopy(rows[i], 0, out, i * width, width);
        }
        return out;
    }

    /** A tensor's values as {@code count} equal rows, row-major. */
    private static float[][] rows(TFloat32 t, int count) {
        float[] all = new float[Math.toIntExact(t.shape().size())];
        t.copyTo(DataBuffers.of(all, false, false));
        return split(all, count);
    }

    private static float[][] split(float[] all, int count) {
        int width = all.length / count;
        float[][] out = new float[count][];
        for (int i = 0; i < count; i++) {
            out[i] = Arrays.copyOfRange(all, i * width, (i + 1) * width);
        }
        return out;
    }

    @Override
    public void close() {
        closeAll(resources);
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing TensorFlow resources failed", e);
            }
        }
    }
}
