package clipbench.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.DatasetItem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ShotSamplerTest {
    static List<DatasetItem> items(String split, int classes, int perClass) {
        List<DatasetItem> out = new ArrayList<>();
        RgbImage img = RgbImage.filled(1, 1, 0, 0, 0);
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < perClass; i++) {
                out.add(new DatasetItem(split + "/c" + c + "/" + i + ".png", c, () -> img));
            }
        }
        return out;
    }

    final List<DatasetItem> train = items("Training", 5, 20);
    final ShotSampler sampler = new ShotSampler(4);

    @Test
    void sameSeedSameShotsWhateverTheItemOrder() {
        List<DatasetItem> shuffled = new ArrayList<>(train);
        Collections.shuffle(shuffled, new java.util.Random(7));
        assertEquals(sampler.sample(train, 5, 4, 1), sampler.sample(shuffled, 5, 4, 1));
        assertNotEquals(sampler.sample(train, 5, 4, 1).train(), sampler.sample(train, 5, 4, 2).train());
    }

    @Test
    void kPerClassNestedAcrossKAndValidationDisjoint() {
        Map<String, Integer> label = train.stream().collect(Collectors.toMap(DatasetItem::id, DatasetItem::label));
        Shots two = sampler.sample(train, 5, 2, 0);
        Shots eight = sampler.sample(train, 5, 8, 0);
        for (int c = 0; c < 5; c++) {
            int cls = c;
            assertEquals(2, two.train().stream().filter(id -> label.get(id) == cls).count());
            assertEquals(4, eight.validation().stream().filter(id -> label.get(id) == cls).count());
        }
        assertTrue(eight.train().containsAll(two.train()), "shots are nested: the 2 shots are among the 8");
        Set<String> overlap = new HashSet<>(eight.train());
        overlap.retainAll(eight.validation());
        assertTrue(overlap.isEmpty(), "validation never overlaps the shots");
    }

    @Test
    void allTakesEveryImageButATenthForValidationAndSmallClassesGiveWhatTheyHave() {
        Shots all = sampler.sample(train, 5, Shots.ALL, 0);
        assertEquals(5 * 18, all.train().size());
        assertEquals(5 * 2, all.validation().size());
        Shots many = sampler.sample(train, 5, 50, 0);
        assertEquals(100, many.train().size(), "a class with fewer than k images gives all it has");
        assertTrue(many.validation().isEmpty());
    }

    @Test
    void neverDrawsFromAnotherSplit() {
        List<DatasetItem> test = items("Test", 5, 5);
        Set<String> testIds = test.stream().map(DatasetItem::id).collect(Collectors.toSet());
        for (int k : new int[] {1, 2, 16, Shots.ALL}) {
            Shots s = sampler.sample(train, 5, k, 3);
            assertTrue(s.train().stream().noneMatch(testIds::contains));
            assertTrue(s.validation().stream().noneMatch(testIds::contains));
        }
    }
}
