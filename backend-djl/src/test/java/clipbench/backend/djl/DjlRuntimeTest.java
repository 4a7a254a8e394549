package clipbench.backend.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import clipbench.api.CpuInfo;
import clipbench.nativeenv.NativeEnvironment;
import org.junit.jupiter.api.Test;

/** The native defaults DjlRuntime gives libtorch: in the C environment once the engine runs, a user's value kept. */
class DjlRuntimeTest {
    @Test
    void libtorchRunsWithPassiveOpenMpWaitingAndHugePagesUnlessTheEnvironmentSaysOtherwise() {
        DjlRuntime.engine();
        assertNativeDefault(DjlRuntime.WAIT_POLICY_VARIABLE, "PASSIVE");
        assertNativeDefault(DjlRuntime.HUGE_PAGES_VARIABLE, "1");
        if (CpuInfo.current().amdWithAvx512()) {
            assertNativeDefault(DjlRuntime.ONEDNN_ISA_VARIABLE, NativeEnvironment.ONEDNN_SAFE_ISA);
        }
    }

    private static void assertNativeDefault(String variable, String value) {
        String users = System.getenv(variable);
        assertEquals(users == null ? value : users, NativeEnvironment.get(variable), variable);
    }
}
