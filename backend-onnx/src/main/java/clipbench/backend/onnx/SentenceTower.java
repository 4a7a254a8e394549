package clipbench.backend.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sentence-transformers text tower (BERT-style, e.g. all-MiniLM-L6-v2): texts are tokenized with the model's own
 * {@code tokenizer.json} (Hugging Face tokenizers through DJL, offline), truncated to {@code maxTokens} including
 * [CLS] and [SEP], padded to the batch's longest row; the ONNX model's token embeddings {@code [n, tokens, dim]}
 * are mean-pooled over the attention mask and L2-normalised, as sentence-transformers' Pooling (mean) and
 * Normalize modules do.
 */
final class SentenceTower implements AutoCloseable {
    static final String IDS = "input_ids";
    static final String MASK = "attention_mask";
    static final String TYPES = "token_type_ids";

    private final OrtEnvironment env;
    private final Path file;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final String output;
    private final boolean takesTypes;
    final int dim;

    private SentenceTower(OrtEnvironment env, Path file, OrtSession session, HuggingFaceTokenizer tokenizer)
            throws IOException {
        this.env = env;
        this.file = file;
        this.session = session;
        this.tokenizer = tokenizer;
        Map<String, NodeInfo> inputs = OnnxTower.info(file, session, true);
        Set<OnnxJavaType> int64 = Set.of(OnnxJavaType.INT64);
        boolean fits = inputs.size() >= 2 && inputs.size() <= 3
                && inputs.keySet().stream().allMatch(n -> List.of(IDS, MASK, TYPES).contains(n)
                && OnnxTower.tensor(inputs.get(n), 2, int64) != null)
                && inputs.containsKey(IDS) && inputs.containsKey(MASK);
        if (!fits) {
            throw new IOException(file + ": expected int64 [batch, tokens] inputs '" + IDS + "' and '" + MASK
                    + "' (and optionally '" + TYPES + "'), found " + OnnxTower.describe(inputs));
        }
        this.takesTypes = inputs.containsKey(TYPES);
        Map<String, NodeInfo> outputs = OnnxTower.info(file, session, false);
        NodeInfo tokens = outputs.values().stream()
                .filter(n -> OnnxTower.tensor(n, 3, Set.of(OnnxJavaType.FLOAT)) != null).findFirst()
                .orElseThrow(() -> new IOException(file + ": no token embedding output: expected a float [batch,"
                        + " tokens, dim] output (last_hidden_state), found " + OnnxTower.describe(outputs)));
        this.output = tokens.getName();
        this.dim = (int) ((TensorInfo) tokens.getInfo()).getShape()[2];
    }

    /** The model's tower with this tokenizer; both are closed when the model's inputs or outputs do not fit. */
    static SentenceTower open(OrtEnvironment env, Path file, OrtSession session, HuggingFaceTokenizer tokenizer)
            throws IOException {
        try {
            return new SentenceTower(env, file, session, tokenizer);
        } catch (IOException | RuntimeException e) {
            tokenizer.close();
            OrtSessions.closeQuietly(session, e);
            throw e;
        }
    }

    /** The tokenizer of {@code tokenizer.json}: special tokens added, truncation at {@code maxTokens}, no padding. */
    static HuggingFaceTokenizer tokenizer(Path tokenizerJson, int maxTokens) throws IOException {
        if (!java.nio.file.Files.isRegularFile(tokenizerJson)) {
            throw new NoSuchFileException(tokenizerJson.toString(), null,
                    "tokenizer file not found (the Hugging Face tokenizer.json of this text tower)");
        }
        // never let DJL reach for the network (its native library is in the jar)
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        try {
            return HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerJson).optAddSpecialTokens(true)
                    .optTruncation(true).optMaxLength(maxTokens).optPadding(false).build();
        } catch (RuntimeException e) {
            throw new IOException(tokenizerJson + ": Hugging Face tokenizers cannot read it: " + e.getMessage(), e);
        }
    }

    /** Token ids, attention mask and token types of a batch, padded with 0 to its longest row. */
    record Batch(int rows, int tokens, long[] ids, long[] mask, long[] types) {
        static Batch of(Encoding[] encodings) {
            int tokens = 0;
            for (Encoding e : encodings) {
                tokens = Math.max(tokens, e.getIds().length);
            }
            int n = encodings.length;
            long[] ids = new long[n * tokens];
            long[] mask = new long[n * tokens];
            long[] types = new long[n * tokens];
            for (int i = 0; i < n; i++) {
                Encoding e = encodings[i];
                System.arraycopy(e.getIds(), 0, ids, i * tokens, e.getIds().length);
                System.arraycopy(e.getAttentionMask(), 0, mask, i * tokens, e.getAttentionMask().length);
                System.arraycopy(e.getTypeIds(), 0, types, i * tokens, e.getTypeIds().length);
            }
            return new Batch(n, tokens, ids, mask, types);
        }
    }

    Batch tokenize(List<String> texts) {
        return Batch.of(tokenizer.batchEncode(texts));
    }

    /** Normalised sentence embeddings, one row per text. */
    float[][] embed(List<String> texts) {
        if (texts.isEmpty()) {
            return new float[0][];
        }
        return embed(tokenize(texts));
    }

    float[][] embed(Batch batch) {
        long[] dims = {batch.rows(), batch.tokens()};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(batch.ids()), dims));
            inputs.put(MASK, OnnxTensor.createTensor(env, LongBuffer.wrap(batch.mask()), dims));
            if (takesTypes) {
                inputs.put(TYPES, OnnxTensor.createTensor(env, LongBuffer.wrap(batch.types()), dims));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(output))) {
                return meanPoolNormalised((float[][][]) result.get(0).getValue(), batch);
            }
        } catch (OrtException e) {
            throw new IllegalStateException(file + ": ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * sentence-transformers' mean pooling (sum of masked token vectors / max(mask count, 1e-9)) followed by
     * {@code F.normalize} (divide by max(norm, 1e-12)).
     */
    static float[][] meanPoolNormalised(float[][][] tokens, Batch batch) {
        float[][] out = new float[batch.rows()][];
        for (int i = 0; i < batch.rows(); i++) {
            int width = tokens[i][0].length;
            double[] sum = new double[width];
            double count = 0;
            for (int t = 0; t < batch.tokens(); t++) {
                long m = batch.mask()[i * batch.tokens() + t];
                if (m != 0) {
                    count += m;
                    for (int d = 0; d < width; d++) {
                        sum[d] += m * tokens[i][t][d];
                    }
                }
            }
            double norm = 0;
            for (int d = 0; d < width; d++) {
                sum[d] /= Math.max(count, 1e-9);
                norm += sum[d] * sum[d];
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            out[i] = new float[width];
            for (int d = 0; d < width; d++) {
                out[i][d] = (float) (sum[d] / norm);
            }
        }
        return out;
    }

    String source() {
        return file + ": output '" + output + "' mean-pooled";
    }

    @Override
    public void close() {
        try {
            tokenizer.close();
        } finally {
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException(file + ": closing the ONNX session failed: " + e.getMessage(), e);
            }
        }
    }
}
