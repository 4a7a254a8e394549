package clipbench.backend.tensorflow;

import clipbench.api.spi.TwoTowerBackbone;
import java.util.Arrays;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature.TensorDescription;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * One signature of a {@link TfModel} that turns a batch into embedding rows: the image or the text tower.
 * Subclasses feed their inputs; the {@code [batch, dim]} float output is read here.
 */
abstract class TfTower<I> implements TwoTowerBackbone.Tower<I> {
    /** Hugging Face {@code TFCLIPModel}'s serving signature and its tensor names. */
    static final String HF_SIGNATURE = "serving_default";
    static final String HF_PIXELS = "pixel_values";
    static final String HF_IDS = "input_ids";
    static final String HF_MASK = "attention_mask";
    static final String HF_IMAGE_OUT = "image_embeds";
    static final String HF_TEXT_OUT = "text_embeds";
    /** CLIP's start- and end-of-text ids, for the dummy text the HF signature needs beside an image. */
    static final int SOT = 49406;
    static final int EOT = 49407;

    final TfModel model;
    final String key;
    final SessionFunction function;
    final String output;
    /** Static embedding length of the output, or -1 when the signature leaves it open. */
    final long declaredDim;

    TfTower(TfModel model, String key, String output) {
        this.model = model;
        this.key = key;
        this.function = model.functions.get(key);
        this.output = output;
        Shape shape = function.signature().getOutputs().get(output).shape;
        this.declaredDim = shape.numDimensions() == 2 ? shape.get(1) : -1;
    }

    /** Where errors say the tower came from: {@code source [signature]}. */
    String where() {
        return model.source + " [" + key + "]";
    }

    @Override
    public String source() {
        return where() + ": output '" + output + "'";
    }

    @Override
    public long declaredDim() {
        return declaredDim;
    }

    TensorDescription input(String name) {
        return function.signature().getInputs().get(name);
    }

    /** Calls the signature with these inputs (closed here) and returns the output rows. */
    float[][] run(Map<String, Tensor> inputs, int rows) {
        try (Result result = function.call(inputs)) {
            Tensor tensor = result.get(output).orElseThrow(() -> new IllegalStateException(where()
                    + ": no output '" + output + "' in the result"));
            if (!(tensor instanceof TFloat32 values) || values.shape().numDimensions() != 2
                    || values.shape().get(0) != rows) {
                throw new IllegalStateException(where() + ": output '" + output + "' is " + tensor.dataType()
                        + tensor.shape() + ", expected float [" + rows + ", dim]");
            }
            int dim = (int) values.shape().get(1);
            float[] flat = new float[rows * dim];
            values.copyTo(DataBuffers.of(flat, false, false));
            float[][] out = new float[rows][];
            for (int i = 0; i < rows; i++) {
                out[i] = Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
            }
            return out;
        } catch (IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalStateException(where() + ": TensorFlow failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(Tensor::close);
        }
    }

    static boolean isFloat(TensorDescription t, int rank) {
        return t != null && t.dataType == DataType.DT_FLOAT && t.shape.numDimensions() == rank;
    }

    static boolean isInt(TensorDescription t, int rank) {
        return t != null && (t.dataType == DataType.DT_INT64 || t.dataType == DataType.DT_INT32)
                && t.shape.numDimensions() == rank;
    }

    static TFloat32 floats(float[] data, long... shape) {
        return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(data, true, false));
    }

    /** An int32 or int64 tensor, as the signature wants. */
    static Tensor ints(DataType type, int[] data, long... shape) {
        if (type == DataType.DT_INT32) {
            return TInt32.tensorOf(Shape.of(shape), DataBuffers.of(data, true, false));
        }
        long[] wide = new long[data.length];
        for (int i = 0; i < data.length; i++) {
            wide[i] = data[i];
        }
        return TInt64.tensorOf(Shape.of(shape), DataBuffers.of(wide, true, false));
    }

    /**
     * How many leading positions an attention mask covers: up to and including the last non-zero id (the
     * end of text). CLIP pads with 0, which is also a real token ({@code !}), so a 0 inside the text counts.
     */
    static int maskLength(int[] row) {
        int last = row.length - 1;
        while (last >= 0 && row[last] == 0) {
            last--;
        }
        return last + 1;
    }
}
