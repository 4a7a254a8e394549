package clipbench.backend.djl;

import static clipbench.checkpoint.ClipArchitecture.LAYER_NORM_EPS;
import static clipbench.checkpoint.ClipArchitecture.BATCH_NORM_EPS;
import static clipbench.checkpoint.ClipArchitecture.QUICK_GELU_SCALE;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import clipbench.checkpoint.Checkpoint;
import clipbench.checkpoint.ClipArchitecture;
import clipbench.checkpoint.ClipArchitecture.Activation;
import clipbench.checkpoint.ClipArchitecture.ResNet;
import clipbench.checkpoint.ClipArchitecture.Text;
import clipbench.checkpoint.ClipArchitecture.Vit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * OpenAI's CLIP ({@code clip/model.py}) evaluated with libtorch operations from a checkpoint's OpenAI-named
 * weights, so no TorchScript export is needed. The math is backend-tensorflow's {@code ClipGraph} (the reference
 * that passes OpenAI's golden outputs): LayerNorm and BatchNorm eps 1e-5, attention as
 * {@code softmax(q / sqrt(d) k^T + mask) v}, QuickGELU or exact GELU, pooling by argmax or by the first
 * end-of-text id.
 *
 * <p>The weights are read once into float32 arrays in their PyTorch layouts (conv OIHW, linear {@code [out, in]},
 * projections {@code [in, out]}), which libtorch's fused {@code linear}, {@code conv2d}, {@code layer_norm} and
 * {@code batch_norm} take as they are. Like {@link KerasNet}, each call gets its own native memory scope (freed
 * before it returns), runs without autograd on the caller's thread with the net's intra-op thread count, and
 * closes each intermediate once it is used, so memory stays at a few activations. The weights are only read, so
 * calls from several threads may run at once.
 */
final class ClipNet implements AutoCloseable {
    private static final String VISUAL = "visual.";

    /** What the weights came from, for errors. */
    final String source;
    final ai.djl.Device device;
    /** Null for a net of loose weights ({@link #ofWeights}, tests of one block). */
    final ClipArchitecture architecture;
    private final boolean withText;
    final int threads;
    private final NDManager params;
    /** False for a view with replaced weights ({@link #with}), which frees nothing. */
    private final boolean ownsWeights;
    /** In the checkpoint's order. */
    private final Map<String, NDArray> weights = new LinkedHashMap<>();
    /** ViT: {@code class_embedding + positional_embedding[0]} as {@code [1, 1, width]}; else null. */
    private NDArray classToken;
    /** ViT: {@code positional_embedding[1:]}; else null. */
    private NDArray patchPositions;
    /** OpenAI's causal mask {@code [context, context]} (-inf above the diagonal); null without text. */
    private NDArray causalMask;

    private ClipNet(Checkpoint checkpoint, ClipArchitecture arch, boolean withText, ai.djl.Device device,
                    int threads) {
        this.source = checkpoint.source();
        this.architecture = arch;
        this.withText = withText;
        this.device = device;
        this.threads = threads;
        this.ownsWeights = true;
        DjlRuntime.engine();
        this.params = NDManager.newBaseManager(device, DjlRuntime.ENGINE);
        try {
            for (String name : checkpoint.names()) {
                if (arch == null || name.startsWith(VISUAL) || (withText && !name.equals("logit_scale"))) {
                    long[] shape = checkpoint.shape(name);
                    weights.put(name, params.create(checkpoint.floats(name), new Shape(shape)));
                }
            }
            if (arch != null && arch.vision() instanceof Vit vit) {
                prepareVit(checkpoint, vit);
            }
            if (withText) {
                if (arch.text() == null) {
                    throw new IllegalArgumentException(source + ": the checkpoint has no text tower"
                            + " (token_embedding.weight, text_projection)");
                }
                checkText(arch.text());
                causalMask = params.create(arch.text().causalMask());
            }
        } catch (RuntimeException e) {
            params.close();
            throw e;
        }
    }

