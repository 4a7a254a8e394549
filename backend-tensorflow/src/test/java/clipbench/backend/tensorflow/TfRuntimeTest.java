package clipbench.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import clipbench.api.CpuInfo;
import org.junit.jupiter.api.Test;

/** oneDNN's instruction-set cap: where it applies, that it is set, and that the runtime version says so. */
class TfRuntimeTest {
    @Test
    void theCapIsSetHereWhereItAppliesAndNamedInTheVersion() {
        String own = System.getenv(TfRuntime.ONEDNN_ISA_VARIABLE);
        String cap = TfRuntime.oneDnnCap();
        if (own != null) {
            assertEquals(own, cap, "a user's own value wins");
        } else if (CpuInfo.current().amdWithAvx512()) {
            assertEquals(clipbench.nativeenv.NativeEnvironment.ONEDNN_SAFE_ISA, cap);
        } else {
            assertEquals("", cap);
        }
        assertEquals(!cap.isEmpty(), TfRuntime.version().endsWith(" / oneDNN ISA " + cap), TfRuntime.version());
    }
}
