package clipbench.protocol.align;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class CaptionPairsTest {
    @Test
    void sharedCaptionsAreOneRowAndImagesWithoutCaptionsHaveNoPairs() {
        CaptionPairs p = CaptionPairs.of(List.of(
                List.of("red apple", "apple"),
                List.of(),
                List.of("green apple", "apple", "apple")));
        assertEquals(List.of("red apple", "apple", "green apple"), p.captions());
        assertEquals(List.of(new Pair(0, 0), new Pair(0, 1), new Pair(2, 2), new Pair(2, 1)), p.pairs());
        assertEquals(2, p.pairedImages());
    }
}