    private ClipNet(ClipNet base, Map<String, NDArray> replaced) {
        this.source = base.source;
        this.architecture = base.architecture;
        this.withText = false;
        this.device = base.device;
        this.threads = base.threads;
        this.params = base.params;
        this.ownsWeights = false;
        weights.putAll(base.weights);
        weights.putAll(replaced);
        // classToken and patchPositions stay null: the ViT stem derives them from the (replaced) weights per call
    }

    /**
     * A view of this net's image tower with some weights replaced (by name), e.g. by tensors that record gradients:
     * it shares everything else, frees nothing, and lives as long as the call that uses it.
     */
    ClipNet with(Map<String, NDArray> replaced) {
        return new ClipNet(this, replaced);
    }

    /** The checkpoint's tensor names in its order. */
    List<String> weightNames() {
        return List.copyOf(weights.keySet());
    }

    /** A weight's values (a copy) and shape, by its OpenAI name. */
    float[] values(String name) {
        return weight(name).toFloatArray();
    }

    long[] shape(String name) {
        return weight(name).getShape().getShape();
    }

    /**
     * Builds CLIP's image tower (and text tower when {@code withText}) from {@code checkpoint} on {@code device}.
     * Fails naming the checkpoint and the tensor when a weight is missing or has the wrong shape.
     *
     * @param threads libtorch intra-op threads for each call (0: libtorch's default)
     */
    static ClipNet build(Checkpoint checkpoint, ClipArchitecture arch, boolean withText, ai.djl.Device device,
                         int threads) {
        return new ClipNet(checkpoint, arch, withText, device, threads);
    }

    /** Every tensor of {@code checkpoint}, no architecture: for running single blocks ({@link #residualBlock}). */
    static ClipNet ofWeights(Checkpoint checkpoint, ai.djl.Device device) {
        return new ClipNet(checkpoint, null, false, device, 0);
    }

    int embedDim() {
        return architecture.embedDim();
    }

    boolean hasText() {
        return withText;
    }

    /** The ViT's fixed token rows, made once; the shapes every block reads are checked here, by name. */
    private void prepareVit(Checkpoint checkpoint, Vit vit) {
        int width = vit.width();
        int tokens = vit.grid() * vit.grid() + 1;
        require(VISUAL + "conv1.weight", width, 3, vit.patchSize(), vit.patchSize());
        require(VISUAL + "class_embedding", width);
        require(VISUAL + "positional_embedding", tokens, width);
        require(VISUAL + "proj", width, architecture.embedDim());
        checkBlocks(VISUAL + "transformer.resblocks.", vit.layers(), width);
        float[] cls = checkpoint.floats(VISUAL + "class_embedding");
        float[] pos = checkpoint.floats(VISUAL + "positional_embedding");
        float[] first = new float[width];
        for (int i = 0; i < width; i++) {
            first[i] = cls[i] + pos[i]; // as (0 + cls) + pos[0] in ClipGraph: the same float
        }
        classToken = params.create(first, new Shape(1, 1, width));
        patchPositions = params.create(Arrays.copyOfRange(pos, width, pos.length), new Shape(tokens - 1, width));
    }

    private void checkText(Text text) {
        int width = text.width();
        require("token_embedding.weight", text.vocabSize(), width);
        require("positional_embedding", text.contextLength(), width);
        require("text_projection", width, architecture.embedDim());
        checkBlocks("transformer.resblocks.", text.layers(), width);
    }

    private void checkBlocks(String prefix, int layers, int width) {
        for (int i = 0; i < layers; i++) {
            String p = prefix + i + ".";
            require(p + "attn.in_proj_weight", 3L * width, width);
            require(p + "attn.out_proj.weight", width, width);
            require(p + "ln_1.weight", width);
            require(p + "ln_2.weight", width);
            require(p + "mlp.c_fc.weight", -1, width);
            require(p + "mlp.c_proj.weight", width, weight(p + "mlp.c_fc.weight").getShape().get(0));
        }
    }

