package clipbench.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TfjsImporterTest {
    @TempDir
    Path tmp;

    @Test
    void importsWrappersIntoAModelDirectoryThatLoadsIdentically() throws IOException {
        Path from = new TinyTfjs().writeWrappers(tmp.resolve("tiny-src"));
        Path out = tmp.resolve("model");
        Path cardFile = TfjsImporter.importModel(from, out, null);
        assertEquals(out.resolve("model-card.json"), cardFile);
        assertEquals(List.of("model-card.json", "model.json", "weights.bin"),
                Files.list(out).map(p -> p.getFileName().toString()).sorted().toList());

        JsonNode card = TinyTfjs.JSON.readTree(cardFile.toFile());
        assertEquals("tiny-src", card.get("name").asText());
        assertEquals("keras", card.get("family").asText());
        assertEquals("scale01", card.get("preprocess").asText());
        assertEquals(5, card.get("image_size").asInt());
        assertEquals(9, card.get("embed_dim").asInt());
        assertEquals(0, card.get("context_length").asInt());
        assertEquals("gap", card.get("feature_layer").asText());
        assertEquals("model.json", card.at("/artifacts/keras/topology").asText());
        assertEquals("weights.bin", card.at("/artifacts/keras/weights").asText());
        String source = card.get("source").asText();
        // the folder's name, never the importing machine's path
        assertTrue(source.startsWith("tiny-src, TF.js layers model (.min.js wrappers), weights stored as float16, "
                + "float32, uint16, uint8"), source);
        assertFalse(source.contains(tmp.toString()), source);

        // model.json: plain JSON, one group, quantisation kept
        JsonNode json = TinyTfjs.JSON.readTree(out.resolve("model.json").toFile());
        assertEquals("layers-model", json.get("format").asText());
        assertEquals(1, json.get("weightsManifest").size());
        assertEquals("[\"weights.bin\"]", json.at("/weightsManifest/0/paths").toString());
        assertEquals(10, json.at("/weightsManifest/0/weights").size());
        assertEquals("uint8", json.at("/weightsManifest/0/weights/0/quantization/dtype").asText());
        assertEquals(0.5, json.at("/weightsManifest/0/weights/0/quantization/scale").asDouble());
        // weights.bin: the stored (quantised) bytes unchanged
        TinyTfjs tiny = new TinyTfjs();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(tiny.group1.toByteArray());
        all.writeBytes(tiny.group2.toByteArray());
        assertArrayEquals(all.toByteArray(), Files.readAllBytes(out.resolve("weights.bin")));

        ModelCard mc = ModelCards.load(out);
        assertEquals("keras", mc.family());
        assertEquals("scale01", mc.preprocess().mode());
        assertEquals(5, mc.preprocess().imageSize());
        assertEquals(9, mc.embedDim());
        assertEquals(List.of(out.resolve("model.json"), out.resolve("weights.bin")), KerasModels.files(mc));

        KerasModel original = TfjsReader.read(from);
        KerasModel full = KerasModels.loadFull(mc);
        assertEquals("tiny-src", full.name());
        assertEquals(original.layers(), full.layers());
        assertEquals(original.output(), full.output());
        assertEquals(original.weights().keySet(), full.weights().keySet());
        original.weights().forEach((n, t) -> {
            assertArrayEquals(t.shape(), full.weights().get(n).shape(), n);
            assertArrayEquals(t.data(), full.weights().get(n).data(), n);
        });
        KerasModel features = KerasModels.load(mc);
        assertEquals("gap", features.output());
        assertFalse(features.weights().containsKey("dense_out/kernel"));
        assertEquals(9, features.layers().size());
        assertArrayEquals(new int[] {9}, KerasShapes.outputShape(features, features.output()));
    }

    @Test
    void namedFeatureLayerAndNameAreWritten() throws IOException {
        Path from = new TinyTfjs().writeFolder(tmp.resolve("src"));
        Path card = TfjsImporter.importModel(from, tmp.resolve("m"), "concat_e", "tiny-concat");
        JsonNode c = TinyTfjs.JSON.readTree(card.toFile());
        assertEquals("tiny-concat", c.get("name").asText());
        assertEquals("concat_e", c.get("feature_layer").asText());
        assertEquals(3 * 3 * 9, c.get("embed_dim").asInt());
        assertEquals("concat_e", KerasModels.load(ModelCards.load(tmp.resolve("m"))).output());

        IOException unknown = assertThrows(IOException.class,
                () -> TfjsImporter.importModel(from, tmp.resolve("m2"), "no_such_layer"));
        assertTrue(unknown.getMessage().contains("'no_such_layer'"), unknown.getMessage());
    }

    @Test
    void refusesANonEmptyOutputFolder() throws IOException {
        Path from = new TinyTfjs().writeFolder(tmp.resolve("src"));
        Path out = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(out.resolve("keep.txt"), "x");
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> TfjsImporter.importModel(from, out, null));
        assertTrue(e.getMessage().contains(out.toString()), e.getMessage());
        assertEquals(List.of("keep.txt"), Files.list(out).map(p -> p.getFileName().toString()).toList());
        // an existing empty folder is fine
        TfjsImporter.importModel(from, Files.createDirectories(tmp.resolve("empty")), null);
    }

    @Test
    void aSecondStepCanAddAnArtifact() throws IOException {
        Path out = tmp.resolve("m");
        TfjsImporter.importModel(new TinyTfjs().writeFolder(tmp.resolve("src")), out, null);
        Files.write(out.resolve("model.onnx"), new byte[] {1, 2, 3});
        ModelCardWriter.addArtifact(out, "onnx", "image", "model.onnx");
        ModelCard mc = ModelCards.load(out);
        assertEquals(out.resolve("model.onnx"), mc.requireArtifact("onnx", "image"));
        assertEquals(out.resolve("model.json"), mc.requireArtifact("keras", "topology"));
        assertEquals("gap", ModelCardWriter.read(out).get("feature_layer").asText());
        assertFalse(Files.exists(out.resolve("model-card.json.tmp")));
        assertThrows(IOException.class, () -> ModelCardWriter.addArtifact(out, "onnx", "text", "missing.onnx"));
    }

    @Test
    void inconsistentCardsAreRefusedNamingTheCard() throws IOException {
        Path out = tmp.resolve("m");
        TfjsImporter.importModel(new TinyTfjs().writeFolder(tmp.resolve("src")), out, null);
        ObjectNode card = ModelCardWriter.read(out);

        card.put("embed_dim", 10);
        ModelCardWriter.write(out, card);
        IOException dim = assertThrows(IOException.class, () -> KerasModels.load(ModelCards.load(out)));
        assertTrue(dim.getMessage().contains("model-card.json") && dim.getMessage().contains("embed_dim"),
                dim.getMessage());

        card.put("embed_dim", 9).put("feature_layer", "nope");
        ModelCardWriter.write(out, card);
        IOException layer = assertThrows(IOException.class, () -> KerasModels.load(ModelCards.load(out)));
        assertTrue(layer.getMessage().contains("'nope'"), layer.getMessage());

        card.remove("feature_layer");
        ((ObjectNode) card.at("/artifacts/keras")).put("weights", "other.bin");
        ModelCardWriter.write(out, card);
        IOException weights = assertThrows(IOException.class, () -> KerasModels.files(ModelCards.load(out)));
        assertTrue(weights.getMessage().contains("other.bin"), weights.getMessage());

        // no weights entry: the manifest decides; no feature_layer: the default
        ((ObjectNode) card.at("/artifacts/keras")).remove("weights");
        ModelCardWriter.write(out, card);
        ModelCard mc = ModelCards.load(out);
        assertEquals(List.of(out.resolve("model.json"), out.resolve("weights.bin")), KerasModels.files(mc));
        assertEquals("gap", KerasModels.load(mc).output());

        Files.delete(out.resolve("weights.bin"));
        IOException missing = assertThrows(IOException.class, () -> KerasModels.load(ModelCards.load(out)));
        assertTrue(missing.getMessage().contains("weights.bin"), missing.getMessage());
    }

    @Test
    void severalShardsCanBeListedInTheCard() throws IOException {
        Path dir = new TinyTfjs().writeFolder(tmp.resolve("m"));
        ObjectNode card = ModelCardWriter.kerasCard("m", 5, 9, "gap", "model.json",
                "group1-shard1of2.bin, group1-shard2of2.bin,group2-shard1of1.bin", "test");
        ModelCardWriter.write(dir, card);
        ModelCard mc = ModelCards.load(dir);
        assertEquals(4, KerasModels.files(mc).size());
        assertEquals(9, KerasShapes.featureLength(KerasModels.load(mc), "gap"));
        card.putObject("artifacts").putObject("keras").put("topology", "model.json").putArray("weights")
                .add("group1-shard1of2.bin").add("group1-shard2of2.bin").add("group2-shard1of1.bin");
        ModelCardWriter.write(dir, card);
        assertEquals(4, KerasModels.files(ModelCards.load(dir)).size());
    }

    @Test
    void originNamesThePackageAndThePathInsideIt() throws IOException {
        Path pkg = tmp.resolve("node_modules/somepkg");
        Path models = Files.createDirectories(pkg.resolve("dist/models/net"));
        assertEquals("net", TfjsImporter.origin(models), "no package.json above: the folder's name");
        Files.writeString(pkg.resolve("package.json"), "{\"name\": \"somepkg\", \"version\": \"1.2.3\"}");
        assertEquals("somepkg@1.2.3/dist/models/net", TfjsImporter.origin(models));
        assertEquals("somepkg@1.2.3", TfjsImporter.origin(pkg));
        Files.writeString(pkg.resolve("dist/package.json"), "{\"name\": \"inner\"}");
        assertEquals("inner/models/net", TfjsImporter.origin(models), "the nearest package, no version");
        Files.writeString(pkg.resolve("dist/models/package.json"), "{\"private\": true}");
        assertEquals("inner/models/net", TfjsImporter.origin(models), "a package.json without a name is skipped");
    }
}
