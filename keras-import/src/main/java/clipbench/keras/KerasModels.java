package clipbench.keras;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Keras model a {@link ModelCard} describes. The card lists {@code artifacts.keras.topology} (a TF.js
 * {@code model.json}) and {@code artifacts.keras.weights} (its shard file, several separated by commas, or a JSON
 * list); an optional top-level {@code feature_layer} names where features are taken (default:
 * {@link KerasModel#defaultFeatureLayer()}).
 */
public final class KerasModels {
    public static final String FORMAT = "keras";

    private KerasModels() {
    }

    /** The model to run for this card: the full model cut at its feature layer. */
    public static KerasModel load(ModelCard card) throws IOException {
        if (isImageToImage(card)) {
            throw new IOException(cardFile(card) + ": an image-to-image network (task image-to-image), not a backbone;"
                    + " open it with openImageToImage (e.g. as an sr-model upsampler)");
        }
        KerasModel full = loadFull(card);
        String layer = featureLayer(card, full);
        KerasModel cut;
        try {
            cut = full.cutAt(layer);
        } catch (IllegalArgumentException e) {
            throw new IOException(cardFile(card) + ": feature_layer: " + e.getMessage(), e);
        }
        int length = KerasShapes.featureLength(cut, layer);
        if (card.embedDim() > 0 && card.embedDim() != length) {
            throw new IOException(cardFile(card) + ": embed_dim is " + card.embedDim() + " but layer '" + layer
                    + "' gives " + length + " values per image");
        }
        return cut;
    }

    /** True when the card is a Keras image-to-image network's ({@code task image-to-image}). */
    public static boolean isImageToImage(ModelCard card) throws IOException {
        Path file = cardFile(card);
        return Files.isRegularFile(file) && ModelCardWriter.isImageToImage(ModelCardWriter.read(file));
    }

    /**
     * The whole model of an image-to-image card ({@link ModelCardWriter#kerasImageToImageCard}), checked: its
     * output has the input's channels and {@code scale} times its size.
     */
    public static KerasModel loadImageToImage(ModelCard card) throws IOException {
        if (!isImageToImage(card)) {
            throw new IOException(cardFile(card) + ": not an image-to-image card (task image-to-image)");
        }
        KerasModel full = loadFull(card);
        int scale = ModelCardWriter.read(cardFile(card)).path("scale").asInt(0);
        int probe = 8;
        int[] out = KerasShapes.outputShape(full.withInputSize(probe, probe), full.output());
        if (out.length != 3 || out[2] != full.inputShape()[2] || out[0] != probe * scale || out[1] != probe * scale) {
            throw new IOException(cardFile(card) + ": scale " + scale + " does not match the network, which makes "
                    + java.util.Arrays.toString(out) + " of an 8x8 input");
        }
        return full;
    }

    /** The whole model (output = the saved model's output layer), named after the card. */
    public static KerasModel loadFull(ModelCard card) throws IOException {
        Path topology = card.requireArtifact(FORMAT, "topology");
        checkListedWeights(card, topology);
        return TfjsReader.read(topology, card.name());
    }

    /** The card's {@code feature_layer}, else the model's default feature layer. */
    public static String featureLayer(ModelCard card, KerasModel full) throws IOException {
        Optional<String> named = cardFeatureLayer(card);
        if (named.isPresent()) {
            return named.get();
        }
        try {
            return full.defaultFeatureLayer();
        } catch (IllegalArgumentException e) {
            throw new IOException(cardFile(card) + ": " + e.getMessage() + " (set \"feature_layer\")", e);
        }
    }

    /** The top-level {@code feature_layer} of the card's JSON file, if any. */
    public static Optional<String> cardFeatureLayer(ModelCard card) throws IOException {
        Path file = cardFile(card);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode n = ModelCardWriter.read(file).get("feature_layer");
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual() || n.asText().isEmpty()) {
            throw new IOException(file + ": 'feature_layer' must be a layer name");
        }
        return Optional.of(n.asText());
    }

    /**
     * The files that make the model, in order, for hashing: the topology, then the weight shards as its manifest
     * names them.
     */
    public static List<Path> files(ModelCard card) throws IOException {
        Path topology = card.requireArtifact(FORMAT, "topology");
        List<Path> files = new ArrayList<>();
        files.add(topology);
        files.addAll(checkListedWeights(card, topology));
        return files;
    }

    /** The weight files listed in the card's {@code artifacts.keras.weights} (empty if it lists none). */
    public static List<Path> listedWeights(ModelCard card) throws IOException {
        Path file = cardFile(card);
        List<String> names = new ArrayList<>();
        JsonNode w = Files.isRegularFile(file)
                ? ModelCardWriter.read(file).path("artifacts").path(FORMAT).get("weights") : null;
        if (w != null && w.isArray()) {
            w.forEach(x -> names.add(x.asText()));
        } else if (w != null && w.isTextual()) {
            for (String part : w.asText().split(",")) {
                if (!part.isBlank()) {
                    names.add(part.strip());
                }
            }
        } else if (w == null) {
            card.artifact(FORMAT, "weights").ifPresent(p -> names.add(p.getFileName().toString()));
        }
        return names.stream().map(card.directory()::resolve).toList();
    }

    /** The shards the topology names, checked against those the card lists. */
    private static List<Path> checkListedWeights(ModelCard card, Path topology) throws IOException {
        List<Path> shards = TfjsReader.shardFiles(topology, TfjsReader.readModelJson(topology));
        List<Path> listed = listedWeights(card);
        if (!listed.isEmpty()) {
            Set<Path> a = new LinkedHashSet<>();
            shards.forEach(p -> a.add(p.toAbsolutePath().normalize()));
            Set<Path> b = new LinkedHashSet<>();
            listed.forEach(p -> b.add(p.toAbsolutePath().normalize()));
            if (!a.equals(b)) {
                throw new IOException(cardFile(card) + ": artifacts.keras.weights lists " + b + " but " + topology
                        + " reads the shards " + a);
            }
        }
        return shards;
    }

    /** The number of weight values (Keras's parameter count, trainable and not). */
    public static long parameterCount(KerasModel model) {
        long n = 0;
        for (KerasTensor t : model.weights().values()) {
            n += t.data().length;
        }
        return n;
    }

    /** How many layers of each Keras class the model has, by class name. */
    public static Map<String, Integer> layerCounts(KerasModel model) {
        Map<String, Integer> counts = new TreeMap<>();
        model.layers().forEach(l -> counts.merge(l.className(), 1, Integer::sum));
        return counts;
    }

    private static Path cardFile(ModelCard card) {
        return card.directory().resolve(ModelCards.CARD_FILE);
    }
}
