package clipbench.keras;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A TF.js layers model as a model directory for every runtime: {@link TfjsImporter}'s Keras files and card
 * (TensorFlow and DJL build the graph from them) plus {@code model.onnx} from {@link OnnxExport} for ONNX Runtime
 * ({@code artifacts.onnx.image} for a backbone; {@code artifacts.onnx.model}, NCHW out, for an image-to-image
 * network, as {@code openImageToImage} reads it).
 */
public final class TfjsModelDirectory {
    public static final String ONNX_FILE = "model.onnx";

    private TfjsModelDirectory() {
    }

    /**
     * Imports {@code from} into the new (or empty) folder {@code out}; returns {@code out}.
     *
     * @param featureLayer a backbone's feature layer (null: the default)
     * @param name         model name (null: from the folder)
     * @param valueMax     an image-to-image network's pixel range top (null: the UpscalerJS package's)
     */
    public static Path create(Path from, Path out, String featureLayer, String name, Double valueMax)
            throws IOException {
        TfjsImporter.importModel(from, out, featureLayer, name, valueMax);
        ModelCard card = ModelCards.load(out);
        if (KerasModels.isImageToImage(card)) {
            OnnxExport.writeImageToImage(KerasModels.loadImageToImage(card), out.resolve(ONNX_FILE));
            ModelCardWriter.addArtifact(out, "onnx", "model", ONNX_FILE);
        } else {
            OnnxExport.write(KerasModels.load(card), out.resolve(ONNX_FILE));
            ModelCardWriter.addArtifact(out, "onnx", "image", ONNX_FILE);
        }
        return out;
    }
}
