package clipbench.backend.tensorflow;

import clipbench.api.spi.ImageBatch;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Signature.TensorDescription;
import org.tensorflow.Tensor;

/**
 * The image tower: our {@value ClipGraph#IMAGE_SIGNATURE} signature (one float {@code [N,3,S,S]} input,
 * output {@value ClipGraph#OUTPUT}), or Hugging Face's {@code serving_default} ({@code pixel_values} in,
 * {@code image_embeds} out; a one-token dummy text is fed to its text inputs).
 */
final class ImageTower extends TfTower<ImageBatch> {
    private final String input;
    private final long[] shape;
    /** For the HF signature: the text inputs fed beside the pixels; null otherwise. */
    private final TextTower.Dummy dummyText;

    private ImageTower(TfModel model, String key, String input, String output, TextTower.Dummy dummyText) {
        super(model, key, output);
        this.input = input;
        this.shape = input(input).shape.asArray();
        this.dummyText = dummyText;
    }

    /** Finds the image signature of a model and checks it against the card's image size. */
    static ImageTower find(TfModel model, int imageSize, int contextLength) throws IOException {
        ImageTower tower = null;
        var ours = model.functions.get(ClipGraph.IMAGE_SIGNATURE);
        var hf = model.functions.get(HF_SIGNATURE);
        if (ours != null) {
            Map<String, TensorDescription> inputs = ours.signature().getInputs();
            List<String> images = inputs.keySet().stream().filter(n -> isFloat(inputs.get(n), 4)).toList();
            String output = ours.signature().getOutputs().containsKey(ClipGraph.OUTPUT) ? ClipGraph.OUTPUT : null;
            if (images.size() != 1 || inputs.size() != 1 || output == null
                    || !isFloat(ours.signature().getOutputs().get(output), 2)) {
                throw new IOException(model.source + ": signature '" + ClipGraph.IMAGE_SIGNATURE + "' should take one"
                        + " float [N,3,S,S] input ('" + ClipGraph.IMAGE_INPUT + "') and give a float [N,E] '"
                        + ClipGraph.OUTPUT + "'; found " + model.describe());
            }
            tower = new ImageTower(model, ClipGraph.IMAGE_SIGNATURE, images.get(0), output, null);
        } else if (hf != null && isFloat(hf.signature().getInputs().get(HF_PIXELS), 4)
                && isFloat(hf.signature().getOutputs().get(HF_IMAGE_OUT), 2)) {
            tower = new ImageTower(model, HF_SIGNATURE, HF_PIXELS, HF_IMAGE_OUT,
                    TextTower.Dummy.of(hf.signature(), contextLength));
        }
        if (tower == null) {
            throw new IOException(model.source + ": no image signature: expected '" + ClipGraph.IMAGE_SIGNATURE
                    + "' (input '" + ClipGraph.IMAGE_INPUT + "' float [N,3,S,S] -> '" + ClipGraph.OUTPUT
                    + "') or Hugging Face's '" + HF_SIGNATURE + "' (" + HF_PIXELS + " -> " + HF_IMAGE_OUT
                    + "); found " + model.describe());
        }
        tower.checkSize(imageSize);
        return tower;
    }

    private void checkSize(int imageSize) throws IOException {
        if (shape[1] > 0 && shape[1] != ImageBatch.CHANNELS) {
            throw new IOException(where() + ": input '" + input + "' has shape " + Arrays.toString(shape)
                    + ": expected channels first, [N, 3, height, width]");
        }
        if ((shape[2] > 0 && shape[2] != imageSize) || (shape[3] > 0 && shape[3] != imageSize)) {
            throw new IOException(where() + ": input '" + input + "' takes " + shape[2] + "x" + shape[3]
                    + " images but the model card says image_size " + imageSize);
        }
    }

    @Override
    public float[][] embed(ImageBatch batch) {
        int size = batch.size();
        if ((shape[2] > 0 && shape[2] != size) || (shape[3] > 0 && shape[3] != size)) {
            throw new IllegalArgumentException(where() + ": input '" + input + "' takes " + shape[2] + "x"
                    + shape[3] + " images, got " + size + "x" + size);
        }
        int n = batch.count();
        Map<String, Tensor> inputs = new HashMap<>();
        try {
            inputs.put(input, floats(batch.data(), n, ImageBatch.CHANNELS, size, size));
            if (dummyText != null) {
                dummyText.feed(inputs, n);
            }
        } catch (RuntimeException e) {
            inputs.values().forEach(Tensor::close);
            throw e;
        }
        return run(inputs, n);
    }
}
