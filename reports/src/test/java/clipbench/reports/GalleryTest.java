package clipbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class GalleryTest {

    private static List<Gallery.Item> items(int perClass, int wrongPerClass) {
        List<Gallery.Item> out = new ArrayList<>();
        for (String c : List.of("a", "b", "c")) {
            for (int i = 0; i < perClass; i++) {
                out.add(new Gallery.Item(c + "/" + String.format("%03d", i) + ".png", c, i < wrongPerClass ? "z" : c));
            }
        }
        return out;
    }

    @Test
    void picksHalfWrongHalfCorrectDeterministically() {
        List<Gallery.Item> all = items(20, 5);
        List<Gallery.Item> picked = Gallery.pick(all, 24);
        assertEquals(24, picked.size());
        assertEquals(12, picked.stream().filter(i -> !i.correct()).count());
        List<Gallery.Item> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new java.util.Random(7));
        assertEquals(picked, Gallery.pick(shuffled, 24), "independent of input order");
        // classes taken in turn: every class shows up among the wrong ones
        assertEquals(3, picked.stream().filter(i -> !i.correct()).map(Gallery.Item::trueClass).distinct().count());
        // sorted by image
        List<String> names = picked.stream().map(Gallery.Item::image).toList();
        List<String> sorted = new ArrayList<>(names);
        Collections.sort(sorted);
        assertEquals(sorted, names);
    }

    @Test
    void fillsWithTheOtherKindWhenOneIsShort() {
        List<Gallery.Item> picked = Gallery.pick(items(20, 1), 24);
        assertEquals(24, picked.size());
        assertEquals(3, picked.stream().filter(i -> !i.correct()).count());
        assertEquals(3, Gallery.pick(items(1, 1), 24).size(), "only three items exist");
    }

    @Test
    void drawsWrongOnesWithARedFrame() {
        List<Gallery.Item> two = List.of(new Gallery.Item("x.png", "a", "a"), new Gallery.Item("y.png", "a", "b"));
        BufferedImage img = Gallery.draw("t", two, List.of(new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB),
                new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB)));
        int tileW = Gallery.THUMB + 2 * Gallery.PAD;
        int y = Gallery.HEADER + 60;
        // the frame of the second (wrong) tile is red, the first tile has none
        assertEquals(Gallery.WRONG.getRGB(), img.getRGB(tileW + 3, y));
        assertNotEquals(Gallery.WRONG.getRGB(), img.getRGB(3, y));
    }
}
