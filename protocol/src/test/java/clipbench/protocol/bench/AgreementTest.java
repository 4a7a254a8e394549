package clipbench.protocol.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.CpuInfo;
import clipbench.api.spi.DatasetItem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Speed-up, min cosine and nearest-class-mean top-1 agreement of a reduced precision against fp32. */
class AgreementTest {
    private static BenchResult result(double rate, List<String> ids, int[] labels, float[][] rows) {
        return new BenchResult(1, 1, List.of(rate, rate), List.of(1.0), List.of(rate), 1, 1, "fake", "0".repeat(64), 8, 0,
                "", new AgreementSample(ids, labels, rows));
    }

    private static final List<String> IDS = List.of("a", "b", "c", "d");
    private static final int[] LABELS = {0, 0, 1, 1};
    private static final float[][] FP32 = {{1, 0}, {0.9f, 0.2f}, {0, 1}, {0.3f, 0.9f}};

    @Test
    void identicalEmbeddingsAgreeFullyAndTheSpeedUpIsTheRatioOfMedians() {
        Agreement a = Agreement.of(result(10, IDS, LABELS, FP32), result(25, IDS, LABELS, FP32));
        assertEquals(2.5, a.speedupVsFp32(), 1e-12);
        assertEquals(1, a.minCosineVsFp32(), 1e-6);
        assertEquals(1, a.top1AgreementVsFp32());
        assertEquals(4, a.images());
        assertTrue(a.equivalent());
    }

    @Test
    void anImageThatChangesClassLowersAgreementAndMarksTheRowNotEquivalent() {
        // "b" (class 0) moves next to class 1's mean; matched by id, whatever the order
        float[][] moved = {FP32[3], FP32[2], {0.1f, 1}, FP32[0]};
        Agreement a = Agreement.of(result(10, IDS, LABELS, FP32),
                result(12, List.of("d", "c", "b", "a"), new int[]{1, 1, 0, 0}, moved));
        assertEquals(0.75, a.top1AgreementVsFp32(), 1e-12);
        double cosB = (0.9 * 0.1 + 0.2 * 1) / Math.sqrt((0.81 + 0.04) * (0.01 + 1));
        assertEquals(cosB, a.minCosineVsFp32(), 1e-6);
        assertFalse(a.equivalent());

        BenchCase c = new BenchCase("fake", Path.of("m"), 1, 0, "int8", 0, 1, 1, "x:y", "none", Map.of(), 4);
        Map<String, String> row = BenchRow.of(c, result(12, IDS, LABELS, FP32), new CpuInfo("cpu", "avx2"), a);
        assertEquals("false", row.get("equivalent"));
        assertEquals("0.7500", row.get("top1_agreement_vs_fp32"));
        assertEquals("1.2000", row.get("speedup_vs_fp32"));
        assertTrue(row.get("precision_note").contains("lacks avx512_vnni"), row.get("precision_note"));
        assertThrows(IllegalArgumentException.class, () -> BenchRow.of(c, result(12, IDS, LABELS, FP32),
                new CpuInfo("cpu", ""), null), "a reduced-precision row without its comparison");
    }

    @Test
    void bf16OnACpuWithoutBf16InstructionsSaysItIsEmulated() {
        assertEquals("bfloat16; CPU lacks avx512_bf16/amx_bf16 (emulated)",
                BenchRow.note(clipbench.api.spi.Precision.BF16, new CpuInfo("cpu", "avx2 fma")));
        assertEquals("bfloat16", BenchRow.note(clipbench.api.spi.Precision.BF16, new CpuInfo("cpu", "avx512_bf16")));
    }

    @Test
    void differentImagesOrASingleClassCannotBeCompared() {
        assertThrows(IllegalStateException.class, () -> Agreement.of(result(1, IDS, LABELS, FP32),
                result(1, List.of("a", "b", "c", "e"), LABELS, FP32)));
        assertThrows(IllegalArgumentException.class, () -> Agreement.of(result(1, IDS, new int[4], FP32),
                result(1, IDS, new int[4], FP32)));
    }

    @Test
    void theSampleTakesTheClassesInTurn() {
        List<DatasetItem> items = List.of(item("a0", 0), item("a1", 0), item("a2", 0), item("b0", 1), item("c0", 2));
        assertEquals(List.of("a0", "b0", "c0", "a1"),
                AgreementSample.select(items, 4).stream().map(DatasetItem::id).toList());
        assertEquals(5, AgreementSample.select(items, 100).size());
    }

    private static DatasetItem item(String id, int label) {
        return new DatasetItem(id, label, () -> {
            throw new java.io.IOException("not read");
        });
    }
}
