package clipbench.backend.tensorflow;

import static clipbench.api.contract.ContractFixtures.maxAbsDiff;
import static clipbench.api.contract.ContractFixtures.sineImages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.ImageBatch;
import clipbench.checkpoint.fixtures.CheckpointFixtures;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One network, three layouts: the transformers and open_clip folders made from the tiny fixtures (read by layout,
 * no model card) give the OpenAI-named checkpoint's embeddings, image and text, when TensorFlow builds them.
 */
class TfCheckpointLayoutsTest {
    private static final TfBackboneProvider PROVIDER = new TfBackboneProvider();

    /** The same weights through the same graph: any difference is a renaming, transposing or splitting bug. */
    private static void assertSameEmbeddings(Path reference, Path layout, double tolerance) throws IOException {
        ImageBatch images = sineImages(0, 3, 224);
        int[][] tokens = ContractFixtures.goldenTokens();
        try (Backbone ref = PROVIDER.open(ModelCards.load(reference), BackendOptions.defaults());
             Backbone other = PROVIDER.open(ModelCards.load(layout), BackendOptions.defaults())) {
            assertTrue(other.capabilities().contains(Capability.TEXT_TOWER), layout.toString());
            assertEquals(0, maxAbsDiff(other.embedImages(images), ref.embedImages(images)), tolerance, "images");
            assertEquals(0, maxAbsDiff(other.embedTokens(tokens), ref.embedTokens(tokens)), tolerance, "text");
        }
    }

    @Test
    void transformersFolderGivesTheOpenAiEmbeddings(@TempDir Path tmp) throws IOException {
        Path vit = TfFixtures.fixture("tiny-clip-vit");
        Path hf = CheckpointFixtures.writeTransformers(vit.resolve("model.safetensors"), CheckpointFixtures.card(vit),
                tmp.resolve("hf"));
        assertSameEmbeddings(vit, hf, 1e-6);
        // config.json sets activation and pooling: it is part of the model hash, so editing it makes a new cache block
        assertEquals(java.util.List.of(hf.resolve("model.safetensors"), hf.resolve("config.json")),
                PROVIDER.artifactFiles(ModelCards.load(hf)));
        assertEquals(java.util.List.of(vit.resolve("model.safetensors")), PROVIDER.artifactFiles(ModelCards.load(vit)));
    }

    @Test
    void openClipFoldersGiveTheOpenAiEmbeddings(@TempDir Path tmp) throws IOException {
        for (String name : new String[] {"tiny-clip-vit", "tiny-clip-rn"}) {
            Path fixture = TfFixtures.fixture(name);
            Path oc = CheckpointFixtures.writeOpenClip(fixture.resolve("model.safetensors"),
                    CheckpointFixtures.card(fixture), tmp.resolve(name));
            assertSameEmbeddings(fixture, oc, 1e-6);
        }
    }

    /** Half precision rounds every weight (2^-11 relative): close to, not equal to, the float32 network. */
    @Test
    void halfPrecisionTransformersFolderIsWidenedAndClose(@TempDir Path tmp) throws IOException {
        Path vit = TfFixtures.fixture("tiny-clip-vit");
        Path hf = CheckpointFixtures.writeTransformers(vit.resolve("model.safetensors"), CheckpointFixtures.card(vit),
                tmp.resolve("fp16"), true);
        assertSameEmbeddings(vit, hf, 5e-3);
    }
}
