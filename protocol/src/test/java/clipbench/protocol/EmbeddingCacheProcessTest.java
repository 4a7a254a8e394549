package clipbench.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.spi.DatasetItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache with real processes: two JVMs on one folder, and a child killed with SIGKILL mid-block. */
class EmbeddingCacheProcessTest {
    static final List<DatasetItem> ITEMS = EmbeddingCacheTest.items(60, 7);

    /** Child: embeds {@link #ITEMS} into the cache folder {@code args[0]}, {@code args[1]} ms per batch. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        long sleep = Long.parseLong(args[1]);
        EmbeddedSplit split = new EmbeddingCache(dir).getOrCompute(EmbeddingCacheTest.KEY, ITEMS,
                () -> EmbeddingCacheReliabilityTest.pipeline(new EmbeddingCacheReliabilityTest.Backbone(dir, -1,
                        sleep), 4), ProgressListener.NONE);
        System.out.println("rows " + split.size());
    }

    private static Process child(Path cache, long sleepMillis, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                EmbeddingCacheProcessTest.class.getName(), cache.toString(), Long.toString(sleepMillis))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void twoProcessesOnOneCacheFolderBothGetCorrectRows(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        List<Process> children = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            children.add(child(cache, 10, dir.resolve("child" + i + ".log")));
        }
        for (int i = 0; i < 2; i++) {
            assertTrue(children.get(i).waitFor(120, TimeUnit.SECONDS), "child " + i + " finished");
            String out = Files.readString(dir.resolve("child" + i + ".log"));
            assertEquals(0, children.get(i).exitValue(), out);
            assertTrue(out.contains("rows 59"), out);
        }
        EmbeddedSplit read = new EmbeddingCache(cache).getOrCompute(EmbeddingCacheTest.KEY, ITEMS,
                () -> { throw new AssertionError("complete"); }, ProgressListener.NONE);
        EmbeddingCacheReliabilityTest.assertSameRows(EmbeddingCacheReliabilityTest.clean(dir, ITEMS), read);
    }

    @Test
    void aChildKilledMidBlockIsResumedToTheCleanRows(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        Process child = child(cache, 40, dir.resolve("child.log"));
        Path partial = cache.resolve(EmbeddingCacheTest.KEY.digest() + ".partial");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(partial) && Files.size(partial) > 300) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        child.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
        child.waitFor();
        assertTrue(Files.exists(partial), "killed before the commit: " + Files.readString(dir.resolve("child.log")));
        FakeColorBackbone backbone = new FakeColorBackbone(new int[3], false, dir);
        EmbeddingCacheReliabilityTest.Warnings warnings = new EmbeddingCacheReliabilityTest.Warnings();
        EmbeddedSplit resumed = new EmbeddingCache(cache).getOrCompute(EmbeddingCacheTest.KEY, ITEMS,
                () -> EmbeddingCacheReliabilityTest.pipeline(backbone, 4), warnings);
        EmbeddingCacheReliabilityTest.assertSameRows(EmbeddingCacheReliabilityTest.clean(dir, ITEMS), resumed);
        int embeddedNow = backbone.batchSizes.stream().mapToInt(Integer::intValue).sum();
        assertTrue(embeddedNow < 59, "resumed, not started over: " + embeddedNow + " " + warnings.messages);
        assertEquals(EmbeddedSplit.TimingSource.PARTIAL, resumed.timingSource(), warnings.messages.toString());
    }
}
