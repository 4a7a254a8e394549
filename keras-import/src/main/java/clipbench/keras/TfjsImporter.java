package clipbench.keras;

import clipbench.api.io.AtomicFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns a TF.js layers model (a TF.js folder, or nsfwjs's {@code .min.js} wrappers) into a clipbench model
 * directory:
 * <ul>
 *   <li>{@code model.json}: plain JSON, {@code modelTopology} as saved and one weights group whose only path is
 *       {@code weights.bin} (the manifest entries, quantisation included, unchanged);</li>
 *   <li>{@code weights.bin}: every shard concatenated, bytes exactly as stored (still quantised);</li>
 *   <li>{@code model-card.json}: {@code family keras}, {@code preprocess scale01}, {@code image_size},
 *       {@code embed_dim} (length of the feature layer's output), {@code feature_layer}, and
 *       {@code artifacts.keras = {topology: model.json, weights: weights.bin}}.</li>
 * </ul>
 * A later step adds its own artifact with {@link ModelCardWriter#addArtifact} on the returned card.
 */
public final class TfjsImporter {
    public static final String TOPOLOGY = "model.json";
    public static final String WEIGHTS = "weights.bin";

    private static final ObjectMapper COMPACT = new ObjectMapper();

    private TfjsImporter() {
    }

    /** {@link #importModel(Path, Path, String, String)} named after the source folder. */
    public static Path importModel(Path from, Path outDir, String featureLayer) throws IOException {
        return importModel(from, outDir, featureLayer, null);
    }

    /**
     * Imports {@code from} into the new (or empty) folder {@code outDir}.
     *
     * @param featureLayer where features are taken; null: {@link KerasModel#defaultFeatureLayer()}
     * @param name         model name for the card; null: the source folder's name ({@code nsfwjs-} in front for nsfwjs)
     * @return the written {@code model-card.json}
     */
    public static Path importModel(Path from, Path outDir, String featureLayer, String name) throws IOException {
        return importModel(from, outDir, featureLayer, name, null);
    }

    /**
     * As {@link #importModel(Path, Path, String, String)}; an image-to-image network ({@link #imageToImage}) gets
     * the card of {@link ModelCardWriter#kerasImageToImageCard} instead.
     *
     * @param valueMax an image-to-image network's pixel range {@code [0, valueMax]}; null: the UpscalerJS package's
     *                 own definition ({@link UpscalerJs#valueMax}), else refused
     */
    public static Path importModel(Path from, Path outDir, String featureLayer, String name, Double valueMax)
            throws IOException {
        refuseNonEmpty(outDir);
        TfjsReader.Artifacts a = TfjsReader.readArtifacts(from);
        Path sourceDir = a.topologyFile().toAbsolutePath().getParent();
        String origin = origin(sourceDir);
        String modelName = name != null ? name
                : (origin.startsWith("nsfwjs@") ? "nsfwjs-" : "") + sourceDir.getFileName();
        KerasModel model = TfjsReader.toModel(a, modelName);
        if (imageToImage(model)) {
            return importImageToImage(a, model, outDir, modelName, origin, valueMax);
        }
        String layer = featureLayer != null ? featureLayer : defaultLayer(model, a);
        int embed;
        try {
            model.layer(layer);
            embed = KerasShapes.featureLength(model, layer);
        } catch (IllegalArgumentException e) {
            throw new IOException(a.topologyFile() + ": feature layer: " + e.getMessage(), e);
        }
        int[] in = model.inputShape();
        if (in.length != 3 || in[0] != in[1]) {
            throw new IOException(a.topologyFile() + ": input shape " + java.util.Arrays.toString(in)
                    + " is not a square [size, size, channels] image");
        }

        writeFiles(a, outDir);
        ObjectNode card = ModelCardWriter.kerasCard(modelName, in[0], embed, layer, TOPOLOGY, WEIGHTS,
                source(a, origin));
        return ModelCardWriter.write(outDir, card);
    }

    /**
     * An image-to-image network: open height and width, a feature-map output with the input's channels (e.g. an
     * RGB super-resolution network). Its card has no feature layer: the whole network is kept.
     */
    static boolean imageToImage(KerasModel model) {
        if (!model.openSize()) {
            return false;
        }
        int[] out = KerasShapes.outputShape(model, model.output());
        return out.length == 3 && out[2] == model.inputShape()[2];
    }

    private static Path importImageToImage(TfjsReader.Artifacts a, KerasModel model, Path outDir, String modelName,
                                           String origin, Double valueMax) throws IOException {
        int probe = 8;
        int[] out = KerasShapes.outputShape(model.withInputSize(probe, probe), model.output());
        if (out[0] % probe != 0 || out[0] != out[1]) {
            throw new IOException(a.topologyFile() + ": an image-to-image network should enlarge by an integer scale;"
                    + " " + probe + "x" + probe + " gives " + out[0] + "x" + out[1]);
        }
        double max = valueMax != null ? valueMax : UpscalerJs.valueMax(a.topologyFile()).orElseThrow(() ->
                new IOException(a.topologyFile() + ": an image-to-image network needs its pixel range [0, max]"
                        + " (--value-range); none is known for " + origin));
        writeFiles(a, outDir);
        ObjectNode card = ModelCardWriter.kerasImageToImageCard(modelName, out[0] / probe, UpscalerJs.TILE, max,
                TOPOLOGY, WEIGHTS, source(a, origin));
        return ModelCardWriter.write(outDir, card);
    }

    private static void writeFiles(TfjsReader.Artifacts a, Path outDir) throws IOException {
        Files.createDirectories(outDir);
        AtomicFiles.writeBytes(outDir.resolve(WEIGHTS), a.weightData());
        ObjectNode json = COMPACT.createObjectNode();
        json.put("format", "layers-model");
        copyIfPresent(a.modelJson(), json, "generatedBy");
        json.put("convertedBy", "clipbench keras-import TfjsImporter");
        json.set("modelTopology", a.modelTopology().deepCopy());
        ObjectNode group = json.putArray("weightsManifest").addObject();
        group.putArray("paths").add(WEIGHTS);
        group.set("weights", TfjsReader.specsAsJson(a.weights()));
        copyIfPresent(a.modelJson(), json, "trainingConfig");
        copyIfPresent(a.modelJson(), json, "userDefinedMetadata");
        AtomicFiles.writeBytes(outDir.resolve(TOPOLOGY), out -> COMPACT.writeValue(out, json));
    }

    private static String source(TfjsReader.Artifacts a, String origin) {
        List<String> storage = a.storageTypes();
        String weightsDesc = storage.isEmpty() ? "no weights"
                : storage.equals(List.of("float32")) ? "float32 weights"
                : storage.size() == 1 ? storage.get(0) + "-quantised weights"
                : "weights stored as " + String.join(", ", storage);
        return origin + ", TF.js layers model" + (a.jsWrapped() ? " (.min.js wrappers)" : "") + ", " + weightsDesc;
    }

    private static String defaultLayer(KerasModel model, TfjsReader.Artifacts a) throws IOException {
        try {
            return model.defaultFeatureLayer();
        } catch (IllegalArgumentException e) {
            throw new IOException(a.topologyFile() + ": " + e.getMessage(), e);
        }
    }

    private static void copyIfPresent(JsonNode from, ObjectNode to, String field) {
        if (from.hasNonNull(field)) {
            to.set(field, from.get(field).deepCopy());
        }
    }

    private static void refuseNonEmpty(Path outDir) throws IOException {
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new FileAlreadyExistsException(outDir.toString(), null, "not a directory");
        }
        if (Files.isDirectory(outDir)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(outDir)) {
                if (s.iterator().hasNext()) {
                    throw new FileAlreadyExistsException(outDir.toString(), null,
                            "output folder is not empty; refusing to import into it");
                }
            }
        }
    }

    /**
     * Where a model folder comes from, without the importing machine's paths: {@code name@version/path/inside} of
     * the npm package whose {@code package.json} lies nearest above {@code dir} (e.g.
     * {@code nsfwjs@4.4.0/dist/models/mobilenet_v2}), or the folder's own name outside any package.
     */
    static String origin(Path dir) {
        for (Path p = dir; p != null; p = p.getParent()) {
            Path pkg = p.resolve("package.json");
            if (Files.isRegularFile(pkg)) {
                try {
                    JsonNode n = COMPACT.readTree(pkg.toFile());
                    String pkgName = n.path("name").asText("");
                    if (!pkgName.isEmpty()) {
                        String version = n.path("version").asText("");
                        String inside = p.relativize(dir).toString().replace(dir.getFileSystem().getSeparator(), "/");
                        return pkgName + (version.isEmpty() ? "" : "@" + version) + (inside.isEmpty() ? "" : "/" + inside);
                    }
                } catch (IOException e) {
                    // not a package.json we can read; keep looking upwards
                }
            }
        }
        return String.valueOf(dir.getFileName());
    }

    static List<String> files() {
        return List.of(TOPOLOGY, WEIGHTS);
    }
}
