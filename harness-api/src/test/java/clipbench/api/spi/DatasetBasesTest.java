package clipbench.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class DatasetBasesTest {
    private static DatasetItem item(String id, int label) {
        return new DatasetItem(id, label, () -> null);
    }

    private static ListedDataset listed() {
        Map<String, List<DatasetItem>> items = new LinkedHashMap<>();
        items.put("train", new ArrayList<>(List.of(item("a", 0), item("b", 1))));
        items.put("test", List.of(item("c", 1)));
        return new ListedDataset("d", List.of(new ClassInfo(0, "x", "x"), new ClassInfo(1, "y", "y")), items,
                List.of("skipped z"));
    }

    @Test
    void listedKeepsSplitOrderCopiesItsInputAndNamesMissingSplits() {
        Map<String, List<DatasetItem>> items = new LinkedHashMap<>();
        List<DatasetItem> train = new ArrayList<>(List.of(item("a", 0)));
        items.put("train", train);
        items.put("test", List.of(item("c", 0)));
        ListedDataset d = new ListedDataset("d", List.of(new ClassInfo(0, "x", "x")), items, List.of());
        train.add(item("late", 0));
        assertEquals(List.of("train", "test"), d.splits());
        assertEquals(1, d.items("train").size());
        assertEquals("test", d.testSplit());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.items("val"));
        assertEquals("d: no split 'val'; splits: [train, test]", e.getMessage());
        assertEquals("d [train, test], 1 classes", d.toString());
    }

    @Test
    void listedFingerprintIsTheSpiDefault() {
        ListedDataset d = listed();
        // SHA-256 of "train/a=0\ntrain/b=1\ntest/c=1\n": the default's input format is part of every cache key
        assertEquals(Fingerprints.sha256("train/a=0\ntrain/b=1\ntest/c=1\n"), d.fingerprint());
    }

    @Test
    void forwardingHandsOnWhatItDoesNotOverride() {
        ListedDataset inner = listed();
        Dataset renamed = new ForwardingDataset(inner) {
            @Override
            public String name() {
                return inner().name() + "@2";
            }

            @Override
            public OptionalInt nativeResolution() {
                return OptionalInt.of(2);
            }
        };
        assertEquals("d@2", renamed.name());
        assertEquals(inner.splits(), renamed.splits());
        assertEquals(inner.classes(), renamed.classes());
        assertEquals(inner.items("train"), renamed.items("train"));
        assertEquals(List.of("skipped z"), renamed.warnings());
        assertEquals(inner.fingerprint(), renamed.fingerprint());
        assertEquals("test", renamed.testSplit());
        assertEquals(OptionalInt.of(2), renamed.nativeResolution());
        assertEquals("d@2 [train, test], 2 classes", renamed.toString());
        assertNotEquals(inner.toString(), renamed.toString());
    }

    @Test
    void captionsAreOptionalAndForwarded() {
        ListedDataset inner = new ListedDataset("d", listed().classes(), Map.of("test", List.of(item("c", 1))),
                List.of()) {
            @Override
            public List<String> captions(DatasetItem item) {
                return item.id().equals("c") ? List.of("a c", "the letter c") : List.of();
            }
        };
        assertEquals(List.of(), listed().captions(item("a", 0)), "the default offers none");
        Dataset wrapped = new ForwardingDataset(inner) {
        };
        // a wrapper that rebuilds items (same id) still finds the captions
        assertEquals(List.of("a c", "the letter c"), wrapped.captions(item("c", 1)));
        assertEquals(List.of(), wrapped.captions(item("b", 1)));
    }

    @Test
    void fingerprintsAreLowerCaseSha256Hex() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Fingerprints.sha256(""));
    }
}
