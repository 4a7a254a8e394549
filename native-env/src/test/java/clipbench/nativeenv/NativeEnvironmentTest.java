package clipbench.nativeenv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NativeEnvironmentTest {
    @Test
    void aDefaultIsSeenByNativeCodeAndAUsersValueWins() {
        String fresh = "CLIPBENCH_NATIVE_ENV_TEST_" + ProcessHandle.current().pid();
        assertEquals("", NativeEnvironment.get(fresh));
        NativeEnvironment.setDefault(fresh, "one");
        assertEquals("one", NativeEnvironment.get(fresh));
        NativeEnvironment.setDefault(fresh, "two");
        assertEquals("one", NativeEnvironment.get(fresh), "a value already in the C environment is kept");
        // PATH came with the process: never replaced
        NativeEnvironment.setDefault("PATH", "/nowhere");
        assertEquals(System.getenv("PATH"), NativeEnvironment.get("PATH"));
    }
}
