package clipbench.backend.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.CpuInfo;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The native defaults DjlRuntime gives libtorch: in the C environment once the engine runs, a user's value kept. */
class DjlRuntimeTest {
    @Test
    void libtorchRunsWithPassiveOpenMpWaitingAndHugePagesUnlessTheEnvironmentSaysOtherwise() {
        DjlRuntime.engine();
        assertNativeDefault(DjlRuntime.WAIT_POLICY_VARIABLE, "PASSIVE");
        assertNativeDefault(DjlRuntime.HUGE_PAGES_VARIABLE, "1");
        if (DjlRuntime.capsOneDnn(CpuInfo.current())) {
            assertNativeDefault(DjlRuntime.ONEDNN_ISA_VARIABLE, "SSE41");
        }
    }

    @Test
    void oneDnnIsCappedOnAmdCpusWithAvx512Only() {
        assertTrue(DjlRuntime.capsOneDnn(cpu("AMD EPYC", "avx2 avx512f avx512_bf16")));
        assertFalse(DjlRuntime.capsOneDnn(cpu("AMD EPYC 7B12", "avx2 fma")));
        assertFalse(DjlRuntime.capsOneDnn(cpu("Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz", "avx2 avx512f amx_bf16")));
    }

    private static CpuInfo cpu(String model, String flags) {
        return CpuInfo.parse(List.of("model name\t: " + model, "flags\t\t: " + flags));
    }

    private static void assertNativeDefault(String variable, String value) {
        String users = System.getenv(variable);
        assertEquals(users == null ? value : users, DjlRuntime.LibC.INSTANCE.getenv(variable), variable);
    }
}
