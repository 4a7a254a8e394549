package clipbench.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.CpuInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** oneDNN's instruction-set cap: where it applies, that it is set, and that the runtime version says so. */
class TfRuntimeTest {
    @Test
    void oneDnnIsCappedOnAmdCpusWithAvx512Only() {
        assertTrue(TfRuntime.capsOneDnn(cpu("AMD EPYC", "avx2 avx512f avx512_bf16")));
        assertFalse(TfRuntime.capsOneDnn(cpu("AMD EPYC 7B12", "avx2 fma")));
        assertFalse(TfRuntime.capsOneDnn(cpu("Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz", "avx2 avx512f")));
    }

    @Test
    void theCapIsSetHereWhereItAppliesAndNamedInTheVersion() {
        String own = System.getenv(TfRuntime.ONEDNN_ISA_VARIABLE);
        String cap = TfRuntime.oneDnnCap();
        if (own != null) {
            assertEquals(own, cap, "a user's own value wins");
        } else if (TfRuntime.capsOneDnn(CpuInfo.current())) {
            assertEquals("AVX2", cap);
        } else {
            assertEquals("", cap);
        }
        assertEquals(!cap.isEmpty(), TfRuntime.version().endsWith(" / oneDNN ISA " + cap), TfRuntime.version());
    }

    private static CpuInfo cpu(String model, String flags) {
        return CpuInfo.parse(List.of("model name\t: " + model, "flags\t\t: " + flags));
    }
}
