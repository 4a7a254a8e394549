package clipbench.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.keras.contract.KerasReference;
import clipbench.keras.contract.KerasTestNet;
import clipbench.keras.contract.Nd;
import java.util.List;
import org.junit.jupiter.api.Test;

class KerasBlocksTest {
    /** stem conv, block_1 (conv + residual add), block_2 (conv, bn, relu), pooling: MobileNetV2's naming. */
    static KerasModel net() {
        KerasTestNet t = new KerasTestNet("toy", 6, 6, 3, 7);
        String x = t.conv("Conv1", "input", 3, "{'filters':4,'kernel_size':[3,3],'padding':'same'}");
        String a = t.conv("block_1_expand", x, 4, "{'filters':4,'kernel_size':[1,1]}");
        String b = t.conv("block_1_project", a, 4, "{'filters':4,'kernel_size':[3,3],'padding':'same'}");
        t.layer("Add", "block_1_add", "{}", x, b);
        String c = t.conv("block_2_expand", "block_1_add", 4, "{'filters':5,'kernel_size':[1,1]}");
        t.bn("block_2_expand_BN", c, 5, "{'epsilon':0.001}");
        t.layer("ReLU", "block_2_expand_relu", "{}", "block_2_expand_BN");
        t.layer("GlobalAveragePooling2D", "pool", "{}", "block_2_expand_relu");
        return t.build();
    }

    @Test
    void blocksAreTheNetworksOwnNamesInOrder() {
        assertEquals(List.of("block_1", "block_2"), KerasBlocks.blocks(net()));
    }

    @Test
    void topOnTheBottomsOutputEqualsTheWholeModel() {
        KerasModel m = net();
        KerasBlocks.Split s = KerasBlocks.lastBlocks(m, 1);
        assertEquals("block_1_add", s.cut());
        assertArrayEquals(new int[] {6, 6, 4}, s.top().inputShape());
        assertEquals(6 * 6 * 4, s.activationLength());
        assertTrue(s.top().weights().keySet().stream().allMatch(k -> k.startsWith("block_2_")), s.top().weights().keySet()::toString);
        Nd input = Nd.random(1, new int[] {6, 6, 3}, 3);
        Nd whole = KerasReference.run(m, input);
        Nd split = KerasReference.run(s.top(), KerasReference.run(s.bottom(), input));
        assertArrayEquals(whole.v(), split.v(), 1e-6f);
    }

    @Test
    void allBlocksCutAtTheInput() {
        KerasBlocks.Split s = KerasBlocks.lastBlocks(net(), 2);
        assertEquals("input", s.cut());
        assertNull(s.bottom());
    }

    @Test
    void aCutInsideAResidualIsRefusedNamingTheReader() {
        var e = assertThrows(IllegalArgumentException.class, () -> KerasBlocks.after(net(), "block_1_expand"));
        assertTrue(e.getMessage().contains("'block_1_add'") && e.getMessage().contains("'Conv1'"), e.getMessage());
    }

    @Test
    void outOfRangeNamesTheBlocks() {
        var e = assertThrows(IllegalArgumentException.class, () -> KerasBlocks.lastBlocks(net(), 3));
        assertTrue(e.getMessage().contains("last:3 is not in 1..2 (its blocks: block_1, block_2)"), e.getMessage());
    }
}
