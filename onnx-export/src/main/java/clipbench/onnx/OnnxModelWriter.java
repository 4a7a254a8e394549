package clipbench.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a {@link ModelProto} as a model file. Any field order parses the same; this one (opset before the graph;
 * the graph's name and doc before its nodes) is the order clipbench's exporter has always written, so a model
 * exported again keeps its bytes and its hash. Every other message is serialised by protobuf itself. Refuses a
 * model holding a field it does not write, rather than dropping it.
 */
public final class OnnxModelWriter {
    private OnnxModelWriter() {
    }

    public static void write(ModelProto model, OutputStream out) throws IOException {
        CodedOutputStream c = CodedOutputStream.newInstance(out, 1 << 16);
        c.writeInt64(ModelProto.IR_VERSION_FIELD_NUMBER, model.getIrVersion());
        c.writeString(ModelProto.PRODUCER_NAME_FIELD_NUMBER, model.getProducerName());
        c.writeString(ModelProto.PRODUCER_VERSION_FIELD_NUMBER, model.getProducerVersion());
        for (OperatorSetIdProto opset : model.getOpsetImportList()) {
            c.writeMessage(ModelProto.OPSET_IMPORT_FIELD_NUMBER, opset);
        }
        GraphProto g = model.getGraph();
        c.writeTag(ModelProto.GRAPH_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        c.writeUInt32NoTag(g.getSerializedSize());
        c.writeString(GraphProto.NAME_FIELD_NUMBER, g.getName());
        if (g.hasDocString()) {
            c.writeString(GraphProto.DOC_STRING_FIELD_NUMBER, g.getDocString());
        }
        for (NodeProto n : g.getNodeList()) {
            c.writeMessage(GraphProto.NODE_FIELD_NUMBER, n);
        }
        for (TensorProto t : g.getInitializerList()) {
            c.writeMessage(GraphProto.INITIALIZER_FIELD_NUMBER, t);
        }
        for (ValueInfoProto v : g.getInputList()) {
            c.writeMessage(GraphProto.INPUT_FIELD_NUMBER, v);
        }
        for (ValueInfoProto v : g.getOutputList()) {
            c.writeMessage(GraphProto.OUTPUT_FIELD_NUMBER, v);
        }
        c.flush();
        if (c.getTotalBytesWritten() != model.getSerializedSize()) {
            throw new IllegalArgumentException("model has fields OnnxModelWriter does not write: "
                    + model.getSerializedSize() + " bytes expected, " + c.getTotalBytesWritten() + " written");
        }
    }
}
