package clipbench.backend.onnx;

import static clipbench.checkpoint.ClipArchitecture.LAYER_NORM_EPS;
import static clipbench.checkpoint.ClipArchitecture.BATCH_NORM_EPS;
import static clipbench.checkpoint.ClipArchitecture.QUICK_GELU_SCALE;

import static clipbench.onnx.OnnxAttributes.f;
import static clipbench.onnx.OnnxAttributes.i;
import static clipbench.onnx.OnnxAttributes.ints;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import clipbench.checkpoint.Checkpoint;
import clipbench.checkpoint.ClipArchitecture;
import clipbench.checkpoint.ClipArchitecture.Activation;
import clipbench.checkpoint.ClipArchitecture.ResNet;
import clipbench.checkpoint.ClipArchitecture.Text;
import clipbench.checkpoint.ClipArchitecture.Vit;
import clipbench.onnx.OnnxGraphBuilder;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * OpenAI's CLIP ({@code clip/model.py}) written as ONNX from an OpenAI state dict, one graph per tower, so ONNX
 * Runtime runs a checkpoint without a Python export. The math is backend-tensorflow's {@code ClipGraph} node for
 * node (LayerNorm and BatchNorm eps 1e-5, attention as torch's {@code multi_head_attention_forward}); the files
 * take what {@link ImageTower} and {@link TextTower} take from an export: {@value #IMAGE_INPUT} float32
 * {@code [N,3,S,S]} or {@value #TEXT_INPUT} int64 {@code [N,context]} → {@value #OUTPUT} float32 {@code [N,E]}.
 *
 * <p>Weights go to {@code MODEL.data} beside the graph as ONNX external data (each tensor page-aligned, so ONNX
 * Runtime may map it), so checkpoints above protobuf's 2 GB limit work and no model is held in memory whole;
 * tensors under {@value #EXTERNAL_MIN_BYTES} bytes stay in the graph. Linear weights are stored transposed
 * ({@code [in, out]}) for {@code MatMul}; opset 13, so LayerNorm and GELU are written out and left to ONNX
 * Runtime's fusions.
 */
final class ClipOnnxWriter implements Closeable {
    /** Bumped whenever the written graph changes, so cached graphs of an older writer are not used. */
    static final int VERSION = 1;
    static final String IMAGE_INPUT = "image";
    static final String TEXT_INPUT = "text";
    static final String OUTPUT = "embedding";

    private static final int EXTERNAL_MIN_BYTES = 4096;
    private static final long ALIGNMENT = 4096;

    private final OnnxGraphBuilder g = new OnnxGraphBuilder();
    private final Checkpoint p;
    private final String dataLocation;
    private final FileChannel data;

    private ClipOnnxWriter(Checkpoint weights, Path model) throws IOException {
        this.p = weights;
        Path dataFile = dataFile(model);
        this.dataLocation = dataFile.getFileName().toString();
        this.data = FileChannel.open(dataFile, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
    }

    /** The external-data file of {@code model}. */
    static Path dataFile(Path model) {
        return model.resolveSibling(model.getFileName() + ".data");
    }

    /** Writes the image tower to {@code model} and its weights to {@link #dataFile}; {@code doc} names the source. */
    static void writeImage(Checkpoint weights, ClipArchitecture arch, Path model, String doc) throws IOException {
        try (ClipOnnxWriter w = new ClipOnnxWriter(weights, model)) {
            int size = arch.imageResolution();
            w.g.input(IMAGE_INPUT, "N", 3, size, size);
            String y = arch.vision() instanceof Vit vit
                    ? w.visionTransformer(IMAGE_INPUT, "visual.", vit)
                    : w.modifiedResNet(IMAGE_INPUT, "visual.", (ResNet) arch.vision());
            w.finish(model, y, "clip_visual", doc, "N", arch.embedDim());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Writes the text tower to {@code model} and its weights to {@link #dataFile}. */
    static void writeText(Checkpoint weights, ClipArchitecture arch, Path model, String doc) throws IOException {
        try (ClipOnnxWriter w = new ClipOnnxWriter(weights, model)) {
            w.g.input(TEXT_INPUT, TensorProto.DataType.INT64, "N", arch.text().contextLength());
            String y = w.encodeText(TEXT_INPUT, arch.text());
            w.finish(model, y, "clip_textual", doc, "N", arch.embedDim());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * One {@code ResidualAttentionBlock} ({@code x [N, tokens, width]} → {@value #OUTPUT}, weights named as in the
     * block's own state dict), to check the block alone against OpenAI's golden block.
     */
    static void writeBlock(Checkpoint weights, Path model, int tokens, int width, int heads, Activation activation)
            throws IOException {
        try (ClipOnnxWriter w = new ClipOnnxWriter(weights, model)) {
            w.g.input("x", "N", tokens, width);
            String y = w.residualAttentionBlock("x", "", tokens, width, heads, activation, null);
            w.finish(model, y, "clip_block", null, "N", tokens, width);
        }
    }

    private void finish(Path model, String y, String name, String doc, Object... outputDims) throws IOException {
        g.claim(OUTPUT);
        g.node("Identity", OUTPUT, List.of(y), List.of(OUTPUT));
        g.output(OUTPUT, outputDims);
        data.force(false);
        try (OutputStream out = Files.newOutputStream(model)) {
            g.writeModel(out, name, "clipbench", "ClipOnnxWriter " + VERSION, doc);
        }
    }

    @Override
    public void close() throws IOException {
        data.close();
    }

    // ------------------------------------------------------------------------------------------------
    // VisionTransformer

    /** OpenAI's {@code VisionTransformer.forward}. */
    String visionTransformer(String nchw, String prefix, Vit cfg) {
        int width = cfg.width();
        int tokens = cfg.grid() * cfg.grid() + 1;
        int patch = cfg.patchSize();
        String x = op("Conv", List.of(nchw, weight(prefix + "conv1.weight")), ints("kernel_shape", patch, patch),
                ints("strides", patch, patch)); // [N, width, grid, grid]
        x = op("Transpose", List.of(reshape(x, 0, width, tokens - 1)), ints("perm", 0, 2, 1)); // [N, grid², width]
        String cls = op("Expand", List.of(weight(prefix + "class_embedding", 1, 1, width), batchShape(x, 1, width)));
        x = op("Concat", List.of(cls, x), i("axis", 1));
        x = op("Add", List.of(x, weight(prefix + "positional_embedding")));
        x = layerNorm(x, prefix + "ln_pre.");
        for (int b = 0; b < cfg.layers(); b++) {
            x = residualAttentionBlock(x, prefix + "transformer.resblocks." + b + ".", tokens, width, cfg.heads(),
                    cfg.activation(), null);
        }
        String classToken = op("Gather", List.of(x, longs(new int[0], 0)), i("axis", 1)); // [N, width]
        return op("MatMul", List.of(layerNorm(classToken, prefix + "ln_post."), weight(prefix + "proj")));
    }

    // ------------------------------------------------------------------------------------------------
    // Transformer blocks

    /** OpenAI's {@code ResidualAttentionBlock} on {@code x [N, tokens, width]}; {@code mask} may be null. */
    String residualAttentionBlock(String x, String prefix, int tokens, int width, int heads, Activation activation,
                                  String mask) {
        String h = layerNorm(x, prefix + "ln_1.");
        String qkv = linear(h, prefix + "attn.in_proj_weight", prefix + "attn.in_proj_bias");
        List<String> parts = List.of(g.fresh("q"), g.fresh("k"), g.fresh("v"));
        g.node("Split", parts.get(0), List.of(qkv), parts, i("axis", 2));
        String a = attention(parts.get(0), parts.get(1), parts.get(2), tokens, tokens, width, heads, mask);
        x = op("Add", List.of(x, linear(a, prefix + "attn.out_proj.weight", prefix + "attn.out_proj.bias")));
        h = layerNorm(x, prefix + "ln_2.");
        h = activate(linear(h, prefix + "mlp.c_fc.weight", prefix + "mlp.c_fc.bias"), activation);
        return op("Add", List.of(x, linear(h, prefix + "mlp.c_proj.weight", prefix + "mlp.c_proj.bias")));
    }

    /** Per head {@code softmax(q / sqrt(d) k^T + mask) v}, heads merged back to {@code [N, qTokens, width]}. */
    private String attention(String q, String k, String v, int qTokens, int kTokens, int width, int heads,
                             String mask) {
        int headDim = width / heads;
        String qh = op("Div", List.of(splitHeads(q, qTokens, heads, headDim), scalar((float) Math.sqrt(headDim))));
        String kt = op("Transpose", List.of(reshape(k, -1, kTokens, heads, headDim)), ints("perm", 0, 2, 3, 1));
        String scores = op("MatMul", List.of(qh, kt)); // [N, heads, qTokens, kTokens]
        if (mask != null) {
            scores = op("Add", List.of(scores, mask));
        }
        String context = op("MatMul", List.of(op("Softmax", List.of(scores), i("axis", -1)),
                splitHeads(v, kTokens, heads, headDim)));
        context = op("Transpose", List.of(context), ints("perm", 0, 2, 1, 3));
        return reshape(context, -1, qTokens, width);
    }

    private String splitHeads(String x, int tokens, int heads, int headDim) {
        return op("Transpose", List.of(reshape(x, -1, tokens, heads, headDim)), ints("perm", 0, 2, 1, 3));
    }

    /** {@code x W^T + b}, W being PyTorch's {@code [out, in]} (stored transposed). */
    private String linear(String x, String weight, String bias) {
        return op("Add", List.of(op("MatMul", List.of(x, transposed(weight))), weight(bias)));
    }

    /** PyTorch's LayerNorm over the last axis (biased variance, eps 1e-5), in the form ONNX Runtime fuses. */
    private String layerNorm(String x, String prefix) {
        String centered = op("Sub", List.of(x, op("ReduceMean", List.of(x), ints("axes", -1), i("keepdims", 1))));
        String variance = op("ReduceMean", List.of(op("Pow", List.of(centered, scalar(2f)))), ints("axes", -1),
                i("keepdims", 1));
        String normalised = op("Div", List.of(centered,
                op("Sqrt", List.of(op("Add", List.of(variance, scalar(LAYER_NORM_EPS)))))));
        return op("Add", List.of(op("Mul", List.of(normalised, weight(prefix + "weight"))), weight(prefix + "bias")));
    }

    /** QuickGELU {@code x·σ(1.702x)}, or exact GELU {@code x·½(1 + erf(x/√2))}. */
    private String activate(String x, Activation activation) {
        if (activation == Activation.GELU) {
            String erf = op("Erf", List.of(op("Div", List.of(x, scalar((float) Math.sqrt(2))))));
            return op("Mul", List.of(op("Mul", List.of(x, op("Add", List.of(erf, scalar(1f))))), scalar(0.5f)));
        }
        return op("Mul", List.of(x, op("Sigmoid", List.of(op("Mul", List.of(x, scalar(QUICK_GELU_SCALE)))))));
    }

    // ------------------------------------------------------------------------------------------------
    // ModifiedResNet

    /** OpenAI's {@code ModifiedResNet.forward}: 3-conv stem, 4 stages of Bottlenecks, AttentionPool2d. */
    String modifiedResNet(String nchw, String prefix, ResNet cfg) {
        String x = op("Relu", List.of(batchNorm(conv(nchw, prefix + "conv1.weight", 2), prefix + "bn1.")));
        x = op("Relu", List.of(batchNorm(conv(x, prefix + "conv2.weight", 1), prefix + "bn2.")));
        x = op("Relu", List.of(batchNorm(conv(x, prefix + "conv3.weight", 1), prefix + "bn3.")));
        x = avgPool(x, 2);
        for (ResNet.Block block : cfg.blocks()) {
            x = bottleneck(x, prefix + block.prefix(), block.stride());
        }
        return attentionPool(x, prefix + "attnpool.", cfg);
    }

    /** The anti-aliased Bottleneck: 1x1, 3x3, AvgPool(stride), 1x1; shortcut AvgPool + 1x1 conv + BN when present. */
    private String bottleneck(String x, String prefix, int stride) {
        String out = op("Relu", List.of(batchNorm(conv(x, prefix + "conv1.weight", 1), prefix + "bn1.")));
        out = op("Relu", List.of(batchNorm(conv(out, prefix + "conv2.weight", 1), prefix + "bn2.")));
        out = batchNorm(conv(avgPool(out, stride), prefix + "conv3.weight", 1), prefix + "bn3.");
        String identity = x;
        if (p.has(prefix + "downsample.0.weight")) {
            identity = batchNorm(conv(avgPool(x, stride), prefix + "downsample.0.weight", 1), prefix + "downsample.1.");
        }
        return op("Relu", List.of(op("Add", List.of(out, identity))));
    }

    /** AttentionPool2d: mean token in front, positional embedding, the mean token queries all tokens, c_proj. */
    private String attentionPool(String x, String prefix, ResNet cfg) {
        long[] pos = p.shape(prefix + "positional_embedding");
        int tokens = (int) pos[0];
        int width = (int) pos[1];
        x = op("Transpose", List.of(reshape(x, 0, width, tokens - 1)), ints("perm", 0, 2, 1)); // [N, HW, C]
        String mean = op("ReduceMean", List.of(x), ints("axes", 1), i("keepdims", 1));
        x = op("Add", List.of(op("Concat", List.of(mean, x), i("axis", 1)), weight(prefix + "positional_embedding")));
        String first = op("Slice", List.of(x, longs(new int[] {1}, 0), longs(new int[] {1}, 1),
                longs(new int[] {1}, 1))); // x[:, :1, :]
        String q = linear(first, prefix + "q_proj.weight", prefix + "q_proj.bias");
        String k = linear(x, prefix + "k_proj.weight", prefix + "k_proj.bias");
        String v = linear(x, prefix + "v_proj.weight", prefix + "v_proj.bias");
        String a = attention(q, k, v, 1, tokens, width, cfg.heads(), null);
        String out = linear(a, prefix + "c_proj.weight", prefix + "c_proj.bias");
        return reshape(out, -1, (int) p.shape(prefix + "c_proj.weight")[0]);
    }

    /** Conv2d without bias, padding {@code kernel / 2} on every side. */
    private String conv(String x, String weight, int stride) {
        long[] shape = p.shape(weight);
        int pad = (int) shape[2] / 2;
        return op("Conv", List.of(x, weight(weight)), ints("kernel_shape", (int) shape[2], (int) shape[3]),
                ints("strides", stride, stride), ints("pads", pad, pad, pad, pad));
    }

    /** Eval-mode BatchNorm2d with the running statistics. */
    private String batchNorm(String x, String prefix) {
        return op("BatchNormalization", List.of(x, weight(prefix + "weight"), weight(prefix + "bias"),
                weight(prefix + "running_mean"), weight(prefix + "running_var")), f("epsilon", BATCH_NORM_EPS));
    }

    /** {@code AvgPool2d(k)}: kernel = stride = k, no padding; identity for k = 1. */
    private String avgPool(String x, int k) {
        return k == 1 ? x : op("AveragePool", List.of(x), ints("kernel_shape", k, k), ints("strides", k, k));
    }

    // ------------------------------------------------------------------------------------------------
    // Text

    /**
     * OpenAI's {@code encode_text}: token + positional embedding, causal transformer, ln_final, the row at the
     * end-of-text token (the largest id, or the first {@code eosTokenId} when the architecture names one),
     * text_projection.
     */
    String encodeText(String ids, Text cfg) {
        int context = cfg.contextLength();
        String x = op("Gather", List.of(weight("token_embedding.weight"), ids), i("axis", 0));
        x = op("Add", List.of(x, weight("positional_embedding")));
        String mask = tensor("causal_mask", new int[] {context, context}, flatten(cfg.causalMask()));
        for (int b = 0; b < cfg.layers(); b++) {
            x = residualAttentionBlock(x, "transformer.resblocks." + b + ".", context, cfg.width(), cfg.heads(),
                    cfg.activation(), mask);
        }
        x = layerNorm(x, "ln_final.");
        String scores = ids; // ArgMax's first maximum: the largest id, or the first id equal to eosTokenId
        if (cfg.eosTokenId() >= 0) {
            scores = op("Cast", List.of(op("Equal", List.of(ids, longs(new int[0], cfg.eosTokenId())))),
                    i("to", TensorProto.DataType.INT32.getNumber()));
        }
        String eot = op("ArgMax", List.of(scores), i("axis", 1), i("keepdims", 0));
        String index = op("Unsqueeze", List.of(eot, longs(new int[] {1}, 1))); // [N, 1]
        String pooled = op("GatherND", List.of(x, index), i("batch_dims", 1)); // [N, width]
        return op("MatMul", List.of(pooled, weight("text_projection")));
    }

    private static float[] flatten(float[][] rows) {
        float[] flat = new float[rows.length * rows[0].length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * rows[r].length, rows[r].length);
        }
        return flat;
    }

    // ------------------------------------------------------------------------------------------------
    // Nodes and tensors

    /** One node with one output, named after its type. */
    private String op(String type, List<String> in, AttributeProto... attrs) {
        String out = g.fresh(type.toLowerCase());
        g.node(type, out, in, List.of(out), attrs);
        return out;
    }

    private String reshape(String x, long... shape) {
        return op("Reshape", List.of(x, longs(new int[] {shape.length}, shape)));
    }

    /** {@code [N, rest...]}: {@code x}'s batch size followed by {@code rest}. */
    private String batchShape(String x, long... rest) {
        String n = op("Slice", List.of(op("Shape", List.of(x)), longs(new int[] {1}, 0), longs(new int[] {1}, 1)));
        return op("Concat", List.of(n, longs(new int[] {rest.length}, rest)), i("axis", 0));
    }

    private String scalar(float v) {
        return tensor("c", new int[0], new float[] {v});
    }

    private String longs(int[] dims, long... values) {
        String name = g.fresh("i");
        g.initializerLongs(name, dims, values);
        return name;
    }

    /** A checkpoint tensor as stored, optionally reshaped to {@code dims}. */
    private String weight(String name, int... dims) {
        long[] shape = p.shape(name);
        int[] d = dims.length > 0 ? dims : Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
        return tensor(name, d, p.floats(name));
    }

    /** A PyTorch linear weight {@code [out, in]} stored as {@code [in, out]}. */
    private String transposed(String name) {
        long[] shape = p.shape(name);
        int rows = (int) shape[0];
        int cols = (int) shape[1];
        float[] w = p.floats(name);
        float[] t = new float[w.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = w[r * cols + c];
            }
        }
        return tensor(name + ".T", new int[] {cols, rows}, t);
    }

    /** A float initializer: in the graph when small, else appended to the data file at an aligned offset. */
    private String tensor(String base, int[] dims, float[] values) {
        String name = g.fresh(base);
        long bytes = 4L * values.length;
        if (bytes < EXTERNAL_MIN_BYTES) {
            g.initializer(name, dims, values);
            return name;
        }
        try {
            long offset = (data.size() + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
            ByteBuffer raw = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
            raw.asFloatBuffer().put(values);
            long at = offset;
            while (raw.hasRemaining()) {
                at += data.write(raw, at);
            }
            g.externalInitializer(name, dims, dataLocation, offset, bytes);
            return name;
        } catch (IOException e) {
            throw new UncheckedIOException(dataLocation + ": writing tensor " + base + ": " + e.getMessage(), e);
        }
    }
}
