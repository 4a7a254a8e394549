package clipbench.protocol.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.CpuInfo;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing of /proc/self/status and /proc/cpuinfo, the two Linux files a bench row reads. */
class ProcessInfoTest {
    @Test
    void vmHwmIsReadInMebibytes() throws IOException {
        assertEquals(200.0, ProcessMemory.vmHwmMb(List.of("Name:\tjava", "VmPeak:\t  999 kB", "VmHWM:\t  204800 kB",
                "VmRSS:\t  1 kB")));
        assertThrows(IOException.class, () -> ProcessMemory.vmHwmMb(List.of("VmRSS:\t 1 kB")));
        assertThrows(IOException.class, () -> ProcessMemory.vmHwmMb(List.of("VmHWM:\t 1 MB")));
    }

    @Test
    void peakRssOfThisProcessIsPositiveOnLinux() throws IOException {
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertTrue(ProcessMemory.peakRssMb() > 1);
        }
        assertTrue(ProcessMemory.heapPeakMb() > 0);
    }

    @Test
    void cpuInfoKeepsTheModelAndOnlySpeedRelevantFlags() {
        CpuInfo cpu = CpuInfo.parse(List.of("processor\t: 0", "model name\t: Intel(R) Xeon(R) Platinum 8480+",
                "flags\t\t: fpu vme sse4_2 avx2 fma avx512f avx512_vnni avx512_bf16 amx_tile amx_bf16 ht",
                "processor\t: 1", "model name\t: other", "flags\t\t: fpu"));
        assertEquals("Intel(R) Xeon(R) Platinum 8480+", cpu.model());
        assertEquals("amx_bf16 amx_tile avx2 avx512_bf16 avx512_vnni avx512f fma sse4_2", cpu.flags());
        assertEquals(new CpuInfo("unknown", ""), CpuInfo.parse(List.of()));
        assertEquals("asimd", CpuInfo.parse(List.of("Features\t: fp asimd evtstrm")).flags());
    }
}
