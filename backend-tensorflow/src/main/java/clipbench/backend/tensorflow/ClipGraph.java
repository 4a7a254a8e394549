package clipbench.backend.tensorflow;

import static clipbench.checkpoint.ClipArchitecture.LAYER_NORM_EPS;
import static clipbench.checkpoint.ClipArchitecture.BATCH_NORM_EPS;
import static clipbench.checkpoint.ClipArchitecture.QUICK_GELU_SCALE;

import clipbench.checkpoint.ClipArchitecture;
import clipbench.checkpoint.ClipArchitecture.Activation;
import clipbench.checkpoint.ClipArchitecture.ResNet;
import clipbench.checkpoint.ClipArchitecture.Text;
import clipbench.checkpoint.ClipArchitecture.Vit;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gather;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Split;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * OpenAI's CLIP ({@code clip/model.py}) written with TensorFlow ops, reading an OpenAI state dict through
 * {@link GraphParams}.
 *
 * <p>Layouts: images enter NCHW (the harness's layout) and are transposed once to NHWC, the layout TF's CPU
 * {@code Conv2D} and {@code AvgPool} kernels support; PyTorch's OIHW conv weights are transposed to HWIO in
 * the graph. Token sequences stay batch-first {@code [N, L, D]} (OpenAI's blocks run LND, but attention
 * is per sample, so the result is the same). Linear layers multiply by the PyTorch {@code [out, in]} weight
 * transposed ({@code transpose_b}), so the graph holds the checkpoint's tensors unchanged.
 */
final class ClipGraph {
    /** Signature keys and tensor names of the SavedModels this backend writes. */
    static final String IMAGE_SIGNATURE = "encode_image";
    static final String TEXT_SIGNATURE = "encode_text";
    static final String IMAGE_INPUT = "image";
    static final String TEXT_INPUT = "text";
    static final String OUTPUT = "embedding";
    /** The image tower's prefix in a CLIP state dict. */
    static final String VISUAL = "visual.";

    private final Ops tf;
    private final GraphParams p;

    ClipGraph(Ops tf, GraphParams params) {
        TfRuntime.ensureNativeDefaults();
        this.tf = tf;
        this.p = params;
    }

    /**
     * Adds the towers with placeholders and returns their signatures: {@value #IMAGE_SIGNATURE} ({@code image}
     * float32 {@code [N,3,S,S]} → {@code embedding} {@code [N,E]}) and, when {@code withText},
     * {@value #TEXT_SIGNATURE} ({@code text} int64 {@code [N,context]} → {@code embedding}).
     */
    List<Signature> signatures(ClipArchitecture arch, boolean withText) {
        List<Signature> out = new ArrayList<>();
        int size = arch.imageResolution();
        Placeholder<TFloat32> image = tf.withName(IMAGE_INPUT).placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(-1, 3, size, size)));
        Operand<TFloat32> imageEmbedding = tf.withName("image_embedding").identity(encodeImage(image, arch));
        out.add(Signature.builder().key(IMAGE_SIGNATURE).input(IMAGE_INPUT, image).output(OUTPUT, imageEmbedding)
                .build());
        if (withText) {
            if (arch.text() == null) {
                throw new IllegalArgumentException(p.checkpoint().source() + ": the checkpoint has no text tower"
                        + " (token_embedding.weight, text_projection)");
            }
            Placeholder<TInt64> text = tf.withName(TEXT_INPUT).placeholder(TInt64.class,
                    Placeholder.shape(Shape.of(-1, arch.text().contextLength())));
            Operand<TFloat32> textEmbedding = tf.withName("text_embedding").identity(encodeText(text, arch.text()));
            out.add(Signature.builder().key(TEXT_SIGNATURE).input(TEXT_INPUT, text).output(OUTPUT, textEmbedding)
                    .build());
        }
        return out;
    }

    Operand<TFloat32> encodeImage(Operand<TFloat32> nchw, ClipArchitecture arch) {
        return imageTop(imageBottom(nchw, arch, 0), arch, 0);
    }

    /**
     * The image tower on NCHW images through its stem and its first {@code end} blocks (in
     * {@link clipbench.checkpoint.ClipBlocks#blocks} order): a ViT's token sequence {@code [N, tokens, width]}
     * (after {@code ln_pre}), a ModifiedResNet's NHWC feature map.
     */
    Operand<TFloat32> imageBottom(Operand<TFloat32> nchw, ClipArchitecture arch, int end) {
        if (arch.vision() instanceof Vit vit) {
            return vitBlocks(vitStem(nchw, VISUAL, vit), VISUAL, vit, 0, end);
        }
        ResNet cfg = (ResNet) arch.vision();
        return bottlenecks(resNetStem(nchw, VISUAL), VISUAL, cfg, 0, end);
    }

    /** The image tower from block {@code start} on, on what {@link #imageBottom} gives for that block, to the embedding. */
    Operand<TFloat32> imageTop(Operand<TFloat32> x, ClipArchitecture arch, int start) {
        if (arch.vision() instanceof Vit vit) {
            return vitHead(vitBlocks(x, VISUAL, vit, start, vit.layers()), VISUAL);
        }
        ResNet cfg = (ResNet) arch.vision();
        return attentionPool(bottlenecks(x, VISUAL, cfg, start, cfg.blocks().size()), VISUAL + "attnpool.", cfg);
    }

    // ------------------------------------------------------------------------------------------------
    // VisionTransformer

    /** OpenAI's {@code VisionTransformer.forward} up to {@code ln_pre}: the token sequence {@code [N, tokens, width]}. */
    private Operand<TFloat32> vitStem(Operand<TFloat32> nchw, String prefix, Vit cfg) {
        int width = cfg.width();
        int tokens = cfg.grid() * cfg.grid() + 1;
        long patch = cfg.patchSize();
        Operand<TFloat32> x = tf.nn.conv2d(nhwc(nchw), hwio(prefix + "conv1.weight"),
                List.of(1L, patch, patch, 1L), "VALID"); // [N, grid, grid, width]
        x = tf.reshape(x, shape(-1, tokens - 1, width)); // row-major patches, as PyTorch's flatten(2).permute
        Operand<TFloat32> cls = tf.math.add(tf.zerosLike(firstToken(x)),
                tf.reshape(p.get(prefix + "class_embedding"), shape(1, 1, width)));
        x = tf.concat(List.of(cls, x), tf.constant(1));
        x = tf.math.add(x, p.get(prefix + "positional_embedding"));
        return layerNorm(x, prefix + "ln_pre.");
    }

    /** Residual attention blocks {@code from} (inclusive) to {@code to} (exclusive) of a ViT. */
    private Operand<TFloat32> vitBlocks(Operand<TFloat32> x, String prefix, Vit cfg, int from, int to) {
        int tokens = cfg.grid() * cfg.grid() + 1;
        for (int i = from; i < to; i++) {
            x = residualAttentionBlock(x, prefix + "transformer.resblocks." + i + ".", tokens, cfg.width(),
                    cfg.heads(), cfg.activation(), null);
        }
        return x;
    }

    /** The class token through {@code ln_post} and {@code proj}. */
    private Operand<TFloat32> vitHead(Operand<TFloat32> x, String prefix) {
        Operand<TFloat32> classToken = tf.gather(x, tf.constant(0), tf.constant(1)); // [N, width]
        return project(layerNorm(classToken, prefix + "ln_post."), prefix + "proj");
    }

    // ------------------------------------------------------------------------------------------------
    // Transformer blocks

    /**
     * OpenAI's {@code ResidualAttentionBlock} on {@code x [N, tokens, width]} (batch first):
     * {@code x + attn(ln_1(x))}, then {@code x + mlp(ln_2(x))} with the tower's activation; {@code mask} is
     * added to the attention scores ({@code [tokens, tokens]}, or null).
     */
    Operand<TFloat32> residualAttentionBlock(Operand<TFloat32> x, String prefix, int tokens, int width, int heads,
                                             Activation activation, Operand<TFloat32> mask) {
        Operand<TFloat32> h = layerNorm(x, prefix + "ln_1.");
        Operand<TFloat32> qkv = linear(h, prefix + "attn.in_proj_weight", prefix + "attn.in_proj_bias");
        Split<TFloat32> parts = tf.split(tf.constant(2), qkv, 3L);
        Operand<TFloat32> a = attention(parts.output().get(0), parts.output().get(1), parts.output().get(2),
                tokens, tokens, width, heads, mask);
        x = tf.math.add(x, linear(a, prefix + "attn.out_proj.weight", prefix + "attn.out_proj.bias"));
        h = layerNorm(x, prefix + "ln_2.");
        h = activate(linear(h, prefix + "mlp.c_fc.weight", prefix + "mlp.c_fc.bias"), activation);
        return tf.math.add(x, linear(h, prefix + "mlp.c_proj.weight", prefix + "mlp.c_proj.bias"));
    }

    /**
     * Scaled dot-product attention over projected {@code q [N, qTokens, width]}, {@code k, v [N, kTokens,
     * width]}, as torch's {@code multi_head_attention_forward}: per head, {@code softmax(q / sqrt(d) k^T +
     * mask) v}; heads merged back to {@code [N, qTokens, width]} (before the output projection).
     */
    private Operand<TFloat32> attention(Operand<TFloat32> q, Operand<TFloat32> k, Operand<TFloat32> v, int qTokens,
                                        int kTokens, int width, int heads, Operand<TFloat32> mask) {
        int headDim = width / heads;
        Operand<TFloat32> qh = tf.math.div(splitHeads(q, qTokens, heads, headDim),
                tf.constant((float) Math.sqrt(headDim)));
        Operand<TFloat32> scores = tf.train.batchMatMul(qh, splitHeads(k, kTokens, heads, headDim), TFloat32.class,
                BatchMatMul.adjY(true)); // [N, heads, qTokens, kTokens]
        if (mask != null) {
            scores = tf.math.add(scores, mask);
        }
        Operand<TFloat32> context = tf.train.batchMatMul(tf.nn.softmax(scores),
                splitHeads(v, kTokens, heads, headDim), TFloat32.class);
        context = tf.linalg.transpose(context, tf.constant(new int[] {0, 2, 1, 3}));
        return tf.reshape(context, shape(-1, qTokens, width));
    }

    private Operand<TFloat32> splitHeads(Operand<TFloat32> x, int tokens, int heads, int headDim) {
        return tf.linalg.transpose(tf.reshape(x, shape(-1, tokens, heads, headDim)),
                tf.constant(new int[] {0, 2, 1, 3}));
    }

    /**
     * {@code x W^T + b} on the last axis of {@code x [N, tokens, in]}, W being PyTorch's {@code [out, in]}.
     * BatchMatMul makes one small product per sample: a single {@code [N*tokens, in]} product lets the CPU
     * kernel (and so the summation order) change with the batch size, and rows with it.
     */
    private Operand<TFloat32> linear(Operand<TFloat32> x, String weight, String bias) {
        return tf.math.add(tf.train.batchMatMul(x, p.get(weight), TFloat32.class, BatchMatMul.adjY(true)),
                p.get(bias));
    }

    /** {@code x [N, width] @ projection [width, out]}, one product per sample like {@link #linear}. */
    private Operand<TFloat32> project(Operand<TFloat32> x, String projection) {
        Operand<TFloat32> y = tf.train.batchMatMul(tf.expandDims(x, tf.constant(1)), p.get(projection),
                TFloat32.class);
        return tf.reshape(y, shape(-1, p.shape(projection)[1]));
    }

    /** PyTorch's LayerNorm over the last axis (biased variance, eps 1e-5), in float32. */
    private Operand<TFloat32> layerNorm(Operand<TFloat32> x, String prefix) {
        Operand<TInt32> axis = tf.constant(-1);
        Operand<TFloat32> centered = tf.math.sub(x, tf.math.mean(x, axis, Mean.keepDims(true)));
        Operand<TFloat32> variance = tf.math.mean(tf.math.square(centered), axis, Mean.keepDims(true));
        Operand<TFloat32> normalised = tf.math.mul(centered,
                tf.math.rsqrt(tf.math.add(variance, tf.constant(LAYER_NORM_EPS))));
        return tf.math.add(tf.math.mul(normalised, p.get(prefix + "weight")), p.get(prefix + "bias"));
    }

    /** OpenAI's QuickGELU {@code x·σ(1.702x)}, or exact GELU {@code x·Φ(x)} (torch's default, erf form). */
    private Operand<TFloat32> activate(Operand<TFloat32> x, Activation activation) {
        if (activation == Activation.GELU) {
            Operand<TFloat32> phi = tf.math.mul(tf.constant(0.5f),
                    tf.math.add(tf.constant(1f), tf.math.erf(tf.math.mul(x, tf.constant((float) (1 / Math.sqrt(2)))))));
            return tf.math.mul(x, phi);
        }
        return tf.math.mul(x, tf.math.sigmoid(tf.math.mul(x, tf.constant(QUICK_GELU_SCALE))));
    }

    // ------------------------------------------------------------------------------------------------
    // ModifiedResNet

    /** OpenAI's {@code ModifiedResNet.forward} up to the first stage: 3-conv stem and AvgPool, NHWC. */
    private Operand<TFloat32> resNetStem(Operand<TFloat32> nchw, String prefix) {
        Operand<TFloat32> x = nhwc(nchw);
        x = tf.nn.relu(batchNorm(conv(x, prefix + "conv1.weight", 2), prefix + "bn1."));
        x = tf.nn.relu(batchNorm(conv(x, prefix + "conv2.weight", 1), prefix + "bn2."));
        x = tf.nn.relu(batchNorm(conv(x, prefix + "conv3.weight", 1), prefix + "bn3."));
        return avgPool(x, 2);
    }

    /** Bottlenecks {@code from} (inclusive) to {@code to} (exclusive) of the four stages, in order. */
    private Operand<TFloat32> bottlenecks(Operand<TFloat32> x, String prefix, ResNet cfg, int from, int to) {
        for (ResNet.Block block : cfg.blocks().subList(from, to)) {
            x = bottleneck(x, prefix + block.prefix(), block.stride());
        }
        return x;
    }

    /**
     * OpenAI's anti-aliased Bottleneck: 1x1, 3x3, (AvgPool(stride)), 1x1 convs with BN; the shortcut, when
     * the block has a {@code downsample}, is AvgPool(stride) + 1x1 conv + BN.
     */
    private Operand<TFloat32> bottleneck(Operand<TFloat32> x, String prefix, int stride) {
        Operand<TFloat32> out = tf.nn.relu(batchNorm(conv(x, prefix + "conv1.weight", 1), prefix + "bn1."));
        out = tf.nn.relu(batchNorm(conv(out, prefix + "conv2.weight", 1), prefix + "bn2."));
        out = avgPool(out, stride);
        out = batchNorm(conv(out, prefix + "conv3.weight", 1), prefix + "bn3.");
        Operand<TFloat32> identity = x;
        if (p.has(prefix + "downsample.0.weight")) {
            identity = batchNorm(conv(avgPool(x, stride), prefix + "downsample.0.weight", 1),
                    prefix + "downsample.1.");
        }
        return tf.nn.relu(tf.math.add(out, identity));
    }

    /**
     * OpenAI's AttentionPool2d: the spatial tokens plus their mean in front, with a positional embedding;
     * the mean token alone queries all tokens (q/k/v projections), then {@code c_proj}.
     */
    private Operand<TFloat32> attentionPool(Operand<TFloat32> x, String prefix, ResNet cfg) {
        long[] pos = p.shape(prefix + "positional_embedding");
        int tokens = (int) pos[0];
        int width = (int) pos[1];
        x = tf.reshape(x, shape(-1, tokens - 1, width)); // NHWC -> [N, HW, C], row-major as PyTorch's flatten
        x = tf.concat(List.of(tf.math.mean(x, tf.constant(1), Mean.keepDims(true)), x), tf.constant(1));
        x = tf.math.add(x, p.get(prefix + "positional_embedding"));
        Operand<TFloat32> q = linear(firstToken(x), prefix + "q_proj.weight", prefix + "q_proj.bias");
        Operand<TFloat32> k = linear(x, prefix + "k_proj.weight", prefix + "k_proj.bias");
        Operand<TFloat32> v = linear(x, prefix + "v_proj.weight", prefix + "v_proj.bias");
        Operand<TFloat32> a = attention(q, k, v, 1, tokens, width, cfg.heads(), null);
        Operand<TFloat32> out = linear(a, prefix + "c_proj.weight", prefix + "c_proj.bias");
        return tf.reshape(out, shape(-1, p.shape(prefix + "c_proj.weight")[0]));
    }

    /** Conv2d without bias, PyTorch padding {@code kernel / 2} on every side (zeros), on NHWC. */
    private Operand<TFloat32> conv(Operand<TFloat32> x, String weight, long stride) {
        int pad = (int) p.shape(weight)[2] / 2;
        if (pad > 0) { // int32 paddings: TF's C++ Pad gradient slices with the int32 shape of x
            x = tf.pad(x, tf.constant(new int[][] {{0, 0}, {pad, pad}, {pad, pad}, {0, 0}}), tf.constant(0f));
        }
        return tf.nn.conv2d(x, hwio(weight), List.of(1L, stride, stride, 1L), "VALID");
    }

    /** Eval-mode BatchNorm2d with the running statistics: {@code (x - mean) / sqrt(var + eps) * w + b}. */
    private Operand<TFloat32> batchNorm(Operand<TFloat32> x, String prefix) {
        Operand<TFloat32> scale = tf.math.mul(p.get(prefix + "weight"),
                tf.math.rsqrt(tf.math.add(p.get(prefix + "running_var"), tf.constant(BATCH_NORM_EPS))));
        Operand<TFloat32> shift = tf.math.sub(p.get(prefix + "bias"), tf.math.mul(p.get(prefix + "running_mean"), scale));
        return tf.math.add(tf.math.mul(x, scale), shift);
    }

    /** PyTorch's {@code AvgPool2d(k)} (kernel = stride = k, no padding) on NHWC; identity for k = 1. */
    private Operand<TFloat32> avgPool(Operand<TFloat32> x, long k) {
        return k == 1 ? x : tf.nn.avgPool(x, List.of(1L, k, k, 1L), List.of(1L, k, k, 1L), "VALID");
    }

    // ------------------------------------------------------------------------------------------------
    // Text

    /**
     * OpenAI's {@code CLIP.encode_text}: token + positional embedding, causal transformer, ln_final, the row
     * at the end-of-text token, text_projection. The end-of-text row is the largest id of each sequence
     * ({@code argmax}, OpenAI) or, when the config names an end-of-text id, its first occurrence
     * (transformers' {@code CLIPTextTransformer}).
     */
    Operand<TFloat32> encodeText(Operand<TInt64> tokens, Text cfg) {
        int context = cfg.contextLength();
        Operand<TFloat32> x = tf.gather(p.get("token_embedding.weight"), tokens, tf.constant(0));
        x = tf.math.add(x, p.get("positional_embedding"));
        Operand<TFloat32> mask = tf.withName("causal_mask").constant(cfg.causalMask());
        for (int i = 0; i < cfg.layers(); i++) {
            x = residualAttentionBlock(x, "transformer.resblocks." + i + ".", context, cfg.width(), cfg.heads(),
                    cfg.activation(), mask);
        }
        x = layerNorm(x, "ln_final.");
        Operand<TInt64> eot = tf.math.argMax(cfg.eosTokenId() < 0 ? tokens
                : tf.dtypes.cast(tf.math.equal(tokens, tf.constant((long) cfg.eosTokenId())), TInt32.class),
                tf.constant(1));
        Operand<TFloat32> pooled = tf.gather(x, eot, tf.constant(1), Gather.batchDims(1L)); // [N, width]
        return project(pooled, "text_projection");
    }

    // ------------------------------------------------------------------------------------------------

    /** {@code x[:, :1, :]} of {@code x [N, tokens, width]}; int32 bounds, as TF's C++ Slice gradient needs. */
    private Operand<TFloat32> firstToken(Operand<TFloat32> x) {
        return tf.slice(x, tf.constant(new int[] {0, 0, 0}), tf.constant(new int[] {-1, 1, -1}));
    }

    private Operand<TFloat32> nhwc(Operand<TFloat32> nchw) {
        return tf.linalg.transpose(nchw, tf.constant(new int[] {0, 2, 3, 1}));
    }

    /** A PyTorch conv weight {@code [out, in, kh, kw]} as TF's {@code [kh, kw, in, out]}. */
    private Operand<TFloat32> hwio(String weight) {
        return tf.linalg.transpose(p.get(weight), tf.constant(new int[] {2, 3, 1, 0}));
    }

    private Operand<TInt64> shape(long... dims) {
        return tf.constant(dims);
    }
}
