package clipbench.protocol.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.spi.Head;
import clipbench.api.spi.HeadInputs;
import clipbench.protocol.ZeroShotHeadProvider;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProHeadProviderTest {
    @Test
    void withoutTrainingRowsItIsExactlyZeroShot() {
        int classes = 7;
        int d = 33;
        Random r = new Random(1);
        float[][] text = new float[classes][d];
        for (float[] t : text) {
            for (int j = 0; j < d; j++) {
                t[j] = (float) r.nextGaussian();
            }
            TestData.normalize(t);
        }
        float[][] images = TestData.clusters(text, 40, 0.9, 2).x;
        HeadInputs in = HeadInputs.zeroShot(text, 100.0);
        Head zero = new ZeroShotHeadProvider().fit(in);
        Head pro = new ProHeadProvider().fit(in);
        float[][] expected = zero.logits(images);
        float[][] actual = pro.logits(images);
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], "row " + i); // exact: same floats
        }
        assertEquals(0, pro.trainableParameters(), "nothing was trained");
        assertEquals("0", pro.selected().get("epochs"));
    }

    @Test
    void learnsAwayFromWrongTextEmbeddings() {
        int classes = 5;
        int d = 32;
        float[][] means = TestData.means(classes, d, 3);
        // the prompts of classes 0 and 1 are swapped and class 2's points nowhere useful: zero-shot misses
        // three classes out of five
        float[][] text = new float[classes][];
        text[0] = means[1].clone();
        text[1] = means[0].clone();
        text[2] = TestData.means(1, d, 99)[0];
        text[3] = means[3].clone();
        text[4] = means[4].clone();
        TestData train = TestData.clusters(means, 16, 0.3, 4);
        TestData val = TestData.clusters(means, 16, 0.3, 5);
        TestData test = TestData.clusters(means, 60, 0.3, 6);
        HeadInputs in = new HeadInputs(classes, text, 100.0, train.x, train.y, val.x, val.y, 8);
        Head zero = new ZeroShotHeadProvider().fit(HeadInputs.zeroShot(text, 100.0));
        Head pro = new ProHeadProvider().fit(in);
        double zeroVal = TestData.accuracy(zero.logits(val.x), val.y);
        double proVal = TestData.accuracy(pro.logits(val.x), val.y);
        double zeroTest = TestData.accuracy(zero.logits(test.x), test.y);
        double proTest = TestData.accuracy(pro.logits(test.x), test.y);
        assertTrue(zeroVal <= 0.65, "zero-shot should be poor here: " + zeroVal);
        assertTrue(proVal >= zeroVal + 0.3, "validation: pro " + proVal + " vs zero-shot " + zeroVal);
        assertTrue(proTest >= zeroTest + 0.3, "test: pro " + proTest + " vs zero-shot " + zeroTest);
        assertEquals((long) d * classes + 1, pro.trainableParameters());
        assertEquals("validation", pro.selected().get("stop_rule"));
        assertTrue(Integer.parseInt(pro.selected().get("epochs")) >= 1);
        assertTrue(Integer.parseInt(pro.selected().get("best_epoch")) >= 1, "improved on the zero-shot start");
        assertEquals(Double.toString(ProHeadProvider.LEARNING_RATE), pro.selected().get("lr"));
        double scale = Double.parseDouble(pro.selected().get("scale"));
        assertTrue(scale > 0 && Double.isFinite(scale));
    }

    @Test
    void logitsAreTheLearnedScaleTimesCosine() {
        int classes = 3;
        int d = 16;
        float[][] means = TestData.means(classes, d, 17);
        TestData train = TestData.clusters(means, 20, 0.4, 18);
        Head pro = new ProHeadProvider().fit(new HeadInputs(classes, means, 50.0, train.x, train.y,
                new float[0][], new int[0], 3));
        float[][] w = ((LinearHead) pro).weights();
        double scale = Double.parseDouble(pro.selected().get("scale"));
        for (float[] row : w) {
            double norm = 0;
            for (float v : row) {
                norm += (double) v * v;
            }
            assertEquals(scale, Math.sqrt(norm), 1e-5 * scale, "each class vector has norm s");
        }
        assertEquals("held-out", pro.selected().get("stop_rule"));
        assertEquals((long) d * classes + 1, pro.trainableParameters());
    }

    @Test
    void sameSeedGivesIdenticalWeights() {
        int classes = 4;
        float[][] means = TestData.means(classes, 24, 21);
        TestData train = TestData.clusters(means, 200, 0.5, 22); // 800 rows: four blocks, batches shuffled
        TestData val = TestData.clusters(means, 20, 0.5, 23);
        HeadInputs in = new HeadInputs(classes, TestData.means(classes, 24, 24), 100.0, train.x, train.y,
                val.x, val.y, 77);
        LinearHead a = (LinearHead) new ProHeadProvider().fit(in);
        LinearHead b = (LinearHead) new ProHeadProvider().fit(in);
        for (int c = 0; c < classes; c++) {
            assertArrayEquals(a.weights()[c], b.weights()[c]);
        }
        assertEquals(a.selected(), b.selected());
    }

    @Test
    void needsTextEmbeddings() {
        HeadInputs in = new HeadInputs(2, null, 100, new float[][] {{1, 0}}, new int[] {0}, new float[0][],
                new int[0], 1);
        assertThrows(IllegalArgumentException.class, () -> new ProHeadProvider().fit(in));
        assertTrue(new ProHeadProvider().needsText());
        assertTrue(new ProHeadProvider().trainable());
    }
}
