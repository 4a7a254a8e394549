package clipbench.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubsampledDatasetTest {
    @Test
    void keepsAtMostNTestImagesPerClassStablyAndLeavesTrainingAlone() {
        Dataset full = RunnerTest.coloursWithTraining();
        Dataset small = SubsampledDataset.testPerClass(full, 2);
        List<DatasetItem> test = small.items("Test");
        for (int c = 0; c < 3; c++) {
            int cls = c;
            assertEquals(2, test.stream().filter(i -> i.label() == cls).count());
        }
        assertEquals(test.stream().map(DatasetItem::id).toList(),
                SubsampledDataset.testPerClass(full, 2).items("Test").stream().map(DatasetItem::id).toList());
        assertEquals(full.items("Training"), small.items("Training"));
        assertTrue(small.name().endsWith("[test<=2/class]"));
        assertNotEquals(full.fingerprint(), small.fingerprint());
        assertEquals(13, SubsampledDataset.testPerClass(full, 100).items("Test").size(), "all when fewer");
    }
}
