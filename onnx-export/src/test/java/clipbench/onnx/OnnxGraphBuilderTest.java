package clipbench.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnnxGraphBuilderTest {

    private static OnnxGraphBuilder tiny() {
        OnnxGraphBuilder g = new OnnxGraphBuilder();
        g.input("x", "N", 2);
        String w = g.fresh("w");
        g.initializer(w, new int[] {2}, new float[] {1.5f, -2});
        String shape = g.fresh("shape");
        g.initializerLongs(shape, new int[] {2}, new long[] {-1, 2});
        String y = g.fresh("y");
        g.node("Mul", y, List.of("x", w), List.of(y), OnnxAttributes.f("unused", 0.25f));
        g.claim("out");
        g.node("Reshape", "out", List.of(y, shape), List.of("out"));
        g.output("out", "N", 2);
        return g;
    }

    private static byte[] write(ModelProto m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OnnxModelWriter.write(m, out);
        return out.toByteArray();
    }

    @Test
    void writtenModelParsesBackToTheBuiltOne() throws IOException {
        ModelProto m = tiny().model("g", "p", "1", "doc");
        byte[] bytes = write(m);
        assertEquals(m, ModelProto.parseFrom(bytes));
        assertEquals(m.getSerializedSize(), bytes.length);
        GraphProto g = m.getGraph();
        assertEquals(2, g.getNodeCount());
        TensorProto w = g.getInitializer(0);
        assertEquals(TensorProto.DataType.FLOAT.getNumber(), w.getDataType());
        ByteBuffer raw = w.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1.5f, raw.getFloat());
        assertEquals(-2f, raw.getFloat());
        assertEquals(TensorProto.DataType.INT64.getNumber(), g.getInitializer(1).getDataType());
        assertEquals(-1L, g.getInitializer(1).getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertEquals("N", g.getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals(2, g.getInput(0).getType().getTensorType().getShape().getDim(1).getDimValue());
    }

    @Test
    void headerKeepsTheOrderClipbenchHasAlwaysWritten() throws IOException {
        byte[] b = write(tiny().model("g", "p", "1", null));
        // ir_version 8; producer_name "p"; producer_version "1"; opset_import {domain "", version 13}; then graph (7)
        // whose first field is its name (2), before its nodes (1)
        String hex = HexFormat.of().formatHex(b);
        assertEquals("0808" + "120170" + "1a0131" + "42040a00100d" + "3a", hex.substring(0, 30));
        int graph = 15 + varintLength(b, 15);
        assertEquals("120167" + "0a", hex.substring(2 * graph, 2 * graph + 8), "graph name, then the first node");
    }

    private static int varintLength(byte[] b, int at) {
        int n = 1;
        while ((b[at + n - 1] & 0x80) != 0) {
            n++;
        }
        return n;
    }

    @Test
    void namesAreUniqueAndAttributesTyped() {
        OnnxGraphBuilder g = new OnnxGraphBuilder();
        assertEquals("a", g.fresh("a"));
        assertEquals("a_1", g.fresh("a"));
        assertThrows(IllegalStateException.class, () -> g.claim("a_1"));
        assertThrows(IllegalStateException.class, () -> g.initializer("w", new int[] {3}, new float[2]));
        assertEquals(AttributeProto.AttributeType.INTS, OnnxAttributes.ints("k", 3, 1).getType());
        assertArrayEquals(new long[] {3, 1}, OnnxAttributes.ints("k", 3L, 1L).getIntsList().stream()
                .mapToLong(Long::longValue).toArray());
        assertEquals("constant", OnnxAttributes.s("mode", "constant").getS().toStringUtf8());
        assertEquals(AttributeProto.AttributeType.INT, OnnxAttributes.i("axis", 1).getType());
    }

    @Test
    void refusesAFieldItWouldNotWrite() {
        ModelProto m = tiny().model("g", "p", "1", null).toBuilder().setDomain("ai.example").build();
        assertThrows(IllegalArgumentException.class, () -> write(m));
    }
}