    /** Fails naming the tensor, the expected and the found shape; -1 leaves a dimension open. */
    private void require(String name, long... expected) {
        long[] found = weight(name).getShape().getShape();
        boolean fits = found.length == expected.length;
        for (int i = 0; fits && i < found.length; i++) {
            fits = expected[i] < 0 || expected[i] == found[i];
        }
        if (!fits) {
            throw new IllegalArgumentException(source + ": tensor '" + name + "' has shape " + Arrays.toString(found)
                    + ", expected " + Arrays.toString(expected).replace("-1", "?") + " for " + architecture);
        }
    }

    private NDArray weight(String name) {
        NDArray w = weights.get(name);
        if (w == null) {
            throw new IllegalArgumentException(source + ": no tensor '" + name + "' in the checkpoint");
        }
        return w;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // calls

    /** Embeds {@code count} NCHW images of {@code size x size}: one row of {@code embed_dim} per image. */
    float[][] embedImages(float[] nchw, int count, int size) {
        return embedBlocks(nchw, count, size, blocks());
    }

    /** The image tower's blocks ({@link clipbench.checkpoint.ClipBlocks#blocks}). */
    int blocks() {
        return architecture.vision() instanceof Vit vit ? vit.layers()
                : ((ResNet) architecture.vision()).blocks().size();
    }

    /**
     * The image tower up to the output of its first {@code blocks} blocks (all of them: the embeddings), one row
     * per image: ViT the token sequence {@code [tokens, width]} (class token first), ModifiedResNet the feature map
     * {@code [channels, height, width]}, flattened row-major.
     */
    float[][] embedBlocks(float[] nchw, int count, int size, int blocks) {
        int s = architecture.imageResolution();
        if (size != s) {
            throw new IllegalArgumentException(source + ": the image tower takes " + s + "x" + s + " images, got "
                    + size + "x" + size);
        }
        if (nchw.length != (long) count * 3 * size * size) {
            throw new IllegalArgumentException(source + ": " + count + " images of 3x" + size + "x" + size + " need "
                    + (long) count * 3 * size * size + " floats, got " + nchw.length);
        }
        return call(scope -> {
            // no copy: the tensor reads this thread's buffer, and the scope frees it before the next call
            NDArray images = architecture.vision() instanceof Vit
                    ? scope.create(DirectInput.current().of(nchw), new Shape(count, 3, size, size), DataType.FLOAT32)
                    // channels-last on the CPU, as KerasNet: oneDNN convolutions and pools skip reordering
                    : DirectInput.current().images(scope, nchw, count, 3, size, size);
            NDArray out = imageTower(images, 0, blocks);
            return blocks == blocks() ? out : then(out, out.reshape(count, -1));
        }, count);
    }

    /**
     * The image tower from the input of block {@code from} (0: the images, through the stem) to the output of block
     * {@code to - 1}, then the head (ViT: {@code ln_post} and {@code proj}; ResNet: the attention pool) when
     * {@code to} is {@link #blocks()}. Runs in the caller's scope and grad mode; takes {@code x} over.
     */
    NDArray imageTower(NDArray x, int from, int to) {
        if (architecture.vision() instanceof Vit vit) {
            if (from == 0) {
                x = vitStem(x, vit);
            }
            for (int i = from; i < to; i++) {
                x = residualAttentionBlock(x, VISUAL + "transformer.resblocks." + i + ".", vit.heads(),
                        vit.activation(), null);
            }
            return to == vit.layers() ? then(x, vitHead(x)) : x;
        }
        ResNet cfg = (ResNet) architecture.vision();
        if (from == 0) {
            x = resNetStem(x);
        }
        for (int i = from; i < to; i++) {
            ResNet.Block block = cfg.blocks().get(i);
            x = then(x, bottleneck(x, VISUAL + block.prefix(), block.stride()));
        }
        return to == cfg.blocks().size() ? then(x, attentionPool(x, VISUAL + "attnpool.", cfg)) : x;
    }

    /** Embeds token rows of the text tower's context length: one row of {@code embed_dim} per sequence. */
    float[][] embedTokens(int[][] tokenIds) {
        Text text = architecture.text();
        int n = tokenIds.length;
        if (n == 0) {
            return new float[0][];
        }
        int context = text.contextLength();
        long[] ids = new long[n * context];
        long[] pooled = new long[n];
        for (int i = 0; i < n; i++) {
            if (tokenIds[i].length != context) {
                throw new IllegalArgumentException(source + ": token row " + i + " has " + tokenIds[i].length
                        + " ids, the text tower takes " + context);
            }
            for (int j = 0; j < context; j++) {
                ids[i * context + j] = tokenIds[i][j];
            }
            pooled[i] = (long) i * context + poolIndex(tokenIds[i], text.eosTokenId());
        }
        return call(scope -> encodeText(scope, scope.create(DirectInput.current().of(ids), new Shape(n, context),
                DataType.INT64), pooled, text), n);
    }

    /**
     * The position whose row a sequence is pooled at: the first largest id (OpenAI's {@code argmax}), or the first
     * {@code eosTokenId} (transformers; 0 when absent, as {@code argmax} of an all-false row).
     */
    static int poolIndex(int[] ids, int eosTokenId) {
        int best = 0;
        for (int j = 0; j < ids.length; j++) {
            if (eosTokenId >= 0 ? ids[j] == eosTokenId : ids[j] > ids[best]) {
                if (eosTokenId >= 0) {
                    return j;
                }
                best = j;
            }
        }
        return eosTokenId >= 0 ? 0 : best;
    }

    /** Runs {@code body} in a fresh scope without autograd, returning its {@code [n, d]} output as rows. */
    private float[][] call(Function<NDManager, NDArray> body, int n) {
        DjlRuntime.useThreads(threads);
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scope = params.newSubManager(device)) {
            NDArray out = body.apply(scope);
            int d = (int) out.getShape().get(1);
            float[] flat = out.toFloatArray();
            float[][] rows = new float[n][];
            for (int i = 0; i < n; i++) {
                rows[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
            }
            return rows;
        } catch (ai.djl.engine.EngineException e) {
            throw new IllegalStateException(source + ": PyTorch failed: " + TorchModule.pytorchMessage(e), e);
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /** A golden-test entry: one residual attention block on {@code x [n, tokens, width]} (no mask). */
    float[] residualBlock(float[] x, Shape shape, String prefix, int heads, Activation activation) {
        return call(scope -> residualAttentionBlock(scope.create(x, shape), prefix, heads, activation, null)
                .reshape(shape.get(0), -1), (int) shape.get(0))[0];
    }

    // ---------------------------------------------------------------------------------------------------------------
    // VisionTransformer

    /** OpenAI's {@code VisionTransformer.forward} up to the blocks: patches, class token, positions, ln_pre. */
    private NDArray vitStem(NDArray images, Vit cfg) {
        int width = cfg.width();
        long n = images.getShape().get(0);
        int patches = cfg.grid() * cfg.grid();
        NDArray conv = Conv2d.conv2d(images, weight(VISUAL + "conv1.weight"), null,
                new Shape(cfg.patchSize(), cfg.patchSize())).singletonOrThrow(); // [n, width, grid, grid]
        NDArray x;
        boolean derived = classToken == null; // a view with replaced weights: the rows come from them, per call
        NDArray positions = weight(VISUAL + "positional_embedding");
        NDArray patchRows = derived ? positions.get("1:") : patchPositions;
        NDArray clsRow = derived ? weight(VISUAL + "class_embedding").add(positions.get("0")).reshape(1, 1, width)
                : classToken;
        if (derived) { // made from weights, they belong to the call
            patchRows.attach(images.getManager());
            clsRow.attach(images.getManager());
        }
        try (NDArray flat = conv.reshape(n, width, patches); NDArray rows = flat.transpose(0, 2, 1)) {
            x = rows.add(patchRows); // [n, grid², width], row-major patches as flatten(2).permute
        }
        conv.close();
        try (NDArray cls = clsRow.broadcast(n, 1, width)) {
            NDArray joined = NDArrays.concat(new NDList(cls, x), 1);
            joined.attach(x.getManager()); // the concatenation of a weight's view belongs to the call, not the net
            x.close();
            x = joined;
        }
        return then(x, layerNorm(x, VISUAL + "ln_pre."));
    }

    /** OpenAI's {@code VisionTransformer.forward} after the blocks: ln_post of the class token, proj. */
    private NDArray vitHead(NDArray x) {
        try (NDArray first = x.get(":, 0, :"); NDArray normed = layerNorm(first, VISUAL + "ln_post.")) {
            return normed.matMul(weight(VISUAL + "proj"));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Transformer blocks

    /**
     * OpenAI's {@code ResidualAttentionBlock} on {@code x [n, tokens, width]} (batch first, which attention per
     * sample allows): {@code x + attn(ln_1(x))}, then {@code x + mlp(ln_2(x))}. Takes {@code x} over (adds in
     * place) and returns it.
     */
    private NDArray residualAttentionBlock(NDArray x, String prefix, int heads, Activation activation,
                                           NDArray mask) {
        try (NDArray h = layerNorm(x, prefix + "ln_1.");
             NDArray qkv = linear(h, prefix + "attn.in_proj_weight", prefix + "attn.in_proj_bias")) {
            NDList parts = qkv.split(3, 2);
            try (NDArray a = attention(parts.get(0), parts.get(1), parts.get(2), heads, mask);
                 NDArray out = linear(a, prefix + "attn.out_proj.weight", prefix + "attn.out_proj.bias")) {
                x = plus(x, out);
            } finally {
                parts.close();
            }
        }
        try (NDArray h = layerNorm(x, prefix + "ln_2.");
             NDArray fc = linear(h, prefix + "mlp.c_fc.weight", prefix + "mlp.c_fc.bias");
             NDArray act = activate(fc, activation);
             NDArray out = linear(act, prefix + "mlp.c_proj.weight", prefix + "mlp.c_proj.bias")) {
            return plus(x, out);
        }
    }

    /**
     * Scaled dot-product attention over projected {@code q [n, qTokens, width]}, {@code k, v [n, kTokens, width]}:
     * per head {@code softmax(q / sqrt(d) k^T + mask) v}, heads merged back to {@code [n, qTokens, width]}.
     */
    private static NDArray attention(NDArray q, NDArray k, NDArray v, int heads, NDArray mask) {
        long n = q.getShape().get(0);
        long qTokens = q.getShape().get(1);
        long width = q.getShape().get(2);
        long headDim = width / heads;
        NDArray scores;
        try (NDArray qh = splitHeads(q, heads); NDArray scaled = qh.div((float) Math.sqrt(headDim));
             NDArray kh = splitHeads(k, heads); NDArray kt = kh.transpose(0, 1, 3, 2)) {
            scores = scaled.matMul(kt); // [n, heads, qTokens, kTokens]
        }
        if (mask != null) {
            scores = plus(scores, mask);
        }
        try (NDArray weights = scores.softmax(-1); NDArray vh = splitHeads(v, heads);
             NDArray context = weights.matMul(vh); NDArray merged = context.transpose(0, 2, 1, 3)) {
            scores.close();
            return merged.reshape(n, qTokens, width);
        }
    }

    /** {@code [n, tokens, width]} as {@code [n, heads, tokens, width / heads]} (a view when it can be). */
    private static NDArray splitHeads(NDArray x, int heads) {
        Shape s = x.getShape();
        try (NDArray split = x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads)) {
            return split.transpose(0, 2, 1, 3);
        }
    }

    /** libtorch's fused {@code linear}: {@code x W^T + b} with PyTorch's {@code [out, in]} weight. */
    private NDArray linear(NDArray x, String weight, String bias) {
        return Linear.linear(x, weight(weight), weight(bias)).singletonOrThrow();
    }

    /** PyTorch's LayerNorm over the last axis (eps 1e-5). */
    private NDArray layerNorm(NDArray x, String prefix) {
        NDArray gamma = weight(prefix + "weight");
        return LayerNorm.layerNorm(x, gamma.getShape(), gamma, weight(prefix + "bias"), LAYER_NORM_EPS)
                .singletonOrThrow();
    }

    /** OpenAI's QuickGELU {@code x·σ(1.702x)}, or exact GELU {@code x·Φ(x)} (libtorch's default, erf form). */
    private static NDArray activate(NDArray x, Activation activation) {
        if (activation == Activation.GELU) {
            return JniUtils.gelu((PtNDArray) x);
        }
        try (NDArray scaled = x.mul(QUICK_GELU_SCALE); NDArray gate = ai.djl.nn.Activation.sigmoid(scaled)) {
            return gate.mul(x);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // ModifiedResNet

    /** OpenAI's {@code ModifiedResNet.forward} up to the Bottlenecks: the 3-conv stem and its average pool. */
    private NDArray resNetStem(NDArray images) {
        NDArray x = then(images, convBnRelu(images, VISUAL + "conv1.weight", VISUAL + "bn1.", 2));
        x = then(x, convBnRelu(x, VISUAL + "conv2.weight", VISUAL + "bn2.", 1));
        x = then(x, convBnRelu(x, VISUAL + "conv3.weight", VISUAL + "bn3.", 1));
        return then(x, avgPool(x, 2));
    }

    /**
     * OpenAI's anti-aliased Bottleneck: 1x1, 3x3, (AvgPool(stride)), 1x1 convs with BN; the shortcut, when the
     * block has a {@code downsample}, is AvgPool(stride) + 1x1 conv + BN.
     */
    private NDArray bottleneck(NDArray x, String prefix, int stride) {
        NDArray out = convBnRelu(x, prefix + "conv1.weight", prefix + "bn1.", 1);
        out = then(out, convBnRelu(out, prefix + "conv2.weight", prefix + "bn2.", 1));
        if (stride > 1) {
            out = then(out, avgPool(out, stride));
        }
        out = then(out, batchNorm(out, prefix + "conv3.weight", prefix + "bn3."));
        if (weights.containsKey(prefix + "downsample.0.weight")) {
            NDArray pooled = stride > 1 ? avgPool(x, stride) : x;
            try (NDArray identity = batchNorm(pooled, prefix + "downsample.0.weight", prefix + "downsample.1.")) {
                out = plus(out, identity);
            } finally {
                if (pooled != x) {
                    pooled.close();
                }
            }
        } else {
            out = plus(out, x);
        }
        return then(out, ai.djl.nn.Activation.relu(out));
    }

    /** Conv (no bias, padding kernel / 2), eval-mode BatchNorm, ReLU. */
    private NDArray convBnRelu(NDArray x, String conv, String bn, int stride) {
        try (NDArray y = batchNorm(x, conv, bn, stride)) {
            return ai.djl.nn.Activation.relu(y);
        }
    }

    private NDArray batchNorm(NDArray x, String conv, String bn) {
        return batchNorm(x, conv, bn, 1);
    }

    /** Conv2d without bias (PyTorch padding {@code kernel / 2} on every side) then eval-mode BatchNorm2d. */
    private NDArray batchNorm(NDArray x, String conv, String bn, int stride) {
        NDArray w = weight(conv);
        long pad = w.getShape().get(2) / 2;
        try (NDArray y = Conv2d.conv2d(x, w, null, new Shape(stride, stride), new Shape(pad, pad))
                .singletonOrThrow()) {
            return BatchNorm.batchNorm(y, weight(bn + "running_mean"), weight(bn + "running_var"),
                    weight(bn + "weight"), weight(bn + "bias"), 1, 0.1f, BATCH_NORM_EPS, false).singletonOrThrow();
        }
    }

    /** PyTorch's {@code AvgPool2d(k)} (kernel = stride = k, no padding). */
    private static NDArray avgPool(NDArray x, int k) {
        return Pool.avgPool2d(x, new Shape(k, k), new Shape(k, k), new Shape(0, 0), false, true);
    }

    /**
     * OpenAI's AttentionPool2d: the spatial tokens plus their mean in front, with a positional embedding; the mean
     * token alone queries all tokens (q/k/v projections), then {@code c_proj}.
     */
    private NDArray attentionPool(NDArray features, String prefix, ResNet cfg) {
        Shape s = features.getShape();
        long n = s.get(0);
        long channels = s.get(1);
        NDArray x;
        try (NDArray flat = features.reshape(n, channels, s.get(2) * s.get(3));
             NDArray rows = flat.transpose(0, 2, 1); NDArray mean = rows.mean(new int[] {1}, true)) {
            x = NDArrays.concat(new NDList(mean, rows), 1); // [n, hw + 1, c]
        }
        x = plus(x, weight(prefix + "positional_embedding"));
        try (NDArray first = x.get(":, :1, :");
             NDArray q = linear(first, prefix + "q_proj.weight", prefix + "q_proj.bias");
             NDArray k = linear(x, prefix + "k_proj.weight", prefix + "k_proj.bias");
             NDArray v = linear(x, prefix + "v_proj.weight", prefix + "v_proj.bias");
             NDArray a = attention(q, k, v, cfg.heads(), null);
             NDArray out = linear(a, prefix + "c_proj.weight", prefix + "c_proj.bias")) {
            x.close();
            return out.reshape(n, -1);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Text

    /**
     * OpenAI's {@code CLIP.encode_text}: token + positional embedding, causal transformer, ln_final, the row at
     * {@code pooled} (flat indices {@code i * context + position}), text_projection.
     */
    private NDArray encodeText(NDManager scope, NDArray ids, long[] pooled, Text cfg) {
        NDArray x = JniUtils.embedding((PtNDArray) ids, (PtNDArray) weight("token_embedding.weight"), false);
        ids.close();
        x.addi(weight("positional_embedding"));
        for (int i = 0; i < cfg.layers(); i++) {
            x = residualAttentionBlock(x, "transformer.resblocks." + i + ".", cfg.heads(), cfg.activation(),
                    causalMask);
        }
        x = then(x, layerNorm(x, "ln_final."));
        try (NDArray flat = x.reshape(-1, cfg.width()); NDArray at = scope.create(pooled);
             NDArray rows = JniUtils.embedding((PtNDArray) at, (PtNDArray) flat, false)) {
            x.close();
            return rows.matMul(weight("text_projection"));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * {@code x + y}, taking {@code x} over: in place at inference; a new array (closing {@code x}) while autograd
     * records, which must keep the inputs it saved unchanged.
     */
    private static NDArray plus(NDArray x, NDArray y) {
        return JniUtils.isGradMode() ? then(x, x.add(y)) : x.addi(y);
    }

    /** {@code next}, closing {@code used} (an intermediate nothing reads any more). */
    private static NDArray then(NDArray used, NDArray next) {
        if (used != next) {
            used.close();
        }
        return next;
    }

    /** Native arrays held by the net's weights (for leak tests): constant once built. */
    int liveArrays() {
        return ((ai.djl.ndarray.BaseNDManager) params).getManagedArrays().size();
    }

    @Override
    public void close() {
        if (ownsWeights) {
            params.close();
        }
    }
}
