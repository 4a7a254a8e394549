package clipbench.backend.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The text tower: an int64 or int32 {@code [batch, context]} token input (any name) and, in Hugging Face
 * exports, an {@code attention_mask} input of the same shape.
 */
final class TextTower extends OnnxTower<int[][]> {
    static final List<String> OUTPUTS = List.of("embedding", "text_embeds", "embeds");
    static final String MASK = "attention_mask";
    private static final Set<OnnxJavaType> INTS = Set.of(OnnxJavaType.INT64, OnnxJavaType.INT32);

    private final OrtEnvironment env;
    private final String ids;
    private final OnnxJavaType idsType;
    /** Null when the model takes no mask. */
    private final OnnxJavaType maskType;
    private final long batch;
    /** Ids per row; 0 when neither the model nor the card fixes it. */
    final int contextLength;

    TextTower(OrtEnvironment env, Path file, OrtSession session, int cardContextLength) throws IOException {
        super(file, session, OUTPUTS);
        this.env = env;
        Map<String, NodeInfo> inputs = info(file, session, true);
        NodeInfo mask = inputs.get(MASK) != null && tensor(inputs.get(MASK), 2, INTS) != null
                ? inputs.get(MASK) : null;
        List<NodeInfo> tokens = inputs.values().stream()
                .filter(n -> n != mask && tensor(n, 2, INTS) != null).toList();
        if (tokens.size() != 1 || inputs.size() != (mask == null ? 1 : 2)) {
            throw new IOException(file + ": expected an int64 or int32 [batch, context] token input (named text,"
                    + " input_ids or input) and at most an '" + MASK + "' besides, found " + describe(inputs));
        }
        this.ids = tokens.get(0).getName();
        this.idsType = tensor(tokens.get(0), 2, INTS).type;
        this.maskType = mask == null ? null : tensor(mask, 2, INTS).type;
        long[] shape = tensor(tokens.get(0), 2, INTS).getShape();
        this.batch = shape[0];
        if (shape[1] > 0 && cardContextLength > 0 && shape[1] != cardContextLength) {
            throw new IOException(file + ": input '" + ids + "' takes " + shape[1]
                    + " tokens but the model card says context_length " + cardContextLength);
        }
        this.contextLength = shape[1] > 0 ? (int) shape[1] : cardContextLength;
    }

    @Override
    public float[][] embed(int[][] tokenIds) {
        int n = tokenIds.length;
        if (n == 0) {
            return new float[0][];
        }
        int length = contextLength > 0 ? contextLength : tokenIds[0].length;
        for (int i = 0; i < n; i++) {
            if (tokenIds[i].length != length) {
                throw new IllegalArgumentException(file + ": token row " + i + " has " + tokenIds[i].length
                        + " ids, the text tower takes " + length);
            }
        }
        if (batch == 1 && n > 1) {
            // exported with a fixed batch of one: run the rows one by one
            float[][] out = new float[n][];
            for (int i = 0; i < n; i++) {
                out[i] = embed(new int[][] {tokenIds[i]})[0];
            }
            return out;
        }
        if (batch > 0 && batch != n) {
            throw new IllegalArgumentException(file + ": input '" + ids + "' takes batches of exactly " + batch
                    + " rows, got " + n);
        }
        int[] flatIds = new int[n * length];
        int[] flatMask = new int[n * length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(tokenIds[i], 0, flatIds, i * length, length);
            Arrays.fill(flatMask, i * length, i * length + maskLength(tokenIds[i]), 1);
        }
        long[] dims = {n, length};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(ids, tensor(flatIds, idsType, dims));
            if (maskType != null) {
                inputs.put(MASK, tensor(flatMask, maskType, dims));
            }
            return run(inputs, n);
        } catch (OrtException e) {
            throw failure(e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * How many leading positions the attention mask covers: up to and including the last non-zero id,
     * the end-of-text token. CLIP pads with 0, but 0 is also a real token ({@code !}), so a 0 before the
     * end of text stays unmasked.
     */
    static int maskLength(int[] row) {
        int last = row.length - 1;
        while (last >= 0 && row[last] == 0) {
            last--;
        }
        return last + 1;
    }

    private OnnxTensor tensor(int[] values, OnnxJavaType type, long[] dims) throws OrtException {
        if (type == OnnxJavaType.INT32) {
            return OnnxTensor.createTensor(env, IntBuffer.wrap(values), dims);
        }
        long[] wide = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            wide[i] = values[i];
        }
        return OnnxTensor.createTensor(env, LongBuffer.wrap(wide), dims);
    }
}
