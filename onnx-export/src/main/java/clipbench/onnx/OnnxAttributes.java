package clipbench.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;

/** Node attributes of the four kinds the exporters use, typed by ONNX's generated classes. */
public final class OnnxAttributes {
    private OnnxAttributes() {
    }

    public static AttributeProto i(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setI(v).setType(AttributeType.INT).build();
    }

    public static AttributeProto f(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setF(v).setType(AttributeType.FLOAT).build();
    }

    public static AttributeProto s(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setS(com.google.protobuf.ByteString.copyFromUtf8(v))
                .setType(AttributeType.STRING).build();
    }

    public static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        for (long x : v) {
            a.addInts(x);
        }
        return a.setType(AttributeType.INTS).build();
    }

    public static AttributeProto ints(String name, int... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        for (int x : v) {
            a.addInts(x);
        }
        return a.setType(AttributeType.INTS).build();
    }
}
