package clipbench.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.checkpoint.fixtures.CheckpointFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three layouts read without any runtime: same tensors under OpenAI's names, same architecture, clear errors. */
class CheckpointLayoutsTest {
    private static final Path VIT = ContractFixtures.testdata("models/tiny-clip-vit");
    private static final Path RN = ContractFixtures.testdata("models/tiny-clip-rn");

    private static ClipCheckpoint openAi(Path fixture) throws IOException {
        return ClipCheckpoints.open(ModelCards.load(fixture));
    }

    private static Path transformers(Path dir) throws IOException {
        return CheckpointFixtures.writeTransformers(VIT.resolve("model.safetensors"), CheckpointFixtures.card(VIT),
                dir.resolve("hf"));
    }

    private static void read(Path file, Map<String, long[]> shapes, Map<String, float[]> values) throws IOException {
        Safetensors st = Safetensors.open(file);
        for (String name : st.names()) {
            shapes.put(name, st.shape(name));
            values.put(name, st.floats(name));
        }
    }

    /** Same names, shapes and exact values as the OpenAI-named original. */
    private static void assertSameWeights(Checkpoint expected, Checkpoint actual) {
        assertEquals(expected.names(), actual.names());
        for (String name : expected.names()) {
            assertArrayEquals(expected.shape(name), actual.shape(name), name);
            assertArrayEquals(expected.floats(name), actual.floats(name), 0f, name);
        }
    }

    @Test
    void transformersFolderIsReadByLayoutUnderOpenAiNames(@TempDir Path tmp) throws IOException {
        Path dir = transformers(tmp);
        ModelCard card = ModelCards.load(dir);
        assertEquals(Map.of("checkpoint", "model.safetensors", "config", "config.json"),
                card.artifacts().get("safetensors"));
        assertEquals(224, card.preprocess().imageSize());
        assertEquals(16, card.embedDim());
        assertEquals(77, card.contextLength());
        assertEquals(ModelCards.HF_VOCAB, card.vocabFile());
        ModelCard original = ModelCards.load(VIT);
        assertEquals(original.logitScale(), card.logitScale(), 1e-4, "the trained logit_scale tensor, not the init");
        assertArrayEquals(original.preprocess().mean(), card.preprocess().mean());

        ClipCheckpoint hf = ClipCheckpoints.open(card);
        ClipCheckpoint ref = openAi(VIT);
        assertEquals("transformers", hf.layout());
        assertEquals(ref.architecture().vision(), hf.architecture().vision());
        assertEquals(ref.architecture().embedDim(), hf.architecture().embedDim());
        assertEquals(new ClipArchitecture.Text(77, 49408, 16, 2, 2, ClipArchitecture.Activation.QUICK_GELU, 49407),
                hf.architecture().text());
        assertEquals(java.util.List.of(dir.resolve("model.safetensors"), dir.resolve("config.json")), hf.files());
        assertSameWeights(ref.weights(), hf.weights());
        assertFalse(hf.widened());
        assertEquals("transformers safetensors", hf.describe());
    }

    @Test
    void openClipFolderIsReadByLayoutForViTAndResNet(@TempDir Path tmp) throws IOException {
        for (Path fixture : new Path[] {VIT, RN}) {
            Path dir = CheckpointFixtures.writeOpenClip(fixture.resolve("model.safetensors"),
                    CheckpointFixtures.card(fixture), tmp.resolve(fixture.getFileName()));
            ModelCard card = ModelCards.load(dir);
            assertEquals("open_clip_model.safetensors", card.artifacts().get("safetensors").get("checkpoint"));
            assertEquals(ModelCard.OPENAI_VOCAB, card.vocabFile());
            ClipCheckpoint oc = ClipCheckpoints.open(card);
            ClipCheckpoint ref = openAi(fixture);
            assertEquals("open_clip", oc.layout());
            assertEquals(ref.architecture(), oc.architecture(), fixture.toString());
            assertSameWeights(ref.weights(), oc.weights());
        }
    }

    @Test
    void openClipWithoutQuickGeluIsExactGelu(@TempDir Path tmp) throws IOException {
        Path dir = CheckpointFixtures.writeOpenClip(VIT.resolve("model.safetensors"), CheckpointFixtures.card(VIT), tmp);
        CheckpointFixtures.edit(dir.resolve("open_clip_config.json"), "model_cfg", "quick_gelu",
                com.fasterxml.jackson.databind.node.BooleanNode.FALSE);
        ClipArchitecture arch = ClipCheckpoints.open(ModelCards.load(dir)).architecture();
        assertEquals(ClipArchitecture.Activation.GELU, ((ClipArchitecture.Vit) arch.vision()).activation());
        assertEquals(ClipArchitecture.Activation.GELU, arch.text().activation());
    }

