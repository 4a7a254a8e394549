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
        refuseNonEmpty(outDir);
        TfjsReader.Artifacts a = TfjsReader.readArtifacts(from);
        Path sourceDir = a.topologyFile().toAbsolutePath().getParent();
        String origin = origin(sourceDir);
        String modelName = name != null ? name
                : (origin.startsWith("nsfwjs@") ? "nsfwjs-" : "") + sourceDir.getFileName();
        KerasModel model = TfjsReader.toModel(a, modelName);
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

        List<String> storage = a.storageTypes();
        String weightsDesc = storage.isEmpty() ? "no weights"
                : storage.equals(List.of("float32")) ? "float32 weights"
                : storage.size() == 1 ? storage.get(0) + "-quantised weights"
                : "weights stored as " + String.join(", ", storage);
        String source = origin + ", TF.js layers model" + (a.jsWrapped() ? " (.min.js wrappers)" : "") + ", "
                + weightsDesc;
        ObjectNode card = ModelCardWriter.kerasCard(modelName, in[0], embed, layer, TOPOLOGY, WEIGHTS, source);
        return ModelCardWriter.write(outDir, card);
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
