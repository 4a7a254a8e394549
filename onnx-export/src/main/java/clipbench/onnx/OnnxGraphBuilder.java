package clipbench.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * An ONNX graph being built: unique tensor names, nodes, initializers (raw little-endian data), the graph's
 * float32 inputs and outputs; then the model (ir_version {@value #IR_VERSION}, default domain at opset
 * {@value #OPSET}) as a {@link ModelProto} or written by {@link OnnxModelWriter}.
 */
public final class OnnxGraphBuilder {
    public static final long IR_VERSION = 8;
    public static final long OPSET = 13;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final TensorNames names = new TensorNames();

    /** A tensor name not used yet, based on {@code base}. */
    public String fresh(String base) {
        return names.fresh(base);
    }

    /** Claims a name (graph input, initializer, node output); it must be new. */
    public void claim(String name) {
        if (!names.add(name)) {
            throw new IllegalStateException("ONNX tensor name used twice: " + name);
        }
    }

    public int nodeCount() {
        return graph.getNodeCount();
    }

    /** Adds a node; its outputs must have been claimed (or come from {@link #fresh}). Empty input = omitted. */
    public void node(String opType, String nodeName, List<String> in, List<String> out, AttributeProto... attrs) {
        graph.addNode(NodeProto.newBuilder().addAllInput(in).addAllOutput(out).setName(nodeName).setOpType(opType)
                .addAllAttribute(List.of(attrs)));
    }

    /** A float32 initializer in row-major order; {@code name} comes from {@link #fresh}. */
    public void initializer(String name, int[] dims, float[] data) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalStateException("initializer " + name + ": " + data.length + " values for " + n);
        }
        ByteBuffer raw = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(data);
        addInitializer(name, dims, TensorProto.DataType.FLOAT, raw);
    }

    /** An int64 initializer (shapes, pads); {@code name} comes from {@link #fresh}. */
    public void initializerLongs(String name, int[] dims, long[] data) {
        ByteBuffer raw = ByteBuffer.allocate(8 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(data);
        addInitializer(name, dims, TensorProto.DataType.INT64, raw);
    }

    /**
     * A float32 initializer whose values are ONNX external data: {@code length} bytes (little-endian, row-major) at
     * {@code offset} in the file {@code location}, relative to the model file. Keeps weights out of the protobuf,
     * which cannot exceed 2 GB; {@code name} comes from {@link #fresh}.
     */
    public void externalInitializer(String name, int[] dims, String location, long offset, long length) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location))
                .addExternalData(entry("offset", Long.toString(offset)))
                .addExternalData(entry("length", Long.toString(length)));
        for (int d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private void addInitializer(String name, int[] dims, TensorProto.DataType type, ByteBuffer raw) {
        TensorProto.Builder t = TensorProto.newBuilder();
        for (int d : dims) {
            t.addDims(d);
        }
        // the buffer is ours alone: wrapped, not copied, so large weights exist once until written
        graph.addInitializer(t.setDataType(type.getNumber()).setName(name)
                .setRawData(UnsafeByteOperations.unsafeWrap(raw.array())));
    }

    /** Declares a float32 graph input; dims are Integers (fixed) or Strings (symbolic, dim_param). */
    public void input(String name, Object... dims) {
        claim(name);
        graph.addInput(valueInfo(name, dims));
    }

    /** Declares a graph input of element type {@code type} (e.g. int64 token ids); dims as in {@link #input}. */
    public void input(String name, TensorProto.DataType type, Object... dims) {
        claim(name);
        graph.addInput(valueInfo(name, type, dims));
    }

    /** Declares a float32 graph output (a tensor some node writes). */
    public void output(String name, Object... dims) {
        graph.addOutput(valueInfo(name, dims));
    }

    private static ValueInfoProto valueInfo(String name, Object... dims) {
        return valueInfo(name, TensorProto.DataType.FLOAT, dims);
    }

    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Integer i) {
                dim.setDimValue(i);
            } else {
                dim.setDimParam(d.toString());
            }
            shape.addDim(dim);
        }
        TypeProto.Tensor tensor = TypeProto.Tensor.newBuilder().setElemType(type.getNumber())
                .setShape(shape).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    /** The whole model; {@code doc} (the graph's doc_string) may be null. */
    public ModelProto model(String graphName, String producer, String producerVersion, String doc) {
        GraphProto.Builder g = graph.clone().setName(graphName);
        if (doc != null) {
            g.setDocString(doc);
        }
        return ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName(producer)
                .setProducerVersion(producerVersion)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(g).build();
    }

    /** Writes {@link #model} with {@link OnnxModelWriter}. */
    public void writeModel(OutputStream out, String graphName, String producer, String producerVersion, String doc)
            throws IOException {
        OnnxModelWriter.write(model(graphName, producer, producerVersion, doc), out);
    }
}