    @Test
    void transformersEosTokenIdTwoMeansArgmaxAsTransformersDoes(@TempDir Path tmp) throws IOException {
        Path dir = transformers(tmp);
        CheckpointFixtures.edit(dir.resolve("config.json"), "text_config", "eos_token_id", IntNode.valueOf(2));
        assertEquals(ClipArchitecture.Text.ARGMAX, ClipCheckpoints.open(ModelCards.load(dir)).architecture().text()
                .eosTokenId());
    }

    @Test
    void halfPrecisionCheckpointIsWidenedAndSaysSo(@TempDir Path tmp) throws IOException {
        Path dir = CheckpointFixtures.writeTransformers(VIT.resolve("model.safetensors"), CheckpointFixtures.card(VIT),
                tmp.resolve("fp16"), true);
        ModelCard card = ModelCards.load(dir);
        ClipCheckpoint half = ClipCheckpoints.open(card);
        assertEquals(ModelCards.load(VIT).logitScale(), card.logitScale(), 0.03, "about the float32 scale");
        assertEquals(java.util.Optional.of("F16 widened to float32"), ModelCards.checkpointPrecision(card),
                "what a run's provenance.json records");
        assertEquals(java.util.Optional.empty(), ModelCards.checkpointPrecision(ModelCards.load(VIT)));
        assertEquals(Math.exp(half.weights().floats("logit_scale")[0]), card.logitScale(), 1e-6,
                "the card reads the F16 logit_scale as the checkpoint reader widens it");
        assertTrue(half.widened());
        assertEquals(java.util.Set.of("F16"), half.storedTypes());
        assertEquals("transformers safetensors (F16 widened to float32)", half.describe());
        Checkpoint ref = openAi(VIT).weights();
        String name = "visual.transformer.resblocks.1.attn.in_proj_weight";
        float[] expected = ref.floats(name);
        float[] widened = half.weights().floats(name);
        for (int i = 0; i < expected.length; i++) {
            // the nearest half: within half an ulp of binary16 (2^-11 relative) or the subnormal step
            assertEquals(expected[i], widened[i], Math.max(Math.abs(expected[i]) * 0x1p-11f, 0x1p-25f), name + "[" + i + "]");
        }
    }

