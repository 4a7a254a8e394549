package clipbench.protocol.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.spi.FineTunable;
import clipbench.api.spi.TowerCut;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FineTuneModeTest {
    @Test
    void parsesEveryForm() {
        assertEquals(List.of("head", "last:0", "last:2", "all", "after:mixed9"),
                FineTuneMode.parseList("head, last:0,last:2,all,after:mixed9").stream().map(FineTuneMode::label).toList());
        assertTrue(FineTuneMode.parse("head").frozen());
        assertTrue(FineTuneMode.parse("last:0").frozen(), "last:0 is the frozen-feature head");
        assertFalse(FineTuneMode.parse("last:1").frozen());
        assertFalse(FineTuneMode.ALL.frozen());
    }

    @Test
    void errorsNameTheSetting() {
        for (String bad : List.of("last:-1", "last:x", "last:", "after:", "first:2", "", "head,head")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTuneMode.parseList(bad));
            assertTrue(e.getMessage().startsWith("--finetune: "), e.getMessage());
        }
    }

    @Test
    void cutsByMode() {
        List<String> asked = new ArrayList<>();
        FineTunable tower = new FineTunable() {
            @Override
            public List<String> blocks() {
                return List.of("b0", "b1", "b2");
            }

            @Override
            public TowerCut cut(int lastBlocks) {
                asked.add("last " + lastBlocks);
                return null;
            }

            @Override
            public TowerCut cutAfter(String layer) {
                asked.add("after " + layer);
                return null;
            }
        };
        FineTuneMode.parse("last:2").cut(tower);
        FineTuneMode.ALL.cut(tower);
        FineTuneMode.parse("after:b0").cut(tower);
        assertEquals(List.of("last 2", "last 3", "after b0"), asked);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FineTuneMode.parse("last:4").cut(tower));
        assertTrue(e.getMessage().contains("--finetune") && e.getMessage().contains("3"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> FineTuneMode.parse("last:0").cut(tower));
        assertSame(FineTuneMode.HEAD, FineTuneMode.parse(" head "));
    }
}
