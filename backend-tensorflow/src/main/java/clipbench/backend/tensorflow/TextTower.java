package clipbench.backend.tensorflow;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Signature;
import org.tensorflow.Signature.TensorDescription;
import org.tensorflow.Tensor;
import org.tensorflow.proto.DataType;

/**
 * The text tower: our {@value ClipGraph#TEXT_SIGNATURE} signature (one int64 or int32 {@code [N, context]}
 * input, output {@value ClipGraph#OUTPUT}), or Hugging Face's {@code serving_default} ({@code input_ids} and
 * {@code attention_mask} in, {@code text_embeds} out; a black image is fed to its {@code pixel_values}).
 */
final class TextTower extends TfTower<int[][]> {
    private final String ids;
    private final DataType idsType;
    /** Null when the signature takes no mask. */
    private final DataType maskType;
    final int contextLength;
    /** For the HF signature: the image size of the black image fed beside the text; 0 otherwise. */
    private final int dummyImageSize;

    private TextTower(TfModel model, String key, String ids, DataType maskType, String output, int contextLength,
                      int dummyImageSize) {
        super(model, key, output);
        this.ids = ids;
        this.idsType = input(ids).dataType;
        this.maskType = maskType;
        this.contextLength = contextLength;
        this.dummyImageSize = dummyImageSize;
    }

    /** The text signature of a model, or null when it has none. */
    static TextTower find(TfModel model, int cardContextLength, int imageSize) throws IOException {
        var ours = model.functions.get(ClipGraph.TEXT_SIGNATURE);
        var hf = model.functions.get(HF_SIGNATURE);
        if (ours != null) {
            Map<String, TensorDescription> inputs = ours.signature().getInputs();
            List<String> tokens = inputs.keySet().stream().filter(n -> isInt(inputs.get(n), 2)).toList();
            if (tokens.size() != 1 || inputs.size() != 1
                    || !isFloat(ours.signature().getOutputs().get(ClipGraph.OUTPUT), 2)) {
                throw new IOException(model.source + ": signature '" + ClipGraph.TEXT_SIGNATURE + "' should take one"
                        + " int64 [N, context] input ('" + ClipGraph.TEXT_INPUT + "') and give a float [N,E] '"
                        + ClipGraph.OUTPUT + "'; found " + model.describe());
            }
            String name = tokens.get(0);
            return new TextTower(model, ClipGraph.TEXT_SIGNATURE, name, null, ClipGraph.OUTPUT,
                    context(model, ClipGraph.TEXT_SIGNATURE, name, inputs.get(name), cardContextLength), 0);
        }
        if (hf != null && isInt(hf.signature().getInputs().get(HF_IDS), 2)
                && isFloat(hf.signature().getOutputs().get(HF_TEXT_OUT), 2)) {
            Map<String, TensorDescription> inputs = hf.signature().getInputs();
            TensorDescription mask = inputs.get(HF_MASK);
            return new TextTower(model, HF_SIGNATURE, HF_IDS, isInt(mask, 2) ? mask.dataType : null, HF_TEXT_OUT,
                    context(model, HF_SIGNATURE, HF_IDS, inputs.get(HF_IDS), cardContextLength), imageSize);
        }
        return null;
    }

    private static int context(TfModel model, String key, String name, TensorDescription ids, int card)
            throws IOException {
        long fixed = ids.shape.get(1);
        if (fixed > 0 && card > 0 && fixed != card) {
            throw new IOException(model.source + " [" + key + "]: input '" + name + "' takes " + fixed
                    + " tokens but the model card says context_length " + card);
        }
        return fixed > 0 ? (int) fixed : card;
    }

    @Override
    public float[][] embed(int[][] tokenIds) {
        int n = tokenIds.length;
        if (n == 0) {
            return new float[0][];
        }
        int length = contextLength > 0 ? contextLength : tokenIds[0].length;
        int[] flatIds = new int[n * length];
        int[] flatMask = new int[n * length];
        for (int i = 0; i < n; i++) {
            if (tokenIds[i].length != length) {
                throw new IllegalArgumentException(where() + ": token row " + i + " has " + tokenIds[i].length
                        + " ids, the text tower takes " + length);
            }
            System.arraycopy(tokenIds[i], 0, flatIds, i * length, length);
            Arrays.fill(flatMask, i * length, i * length + maskLength(tokenIds[i]), 1);
        }
        Map<String, Tensor> inputs = new HashMap<>();
        try {
            inputs.put(ids, ints(idsType, flatIds, n, length));
            if (maskType != null) {
                inputs.put(HF_MASK, ints(maskType, flatMask, n, length));
            }
            if (dummyImageSize > 0) {
                inputs.put(HF_PIXELS, floats(new float[n * 3 * dummyImageSize * dummyImageSize], n, 3,
                        dummyImageSize, dummyImageSize));
            }
        } catch (RuntimeException e) {
            inputs.values().forEach(Tensor::close);
            throw e;
        }
        return run(inputs, n);
    }

    /** The text inputs of Hugging Face's joint signature, filled with an empty text (start, end of text). */
    record Dummy(DataType idsType, DataType maskType, int length) {
        static Dummy of(Signature signature, int cardContextLength) {
            TensorDescription ids = signature.getInputs().get(HF_IDS);
            TensorDescription mask = signature.getInputs().get(HF_MASK);
            if (!isInt(ids, 2)) {
                return null;
            }
            long fixed = ids.shape.get(1);
            int length = fixed > 0 ? (int) fixed : cardContextLength > 0 ? cardContextLength : 77;
            return new Dummy(ids.dataType, isInt(mask, 2) ? mask.dataType : null, length);
        }

        void feed(Map<String, Tensor> inputs, int n) {
            int[] flatIds = new int[n * length];
            int[] flatMask = new int[n * length];
            for (int i = 0; i < n; i++) {
                flatIds[i * length] = SOT;
                flatIds[i * length + 1] = EOT;
                flatMask[i * length] = 1;
                flatMask[i * length + 1] = 1;
            }
            inputs.put(HF_IDS, ints(idsType, flatIds, n, length));
            if (maskType != null) {
                inputs.put(HF_MASK, ints(maskType, flatMask, n, length));
            }
        }
    }
}
