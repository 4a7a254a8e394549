package clipbench.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CpuInfoTest {
    private static CpuInfo cpu(String model, String flags) {
        return CpuInfo.parse(List.of("processor\t: 0", "model name\t: " + model, "flags\t\t: " + flags,
                "processor\t: 1", "model name\t: other", "flags\t\t: sse2"));
    }

    @Test
    void theFirstProcessorsModelAndItsSpeedFlagsOnly() {
        CpuInfo c = cpu("AMD EPYC", "fpu sse2 avx2 fma avx512f avx512_bf16 avx512_vp2intersect");
        assertEquals("AMD EPYC", c.model());
        assertEquals("avx2 avx512_bf16 avx512f fma", c.flags());
    }

    @Test
    void oneDnnIsCappedOnAmdCpusWithAvx512Only() {
        assertTrue(cpu("AMD EPYC", "avx2 avx512f avx512_bf16").amdWithAvx512());
        assertFalse(cpu("AMD EPYC 7B12", "avx2 fma").amdWithAvx512());
        assertFalse(cpu("AMD EPYC 9654", "avx2 avx512vl").amdWithAvx512(), "avx512f itself, not a longer name");
        assertFalse(cpu("Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz", "avx2 avx512f amx_bf16").amdWithAvx512());
    }
}
