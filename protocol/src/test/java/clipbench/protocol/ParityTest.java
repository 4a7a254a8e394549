package clipbench.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParityTest {
    static EmbeddedSplit split(List<String> ids, int[] labels, float[][] rows) {
        return new EmbeddedSplit(ids, labels, rows, List.of(), 0, 0, 0, ids.size(), EmbeddedSplit.TimingSource.FRESH);
    }

    @Test
    void identicalEmbeddingsAgreeAndAPerturbedOneFlips() {
        float[][] text = {{1, 0}, {0, 1}};
        float[][] a = Vectors.normalizeRows(new float[][] {{1, 0.1f}, {0.1f, 1}, {0.9f, 0.2f}});
        float[][] b = Vectors.normalizeRows(new float[][] {{1, 0.1f}, {0.1f, 1}, {0.2f, 0.9f}});
        List<String> ids = List.of("x", "y", "z");
        int[] labels = {0, 1, 0};
        List<Parity.Row> rows = Parity.compare("bicubic", List.of(
                new Parity.Side("a", split(ids, labels, a), text, 100),
                new Parity.Side("a2", split(ids, labels, a.clone()), text, 100),
                new Parity.Side("b", split(List.of("z", "y", "x"), new int[] {0, 1, 0},
                        new float[][] {b[2], b[1], b[0]}), text, 100)), 2);
        assertEquals(3, rows.size(), "every pair of three backends");
        Parity.Row same = rows.get(0);
        assertEquals(1.0, same.minCosine(), 1e-7);
        assertEquals(0, same.flips());
        assertEquals("zero-shot", same.classifier());
        Parity.Row ab = rows.get(1);
        assertEquals(3, ab.nImages(), "images matched by id, whatever their order");
        assertEquals(1, ab.flips(), "z is predicted 0 by a and 1 by b");
        double cosZ = Vectors.dot(a[2], b[2]);
        assertEquals(cosZ, ab.minCosine(), 1e-6);
        assertEquals(2.0 / 3, ab.top1Agreement(), 1e-9);
        assertEquals(1.0, ab.top1A(), 1e-9);
        assertEquals(2.0 / 3, ab.top1B(), 1e-9);
    }

    @Test
    void imageOnlyBackbonesCompareByNearestCentroid() {
        float[][] e = Vectors.normalizeRows(new float[][] {{1, 0}, {0, 1}, {1, 0.1f}});
        List<String> ids = List.of("p", "q", "r");
        Parity.Row r = Parity.compare("none", List.of(new Parity.Side("x", split(ids, new int[] {0, 1, 0}, e), null, 1),
                new Parity.Side("y", split(ids, new int[] {0, 1, 0}, e), null, 1)), 2).get(0);
        assertEquals("nearest-centroid", r.classifier());
        assertEquals(0, r.flips());
        assertEquals(1.0, r.top1A(), 1e-9);
    }
}
