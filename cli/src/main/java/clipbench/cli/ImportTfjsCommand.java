package clipbench.cli;

import clipbench.keras.TfjsModelDirectory;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code clipbench import-tfjs FROM --out DIR}: a TF.js Keras layers model (e.g. nsfwjs's MobileNetV2) as a
 * model directory every backend runs: the Keras graph for TensorFlow and DJL, plus {@code model.onnx}.
 */
@Command(name = "import-tfjs", description = "Import a TensorFlow.js Keras layers model (model.json or nsfwjs's"
        + " .min.js files) as a model directory for every backend, cut at its pooled features.")
final class ImportTfjsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FROM", description = "Folder with the TF.js model.")
    Path from;

    @Option(names = "--out", required = true, description = "New model directory.")
    Path out;

    @Option(names = "--feature-layer", description = "Layer whose output is the embedding (default: the last"
            + " global pooling).")
    String featureLayer;

    @Option(names = "--name", description = "Model name (default from the folder).")
    String name;

    @Option(names = "--value-range", paramLabel = "MAX", description = "For an image-to-image network (open input"
            + " size, image out): its pixels are in [0, MAX] (default: what an UpscalerJS package's definition says).")
    Double valueMax;

    @Override
    public Integer call() throws Exception {
        System.out.println("imported: " + TfjsModelDirectory.create(from, out, featureLayer, name, valueMax));
        return 0;
    }
}
