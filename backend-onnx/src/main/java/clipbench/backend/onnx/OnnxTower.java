package clipbench.backend.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import clipbench.api.spi.TwoTowerBackbone;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One ONNX session that turns a batch into embeddings: the image or the text tower. Subclasses find
 * their inputs; the embedding output is found here, the same way for both.
 */
abstract class OnnxTower<I> implements AutoCloseable, TwoTowerBackbone.Tower<I> {
    final Path file;
    final OrtSession session;
    final String output;
    /** Static embedding length declared by the model, or -1 when the model leaves it dynamic. */
    final long declaredDim;

    OnnxTower(Path file, OrtSession session, List<String> preferredOutputs) throws IOException {
        this.file = file;
        this.session = session;
        Map<String, NodeInfo> outputs = info(file, session, false);
        this.output = chooseOutput(file, outputs, preferredOutputs);
        this.declaredDim = ((TensorInfo) outputs.get(output).getInfo()).getShape()[1];
    }

    @Override
    public String source() {
        return file + ": output '" + output + "'";
    }

    @Override
    public long declaredDim() {
        return declaredDim;
    }

    /** Runs the session on these inputs (the caller closes them) and returns the embedding rows. */
    float[][] run(Map<String, OnnxTensor> inputs, int rows) {
        try (OrtSession.Result result = session.run(inputs, Set.of(output))) {
            OnnxValue value = result.get(0);
            float[][] out = (float[][]) value.getValue();
            if (out.length != rows) {
                throw new IllegalStateException(file + ": output '" + output + "' has " + out.length
                        + " rows for a batch of " + rows);
            }
            return out;
        } catch (OrtException e) {
            throw failure(e);
        }
    }

    IllegalStateException failure(OrtException e) {
        return new IllegalStateException(file + ": ONNX Runtime failed: " + e.getMessage(), e);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(file + ": closing the ONNX session failed: " + e.getMessage(), e);
        }
    }

    /** The session's inputs or outputs, in the model's order. */
    static Map<String, NodeInfo> info(Path file, OrtSession session, boolean inputs) throws IOException {
        try {
            return inputs ? session.getInputInfo() : session.getOutputInfo();
        } catch (OrtException e) {
            throw new IOException(file + ": cannot read the model's " + (inputs ? "inputs" : "outputs") + ": "
                    + e.getMessage(), e);
        }
    }

    /** A tensor of one of these element types and this rank, or null. */
    static TensorInfo tensor(NodeInfo node, int rank, Set<OnnxJavaType> types) {
        return node.getInfo() instanceof TensorInfo t && t.getShape().length == rank && types.contains(t.type)
                ? t : null;
    }

    /** {@code name: FLOAT[-1, 3, 224, 224]} for each node, -1 marking a dynamic dimension. */
    static String describe(Map<String, NodeInfo> nodes) {
        return nodes.values().stream().map(n -> n.getInfo() instanceof TensorInfo t
                ? n.getName() + ": " + t.type + Arrays.toString(t.getShape())
                : n.getName() + ": " + n.getInfo()).collect(Collectors.joining(", ", "[", "]"));
    }

    /** The first preferred name that is a float matrix, else the first float matrix output. */
    private static String chooseOutput(Path file, Map<String, NodeInfo> outputs, List<String> preferred)
            throws IOException {
        Set<OnnxJavaType> floats = Set.of(OnnxJavaType.FLOAT);
        for (String name : preferred) {
            NodeInfo node = outputs.get(name);
            if (node != null && tensor(node, 2, floats) != null) {
                return name;
            }
        }
        return outputs.values().stream().filter(n -> tensor(n, 2, floats) != null).map(NodeInfo::getName)
                .findFirst().orElseThrow(() -> new IOException(file + ": no embedding output: expected a float"
                        + " [batch, dim] output (preferably named " + preferred + "), found " + describe(outputs)));
    }
}
