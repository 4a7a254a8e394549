package clipbench.backend.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import clipbench.api.spi.ImageBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The image tower: one float {@code [batch, 3, size, size]} input (any name), one embedding output. */
final class ImageTower extends OnnxTower<ImageBatch> {
    static final List<String> OUTPUTS = List.of("embedding", "image_embeds", "embeds");

    private final OrtEnvironment env;
    private final String input;
    /** Static dimensions of the input, -1 where dynamic. */
    private final long[] shape;

    ImageTower(OrtEnvironment env, Path file, OrtSession session, int imageSize) throws IOException {
        super(file, session, OUTPUTS);
        this.env = env;
        Map<String, NodeInfo> inputs = info(file, session, true);
        List<NodeInfo> images = inputs.values().stream()
                .filter(n -> tensor(n, 4, Set.of(OnnxJavaType.FLOAT)) != null).toList();
        if (images.size() != 1 || inputs.size() != 1) {
            throw new IOException(file + ": expected exactly one input, a float [batch, 3, height, width] image"
                    + " (named image, pixel_values or input), found " + describe(inputs));
        }
        this.input = images.get(0).getName();
        this.shape = tensor(images.get(0), 4, Set.of(OnnxJavaType.FLOAT)).getShape();
        if (shape[1] > 0 && shape[1] != ImageBatch.CHANNELS) {
            throw new IOException(file + ": input '" + input + "' has shape " + Arrays.toString(shape)
                    + ": expected channels first, [batch, 3, height, width]");
        }
        if ((shape[2] > 0 && shape[2] != imageSize) || (shape[3] > 0 && shape[3] != imageSize)) {
            throw new IOException(file + ": input '" + input + "' takes " + shape[2] + "x" + shape[3]
                    + " images but the model card says image_size " + imageSize);
        }
    }

    @Override
    public float[][] embed(ImageBatch batch) {
        int size = batch.size();
        if ((shape[2] > 0 && shape[2] != size) || (shape[3] > 0 && shape[3] != size)) {
            throw new IllegalArgumentException(file + ": input '" + input + "' takes " + shape[2] + "x"
                    + shape[3] + " images, got " + size + "x" + size);
        }
        int n = batch.count();
        if (shape[0] == 1 && n > 1) {
            // exported with a fixed batch of one: run the images one by one
            float[][] out = new float[n][];
            int floats = batch.imageFloats();
            for (int i = 0; i < n; i++) {
                float[] one = Arrays.copyOfRange(batch.data(), i * floats, (i + 1) * floats);
                out[i] = embed(new ImageBatch(1, size, one))[0];
            }
            return out;
        }
        if (shape[0] > 0 && shape[0] != n) {
            throw new IllegalArgumentException(file + ": input '" + input + "' takes batches of exactly "
                    + shape[0] + " images, got " + n);
        }
        long[] dims = {n, ImageBatch.CHANNELS, size, size};
        try (OnnxTensor images = OnnxTensor.createTensor(env, DirectInput.current().of(batch.data()), dims)) {
            return run(Map.of(input, images), n);
        } catch (OrtException e) {
            throw failure(e);
        }
    }
}
