package clipbench.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.contract.ContractFixtures;
import clipbench.api.model.ModelCards;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClipBlocksTest {
    static ClipCheckpoint open(String fixture) throws IOException {
        return ClipCheckpoints.open(ModelCards.load(ContractFixtures.testdata("models/" + fixture)));
    }

    @Test
    void vitLastBlockTrainsThatBlockThenLnPostAndProj() throws IOException {
        ClipCheckpoint c = open("tiny-clip-vit");
        var vision = c.architecture().vision();
        List<String> blocks = ClipBlocks.blocks(vision);
        int n = blocks.size();
        List<String> keys = ClipBlocks.trainedKeys(vision, c.weights().names(), 1);
        String last = "visual." + blocks.get(n - 1) + ".";
        assertTrue(keys.stream().allMatch(k -> k.startsWith(last) || k.startsWith("visual.ln_post.")
                || k.equals("visual.proj")), keys::toString);
        assertTrue(keys.contains("visual.proj") && keys.contains(last + "attn.in_proj_weight"), keys::toString);
        assertEquals(n == 1 ? "input" : blocks.get(n - 2), ClipBlocks.cutName(vision, 1));
    }

    @Test
    void allTrainsTheStemAndEveryVisualParameter() throws IOException {
        ClipCheckpoint c = open("tiny-clip-vit");
        var vision = c.architecture().vision();
        List<String> all = ClipBlocks.trainedKeys(vision, c.weights().names(), ClipBlocks.blocks(vision).size());
        assertEquals(c.weights().names().stream().filter(k -> k.startsWith("visual.")).toList(), all);
        assertEquals("input", ClipBlocks.cutName(vision, ClipBlocks.blocks(vision).size()));
    }

    @Test
    void resnetBlocksAreBottlenecksAndStatisticsNeverTrain() throws IOException {
        ClipCheckpoint c = open("tiny-clip-rn");
        var vision = c.architecture().vision();
        List<String> blocks = ClipBlocks.blocks(vision);
        assertEquals("layer1.0", blocks.get(0));
        List<String> keys = ClipBlocks.trainedKeys(vision, c.weights().names(), blocks.size());
        assertTrue(keys.contains("visual.conv1.weight") && keys.contains("visual.attnpool.c_proj.weight"), keys::toString);
        assertTrue(keys.stream().noneMatch(k -> k.contains("running_") || k.contains("num_batches")), keys::toString);
        List<String> last = ClipBlocks.trainedKeys(vision, c.weights().names(), 1);
        assertTrue(last.stream().noneMatch(k -> k.startsWith("visual.conv1") || k.startsWith("visual.layer1.")), last::toString);
    }

    @Test
    void outOfRangeIsRefused() throws IOException {
        ClipCheckpoint c = open("tiny-clip-vit");
        var vision = c.architecture().vision();
        var e = assertThrows(IllegalArgumentException.class, () -> ClipBlocks.trainedKeys(vision, c.weights().names(), 0));
        assertTrue(e.getMessage().startsWith("last:0 is not in 1.."), e.getMessage());
    }
}
