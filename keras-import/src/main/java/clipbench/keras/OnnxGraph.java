package clipbench.keras;

import java.io.IOException;
import java.io.OutputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An ONNX graph being written: nodes, initializers, the graph's input and output, encoded as they are
 * added (field numbers from onnx.proto: ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto, TypeProto, TensorShapeProto). Only what {@link OnnxExport} needs.
 */
final class OnnxGraph {
    static final int IR_VERSION = 8;
    static final int OPSET = 13;

    // TensorProto.DataType
    static final int FLOAT = 1;
    static final int INT64 = 7;

    // AttributeProto.AttributeType
    private static final int ATTR_FLOAT = 1;
    private static final int ATTR_INT = 2;
    private static final int ATTR_STRING = 3;
    private static final int ATTR_INTS = 7;

    private final ProtoWriter nodes = new ProtoWriter(1 << 16);
    private final ProtoWriter initializers;
    private final ProtoWriter inputs = new ProtoWriter();
    private final ProtoWriter outputs = new ProtoWriter();
    private final Set<String> names = new HashSet<>();
    private int nodeCount;

    OnnxGraph(long weightBytesHint) {
        initializers = new ProtoWriter((int) Math.min(Integer.MAX_VALUE - 1024, weightBytesHint + (1 << 16)));
    }

    /** One node attribute. */
    record Attr(String name, int type, long i, float f, String s, long[] ints) {
        static Attr i(String name, long v) {
            return new Attr(name, ATTR_INT, v, 0, null, null);
        }

        static Attr f(String name, float v) {
            return new Attr(name, ATTR_FLOAT, 0, v, null, null);
        }

        static Attr s(String name, String v) {
            return new Attr(name, ATTR_STRING, 0, 0, v, null);
        }

        static Attr ints(String name, long... v) {
            return new Attr(name, ATTR_INTS, 0, 0, null, v.clone());
        }

        static Attr ints(String name, int... v) {
            long[] l = new long[v.length];
            for (int k = 0; k < v.length; k++) {
                l[k] = v[k];
            }
            return new Attr(name, ATTR_INTS, 0, 0, null, l);
        }

        ProtoWriter encode() {
            ProtoWriter a = new ProtoWriter();
            a.stringField(1, name);
            switch (type) {
                case ATTR_FLOAT -> a.floatField(2, f);
                case ATTR_INT -> a.int64Field(3, i);
                case ATTR_STRING -> a.stringField(4, s);
                case ATTR_INTS -> {
                    for (long v : ints) {
                        a.int64Field(8, v);
                    }
                }
                default -> throw new IllegalStateException("attribute type " + type);
            }
            a.int64Field(20, type);
            return a;
        }
    }

    /** A tensor name not used yet, based on {@code base}. */
    String fresh(String base) {
        String n = base;
        for (int k = 1; names.contains(n); k++) {
            n = base + "_" + k;
        }
        names.add(n);
        return n;
    }

    /** Claims a name (graph input, initializer, node output); it must be new. */
    void claim(String name) {
        if (!names.add(name)) {
            throw new IllegalStateException("ONNX tensor name used twice: " + name);
        }
    }

    int nodeCount() {
        return nodeCount;
    }

    /** Adds a node; its outputs must have been claimed (or come from {@link #fresh}). Empty input = omitted. */
    void node(String opType, String nodeName, List<String> in, List<String> out, Attr... attrs) {
        ProtoWriter n = new ProtoWriter(128);
        for (String s : in) {
            n.stringField(1, s);
        }
        for (String s : out) {
            n.stringField(2, s);
        }
        n.stringField(3, nodeName);
        n.stringField(4, opType);
        for (Attr a : attrs) {
            n.message(5, a.encode());
        }
        nodes.message(1, n);
        nodeCount++;
    }

    /** A float32 initializer in row-major order; {@code name} comes from {@link #fresh}. */
    void initializer(String name, int[] dims, float[] data) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalStateException("initializer " + name + ": " + data.length + " values for " + n);
        }
        ProtoWriter head = new ProtoWriter();
        for (int d : dims) {
            head.int64Field(1, d);
        }
        head.int64Field(2, FLOAT);
        head.stringField(8, name);
        long len = head.size() + ProtoWriter.floatsFieldSize(9, data.length);
        initializers.tag(5, ProtoWriter.LEN);
        initializers.varint(len);
        initializers.append(head);
        initializers.floatsField(9, data);
    }

    /** An int64 initializer (shapes, pads); {@code name} comes from {@link #fresh}. */
    void initializerLongs(String name, int[] dims, long[] data) {
        ProtoWriter t = new ProtoWriter();
        for (int d : dims) {
            t.int64Field(1, d);
        }
        t.int64Field(2, INT64);
        t.stringField(8, name);
        t.longsRawField(9, data);
        initializers.message(5, t);
    }

    /** Declares a float32 graph input; dims are Integers (fixed) or Strings (symbolic, dim_param). */
    void input(String name, Object... dims) {
        claim(name);
        inputs.message(11, valueInfo(name, dims));
    }

    /** Declares a float32 graph output (a tensor some node writes). */
    void output(String name, Object... dims) {
        outputs.message(12, valueInfo(name, dims));
    }

    private static ProtoWriter valueInfo(String name, Object... dims) {
        ProtoWriter shape = new ProtoWriter();
        for (Object d : dims) {
            ProtoWriter dim = new ProtoWriter();
            if (d instanceof Integer i) {
                dim.int64Field(1, i);
            } else {
                dim.stringField(2, d.toString());
            }
            shape.message(1, dim);
        }
        ProtoWriter tensor = new ProtoWriter();
        tensor.int64Field(1, FLOAT);
        tensor.message(2, shape);
        ProtoWriter type = new ProtoWriter();
        type.message(1, tensor);
        ProtoWriter vi = new ProtoWriter();
        vi.stringField(1, name);
        vi.message(2, type);
        return vi;
    }

    /** Writes the whole ModelProto (ir_version 8, default domain at opset 13). */
    void writeModel(OutputStream out, String graphName, String producer, String producerVersion, String doc)
            throws IOException {
        ProtoWriter graphHead = new ProtoWriter();
        graphHead.stringField(2, graphName);
        if (doc != null) {
            graphHead.stringField(10, doc);
        }
        long graphLen = (long) graphHead.size() + nodes.size() + initializers.size() + inputs.size()
                + outputs.size();
        ProtoWriter model = new ProtoWriter();
        model.int64Field(1, IR_VERSION);
        model.stringField(2, producer);
        model.stringField(3, producerVersion);
        ProtoWriter opset = new ProtoWriter();
        opset.stringField(1, "");
        opset.int64Field(2, OPSET);
        model.message(8, opset);
        model.tag(7, ProtoWriter.LEN);
        model.varint(graphLen);
        model.writeTo(out);
        graphHead.writeTo(out);
        nodes.writeTo(out);
        initializers.writeTo(out);
        inputs.writeTo(out);
        outputs.writeTo(out);
    }
}