    @Test
    void wrongShapeNamesTheKeyExpectedAndFound(@TempDir Path tmp) throws IOException {
        Path dir = transformers(tmp);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> values = new LinkedHashMap<>();
        read(dir.resolve("model.safetensors"), shapes, values);
        String bad = "vision_model.encoder.layers.1.mlp.fc2.bias";
        shapes.put(bad, new long[] {33});
        values.put(bad, new float[33]);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), shapes, values, false);
        IOException e = assertThrows(IOException.class, () -> ClipCheckpoints.open(ModelCards.load(dir)));
        assertTrue(e.getMessage().contains("'visual.transformer.resblocks.1.mlp.c_proj.bias' (from " + bad + ")")
                && e.getMessage().contains("should have shape [32] but has [33]"), e.getMessage());
    }

    @Test
    void configThatDisagreesWithTheTensorsNamesTheKey(@TempDir Path tmp) throws IOException {
        Path dir = transformers(tmp);
        CheckpointFixtures.edit(dir.resolve("config.json"), "vision_config", "num_hidden_layers", IntNode.valueOf(12));
        IOException e = assertThrows(IOException.class, () -> ClipCheckpoints.open(ModelCards.load(dir)));
        assertTrue(e.getMessage().contains("config.json: vision_config.num_hidden_layers is 12 but the tensors of")
                && e.getMessage().endsWith("give 2"), e.getMessage());
    }

    @Test
    void unknownActivationAndLayerNormEpsAreRefusedNamingFileAndKey(@TempDir Path tmp) throws IOException {
        Path dir = transformers(tmp);
        Path config = dir.resolve("config.json");
        CheckpointFixtures.edit(config, "vision_config", "hidden_act", TextNode.valueOf("relu"));
        IOException e = assertThrows(IOException.class, () -> ClipCheckpoints.open(ModelCards.load(dir)));
        assertEquals(config + ": vision_config.hidden_act: unknown activation 'relu' (known: quick_gelu, gelu)",
                e.getMessage());
        CheckpointFixtures.edit(config, "vision_config", "hidden_act", TextNode.valueOf("gelu"));
        CheckpointFixtures.edit(config, "text_config", "layer_norm_eps", DoubleNode.valueOf(1e-6));
        e = assertThrows(IOException.class, () -> ClipCheckpoints.open(ModelCards.load(dir)));
        assertTrue(e.getMessage().startsWith(config + ": text_config.layer_norm_eps is 1.0E-6"), e.getMessage());
    }

    @Test
    void transformersTowersMayDifferInActivation(@TempDir Path tmp) throws IOException {
        Path dir = transformers(tmp);
        CheckpointFixtures.edit(dir.resolve("config.json"), "vision_config", "hidden_act", TextNode.valueOf("gelu"));
        ClipArchitecture arch = ClipCheckpoints.open(ModelCards.load(dir)).architecture();
        assertEquals(ClipArchitecture.Activation.GELU, ((ClipArchitecture.Vit) arch.vision()).activation());
        assertEquals(ClipArchitecture.Activation.QUICK_GELU, arch.text().activation());
    }

    @Test
    void aTensorNoClipHasIsRefusedByName(@TempDir Path tmp) throws IOException {
        Path dir = transformers(tmp);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> values = new LinkedHashMap<>();
        read(dir.resolve("model.safetensors"), shapes, values);
        shapes.remove("vision_model.encoder.layers.0.self_attn.k_proj.bias");
        values.remove("vision_model.encoder.layers.0.self_attn.k_proj.bias");
        shapes.put("visual_projection.bias", new long[] {16});
        values.put("visual_projection.bias", new float[16]);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), shapes, values, false);
        IOException e = assertThrows(IOException.class, () -> ClipCheckpoints.open(ModelCards.load(dir)));
        assertTrue(e.getMessage().contains("k_proj.bias") || e.getMessage().contains("visual_projection.bias"),
                e.getMessage());
    }

    @Test
    void transformersWithoutConfigAndAWrongCardLayoutAreRefused(@TempDir Path tmp) throws IOException {
        Path dir = transformers(tmp);
        JsonNode card = CheckpointFixtures.card(VIT);
        ((com.fasterxml.jackson.databind.node.ObjectNode) card).put("layout", "openai");
        ((com.fasterxml.jackson.databind.node.ObjectNode) card.path("artifacts")).remove(java.util.List.of("onnx",
                "torchscript"));
        Files.writeString(dir.resolve(ModelCards.CARD_FILE), card.toPrettyString());
        IOException e = assertThrows(IOException.class, () -> ClipCheckpoints.open(ModelCards.load(dir)));
        assertTrue(e.getMessage().contains("the model card says layout 'openai' but the tensors are named as in"
                + " transformers"), e.getMessage());
        Files.delete(dir.resolve(ModelCards.CARD_FILE));
        Files.delete(dir.resolve("config.json"));
        Files.writeString(dir.resolve(ModelCards.CARD_FILE), CheckpointFixtures.card(VIT).toPrettyString());
        e = assertThrows(IOException.class, () -> ClipCheckpoints.open(ModelCards.load(dir)));
        assertTrue(e.getMessage().contains("a transformers checkpoint needs its config.json"), e.getMessage());
    }

    @Test
    void missingTokenizerNamesTheFilesButImagesNeedNone(@TempDir Path tmp) throws IOException {
        Path dir = transformers(tmp);
        ModelCard card = ModelCards.load(dir);
        ClipCheckpoints.open(card); // the checkpoint opens without tokenizer files
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty(ModelCard.VOCAB_PROPERTY) == null
                && System.getenv("CLIPBENCH_VOCAB") == null, "a configured vocabulary would be the fallback");
        IllegalStateException e = assertThrows(IllegalStateException.class, card::resolveVocab);
        assertTrue(e.getMessage().contains("missing " + dir.resolve("vocab.json") + " and " + dir.resolve("merges.txt")
                + " (or OpenAI's bpe_simple_vocab_16e6.txt.gz)"), e.getMessage());
        Files.writeString(dir.resolve("vocab.json"), "{}");
        e = assertThrows(IllegalStateException.class, card::resolveVocab);
        assertTrue(e.getMessage().contains("missing " + dir.resolve("merges.txt") + " (or"), e.getMessage());
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n");
        assertEquals(dir.resolve("vocab.json"), card.resolveVocab());
    }

    @Test
    void openClipConfigThatDisagreesOrAsksForMoreIsRefusedNamingTheKey(@TempDir Path tmp) throws IOException {
        Path dir = CheckpointFixtures.writeOpenClip(RN.resolve("model.safetensors"), CheckpointFixtures.card(RN), tmp);
        Path config = dir.resolve("open_clip_config.json");
        JsonNode original = new com.fasterxml.jackson.databind.ObjectMapper().readTree(config.toFile());
        JsonNode text = original.path("model_cfg").path("text_cfg");
        ((com.fasterxml.jackson.databind.node.ObjectNode) text).put("width", 24);
        Files.writeString(config, original.toPrettyString());
        IOException e = assertThrows(IOException.class, () -> ClipCheckpoints.open(ModelCards.load(dir)));
        assertTrue(e.getMessage().startsWith(config + ": model_cfg.text_cfg.width is 24 but the tensors of"),
                e.getMessage());
        ((com.fasterxml.jackson.databind.node.ObjectNode) text).put("width", 16);
        ((com.fasterxml.jackson.databind.node.ObjectNode) original.path("model_cfg").path("vision_cfg"))
                .put("ls_init_value", 1e-5);
        Files.writeString(config, original.toPrettyString());
        e = assertThrows(IOException.class, () -> ClipCheckpoints.open(ModelCards.load(dir)));
        assertTrue(e.getMessage().startsWith(config + ": model_cfg.vision_cfg.ls_init_value = 1.0E-5 changes the"
                + " network"), e.getMessage());
    }
}
