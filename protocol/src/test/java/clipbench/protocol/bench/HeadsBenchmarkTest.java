package clipbench.protocol.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HeadsBenchmarkTest {
    @Test
    void syntheticDataIsSeededNormalisedAndSplit() {
        HeadsBenchmark.Synthetic a = HeadsBenchmark.synthetic(500, 24, 5, 3);
        HeadsBenchmark.Synthetic b = HeadsBenchmark.synthetic(500, 24, 5, 3);
        assertEquals(500, a.inputs().trainFeatures().length);
        assertEquals(100, a.inputs().valFeatures().length);
        assertEquals(100, a.testFeatures().length);
        assertEquals(5, a.inputs().classTextEmbeddings().length);
        for (int i = 0; i < 500; i++) {
            assertArrayEquals(a.inputs().trainFeatures()[i], b.inputs().trainFeatures()[i]);
            double norm = 0;
            for (float v : a.inputs().trainFeatures()[i]) {
                norm += (double) v * v;
            }
            assertEquals(1.0, norm, 1e-5);
        }
    }

    @Test
    void runReportsBothHeadsOnASmallProblem() {
        HeadsBenchmark.Result r = HeadsBenchmark.run(2000, 32, 4, 5);
        assertEquals(2000, r.n());
        assertTrue(r.liteSeconds() > 0 && r.proSeconds() > 0);
        // clusters overlap but are learnable: well above chance (0.25), below perfect is allowed
        assertTrue(r.liteTestAccuracy() > 0.6, "lite " + r.liteTestAccuracy());
        assertTrue(r.proTestAccuracy() > 0.6, "pro " + r.proTestAccuracy());
        assertTrue(Double.parseDouble(r.liteLambda()) > 0);
        assertTrue(Integer.parseInt(r.proEpochs()) >= 1);
        assertTrue(r.format().contains("lite:"), r.format());
    }
}
