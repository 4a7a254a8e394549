package clipbench.api;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ApiVersionTest {
    @Test
    void apiVersionsOfTheSameMajorAndAnOlderMinorAreCompatible() {
        assertNull(ApiVersion.incompatibility("1.0", "1.2"));
        assertNull(ApiVersion.incompatibility("1.2", "1.2"));
        assertTrue(ApiVersion.incompatibility("1.3", "1.2").contains("update clipbench"));
        assertTrue(ApiVersion.incompatibility("0.9", "1.2").contains("another major"));
        assertTrue(ApiVersion.incompatibility("1", "1.2").contains("not MAJOR.MINOR"));
        assertTrue(ApiVersion.incompatibility(null, "1.2").contains("states no"));
    }
}
