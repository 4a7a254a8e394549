package clipbench.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Dynamic int8 quantisation of an ONNX model, as ONNX Runtime's {@code quantize_dynamic} does in its operator
 * (QOperator) format: every MatMul whose second input is a constant float matrix, every Gemm with a constant
 * weight (alpha = beta = 1, no transA) and every ungrouped Conv with a constant weight gets
 * {@code DynamicQuantizeLinear} on its activation (uint8, range per call), the weight quantised symmetrically per
 * output channel to [-{@value #WEIGHT_MAX}, {@value #WEIGHT_MAX}], {@code MatMulInteger} / {@code ConvInteger}, a
 * cast to float and one multiply by activation scale x channel scale (plus the bias). ORT fuses the MatMul
 * pattern into {@code DynamicQuantizeMatMul} when it optimises the session.
 *
 * <p>The weights are stored as uint8 with zero point 128 (q + 128): ORT 1.23's CPU {@code ConvInteger} takes
 * only uint8 weights, and its uint8 x uint8 kernels cannot saturate, where uint8 x int8 on CPUs without VNNI
 * ({@code vpmaddubsw}) saturates int16 pair sums unless weights are cut to 7 bits (ORT's {@code reduce_range}).
 * Symmetric weights have one zero point for every channel, which is all ORT's kernels take.
 *
 * <p>Grouped and depthwise convolutions stay float32: ORT's {@code ConvInteger} has no depthwise kernel (it runs
 * one small GEMM per group: nsfwjs's MobileNetV2 ran 4x slower than fp32 with them quantised) and depthwise
 * weights lose the most in int8 (its top-1 agreement with fp32 fell to 0.71).
 */
public final class DynamicQuantizer {
    /** Largest weight magnitude after quantisation (symmetric 8-bit). */
    public static final int WEIGHT_MAX = 127;
    /** The uint8 zero point of the stored weights. */
    static final int WEIGHT_ZERO = 128;
    /** Bumped whenever the rewrite changes, so cached quantised models are made again. */
    public static final String VERSION = "dynamic-int8-v1 weights=symmetric-per-channel-" + WEIGHT_MAX + "-as-uint8+128"
            + " activations=uint8-dynamic ops=MatMul,Gemm,Conv(group=1)";
    /** The opset the integer ops need (DynamicQuantizeLinear appears in 11; 13 is what the exporter writes). */
    static final long MIN_OPSET = 11;

    /** The rewritten model and how many nodes of each kind were quantised. */
    public record Result(ModelProto model, int matMuls, int gemms, int convs) {
        public int total() {
            return matMuls + gemms + convs;
        }
    }

    private final Map<String, TensorProto> initializers = new HashMap<>();
    private final TensorNames names = new TensorNames();
    private final List<NodeProto> nodes = new ArrayList<>();
    private final List<TensorProto> added = new ArrayList<>();
    private int matMuls;
    private int gemms;
    private int convs;

    private DynamicQuantizer(GraphProto source) {
        Set<String> graphInputs = new HashSet<>();
        for (ValueInfoProto v : source.getInputList()) {
            graphInputs.add(v.getName());
            names.add(v.getName());
        }
        for (TensorProto t : source.getInitializerList()) {
            names.add(t.getName());
            // an initializer that is also a graph input can be overridden at run time: not a constant
            if (!graphInputs.contains(t.getName())) {
                initializers.put(t.getName(), t);
            }
        }
        for (NodeProto n : source.getNodeList()) {
            n.getOutputList().forEach(names::add);
        }
    }

    /** Quantises {@code model}; a model with nothing to quantise is refused (the result would be fp32). */
    public static Result quantize(ModelProto model) {
        long opset = model.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty())
                .mapToLong(OperatorSetIdProto::getVersion).findFirst().orElse(1);
        if (opset < MIN_OPSET) {
            throw new IllegalArgumentException("int8: the model's default-domain opset is " + opset
                    + "; dynamic quantisation needs at least " + MIN_OPSET);
        }
        DynamicQuantizer q = new DynamicQuantizer(model.getGraph());
        for (NodeProto n : model.getGraph().getNodeList()) {
            if (!q.rewrite(n)) {
                q.nodes.add(n);
            }
        }
        if (q.matMuls + q.gemms + q.convs == 0) {
            throw new IllegalArgumentException("int8: the model has no MatMul, Gemm or Conv with constant float"
                    + " weights to quantise");
        }
        GraphProto.Builder g = model.getGraph().toBuilder().clearNode().addAllNode(q.nodes).clearInitializer();
        Set<String> used = new HashSet<>();
        q.nodes.forEach(n -> used.addAll(n.getInputList()));
        model.getGraph().getOutputList().forEach(o -> used.add(o.getName()));
        for (TensorProto t : model.getGraph().getInitializerList()) {
            if (used.contains(t.getName())) { // float weights now read only by their quantised copy are dropped
                g.addInitializer(t);
            }
        }
        g.addAllInitializer(q.added);
        ModelProto out = model.toBuilder().setGraph(g).build();
        return new Result(out, q.matMuls, q.gemms, q.convs);
    }

    private boolean rewrite(NodeProto n) {
        if (!n.getDomain().isEmpty()) {
            return false;
        }
        return switch (n.getOpType()) {
            case "MatMul" -> matMul(n, n.getInput(0), n.getInput(1), false, null) && ++matMuls > 0;
            case "Gemm" -> gemm(n) && ++gemms > 0;
            case "Conv" -> conv(n) && ++convs > 0;
            default -> false;
        };
    }

    private boolean gemm(NodeProto n) {
        if (attrFloat(n, "alpha", 1f) != 1f || attrFloat(n, "beta", 1f) != 1f || attrInt(n, "transA", 0) != 0) {
            return false;
        }
        String bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? n.getInput(2) : null;
        return matMul(n, n.getInput(0), n.getInput(1), attrInt(n, "transB", 0) != 0, bias);
    }

    /** Y = A x B (+ bias), B a constant [K, N] (or [N, K] when {@code transposed}). */
    private boolean matMul(NodeProto n, String a, String b, boolean transposed, String bias) {
        float[] w = floats(b);
        TensorProto wt = initializers.get(b);
        if (w == null || wt.getDimsCount() != 2) {
            return false;
        }
        int rows = (int) wt.getDims(0);
        int cols = (int) wt.getDims(1);
        int k = transposed ? cols : rows;
        int outputs = transposed ? rows : cols;
        float[] kn = new float[w.length];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < outputs; j++) {
                kn[i * outputs + j] = transposed ? w[j * cols + i] : w[i * outputs + j];
            }
        }
        // channel j is column j of [K, N]
        float[] scales = new float[outputs];
        for (int i = 0; i < kn.length; i++) {
            scales[i % outputs] = Math.max(scales[i % outputs], Math.abs(kn[i]));
        }
        byte[] q = quantizeWeights(kn, scales, i -> i % outputs);
        String base = n.getOutput(0);
        String[] x = quantizeActivation(a, base);
        String wq = constant(base + "_w_quantized", TensorProto.DataType.UINT8, new long[]{k, outputs}, q);
        String y = fresh(base + "_int32");
        nodes.add(node("MatMulInteger", n.getName() + "_quant", List.of(x[0], wq, x[2], weightZero(base)), y));
        String scale = constantFloats(base + "_w_scale", new long[]{outputs}, scales);
        finish(n, y, x[1], scale, bias, base); // Gemm's C broadcasts to [M, N] as it is
        return true;
    }

    private boolean conv(NodeProto n) {
        float[] w = floats(n.getInput(1));
        if (w == null || attrInt(n, "group", 1) != 1) {
            return false;
        }
        TensorProto wt = initializers.get(n.getInput(1));
        String bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? n.getInput(2) : null;
        if (bias != null && floats(bias) == null) {
            return false;
        }
        int m = (int) wt.getDims(0);
        int per = w.length / m;
        float[] scales = new float[m];
        for (int i = 0; i < w.length; i++) {
            scales[i / per] = Math.max(scales[i / per], Math.abs(w[i]));
        }
        byte[] q = quantizeWeights(w, scales, i -> i / per);
        String base = n.getOutput(0);
        String[] x = quantizeActivation(n.getInput(0), base);
        long[] dims = wt.getDimsList().stream().mapToLong(Long::longValue).toArray();
        String wq = constant(base + "_w_quantized", TensorProto.DataType.UINT8, dims, q);
        String y = fresh(base + "_int32");
        NodeProto.Builder conv = NodeProto.newBuilder().setOpType("ConvInteger").setName(n.getName() + "_quant")
                .addAllInput(List.of(x[0], wq, x[2], weightZero(base))).addOutput(y);
        for (AttributeProto attr : n.getAttributeList()) {
            conv.addAttribute(attr); // auto_pad, dilations, group, kernel_shape, pads, strides: the same for ConvInteger
        }
        nodes.add(conv.build());
        long[] channelShape = new long[dims.length];
        java.util.Arrays.fill(channelShape, 1);
        channelShape[1] = m;
        String scale = constantFloats(base + "_w_scale", channelShape, scales);
        finish(n, y, x[1], scale, bias == null ? null : constantFloats(bias + "_bias", channelShape, floats(bias)),
                base);
        return true;
    }

    /** Int32 result to float, times activation scale x channel scale, plus the bias, into the node's output. */
    private void finish(NodeProto n, String int32, String activationScale, String weightScale, String bias,
                        String base) {
        String f = fresh(base + "_float");
        nodes.add(node("Cast", n.getName() + "_cast", List.of(int32), f,
                OnnxAttributes.i("to", TensorProto.DataType.FLOAT.getNumber())));
        String scale = fresh(base + "_scale");
        nodes.add(node("Mul", n.getName() + "_scale", List.of(activationScale, weightScale), scale));
        String scaled = bias == null ? n.getOutput(0) : fresh(base + "_scaled");
        nodes.add(node("Mul", n.getName() + "_mul", List.of(f, scale), scaled));
        if (bias != null) {
            nodes.add(node("Add", n.getName() + "_bias", List.of(scaled, bias), n.getOutput(0)));
        }
    }

    /** DynamicQuantizeLinear of {@code input}: {quantised, scale, zero point}. */
    private String[] quantizeActivation(String input, String base) {
        String[] out = {fresh(base + "_x_uint8"), fresh(base + "_x_scale"), fresh(base + "_x_zero")};
        nodes.add(NodeProto.newBuilder().setOpType("DynamicQuantizeLinear").setName(base + "_quantize_input")
                .addInput(input).addAllOutput(List.of(out)).build());
        return out;
    }

    private interface Channel {
        int of(int index);
    }

    /** Symmetric: q = round(w / scale), scale = max|w| / WEIGHT_MAX per channel; the scales are rewritten. */
    private static byte[] quantizeWeights(float[] w, float[] maxAbs, Channel channel) {
        for (int c = 0; c < maxAbs.length; c++) {
            maxAbs[c] = maxAbs[c] == 0 ? 1f : maxAbs[c] / WEIGHT_MAX;
        }
        byte[] q = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            long v = Math.round(w[i] / maxAbs[channel.of(i)]);
            q[i] = (byte) (Math.max(-WEIGHT_MAX, Math.min(WEIGHT_MAX, v)) + WEIGHT_ZERO);
        }
        return q;
    }

    /** The float values of a constant initializer, or null when {@code name} is not one. */
    private float[] floats(String name) {
        TensorProto t = initializers.get(name);
        if (t == null || t.getDataType() != TensorProto.DataType.FLOAT.getNumber() || t.hasDataLocation()
                && t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return null;
        }
        if (!t.getRawData().isEmpty()) {
            float[] out = new float[t.getRawData().size() / 4];
            t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }
        float[] out = new float[t.getFloatDataCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.getFloatData(i);
        }
        return out;
    }

    private String weightZero(String base) {
        return constant(base + "_w_zero", TensorProto.DataType.UINT8, new long[0], new byte[]{(byte) WEIGHT_ZERO});
    }

    private String constantFloats(String base, long[] dims, float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return constant(base, TensorProto.DataType.FLOAT, dims, raw.array());
    }

    private String constant(String base, TensorProto.DataType type, long[] dims, byte[] raw) {
        String name = fresh(base);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(raw));
        for (long d : dims) {
            t.addDims(d);
        }
        added.add(t.build());
        return name;
    }

    private String fresh(String base) {
        return names.fresh(base);
    }

    private static NodeProto node(String op, String name, List<String> in, String out, AttributeProto... attrs) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addOutput(out)
                .addAllAttribute(List.of(attrs)).build();
    }

    private static long attrInt(NodeProto n, String name, long fallback) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).mapToLong(AttributeProto::getI)
                .findFirst().orElse(fallback);
    }

    private static float attrFloat(NodeProto n, String name, float fallback) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).map(AttributeProto::getF)
                .findFirst().orElse(fallback);
    }
}
