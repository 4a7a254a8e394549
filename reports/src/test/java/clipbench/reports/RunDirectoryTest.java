package clipbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.protocol.ClassCount;
import clipbench.protocol.Outcome;
import clipbench.protocol.Prediction;
import clipbench.protocol.Provenance;
import clipbench.protocol.ResultRow;
import clipbench.protocol.RunProvenance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
    static final List<String> CLASSES = List.of("apple", "banana", "cherry");

    /** A k-shot outcome of head {@code head}, seed {@code seed}: every test image right. */
    static Outcome outcome(String head, long seed) {
        Provenance p = new Provenance("run", "onnx", "ort 1", "tiny", "abc", "fruit", "Test", "bicubic", "pre",
                "clip7", "test");
        ResultRow row = new ResultRow(p, "k-shot", head, 1, seed, 3, 1, 3, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, Map.of(),
                false, clipbench.protocol.EmbeddedSplit.TimingSource.FRESH, 3, "");
        int[][] confusion = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        List<Prediction> predictions = CLASSES.stream().map(c -> new Prediction(c + ".png", c, c, 0.9f)).toList();
        return new Outcome(row, predictions, confusion, CLASSES);
    }

    /** A fine-tuning outcome of lite in mode {@code mode}, seed 0, with two epochs after epoch 0. */
    static Outcome fineTuned(String mode) {
        ResultRow k = outcome("lite", 0).row();
        ResultRow row = new ResultRow(k.provenance(), "fine-tune", "lite", 1, 0, 3, 1, 3, 1, 1, 1, 0, 0, 0, 0.5, 0, 0,
                0, 40, Map.of("best_epoch", "1"), false, clipbench.protocol.EmbeddedSplit.TimingSource.FRESH, 3, 0, "",
                new ResultRow.Training(mode, 2, 123.5));
        List<clipbench.protocol.finetune.EpochRecord> epochs = List.of(
                new clipbench.protocol.finetune.EpochRecord(0, 1.1, 0.5, 1.0),
                new clipbench.protocol.finetune.EpochRecord(1, 0.7, 1.0, 0.6),
                new clipbench.protocol.finetune.EpochRecord(2, 0.4, 1.0, 0.7));
        Outcome base = outcome("lite", 0);
        return new Outcome(row, base.predictions(), base.confusion(), CLASSES, epochs);
    }

    @Test
    void fineTuningRowsWriteTheirEpochsToTrainingCsvAndResumeByMode(@TempDir Path dir) throws IOException {
        RunDirectory run = open(dir, false, settings("clip7"));
        run.accept(outcome("lite", 0));
        run.accept(fineTuned("last:1"));
        run.accept(fineTuned("last:2"));
        run.finish();
        List<org.apache.commons.csv.CSVRecord> results = RunDirectory.read(dir.resolve(RunDirectory.RESULTS));
        // outcome() builds its row without a mode (as zero-shot rows are): the cell stays empty.
        assertEquals(List.of("", "last:1", "last:2"), results.stream().map(r -> r.get("finetune")).toList());
        assertEquals(List.of("0", "2", "2"), results.stream().map(r -> r.get("epochs")).toList());
        assertEquals("123.500000", results.get(1).get("peak_rss_mb"));
        List<org.apache.commons.csv.CSVRecord> training = RunDirectory.read(dir.resolve(RunDirectory.TRAINING));
        assertEquals(6, training.size(), "3 epochs x 2 fine-tuning rows; none for the head row");
        assertEquals(List.of("last:1", "0", "1.100000", "0.500000"), List.of(training.get(0).get("finetune"),
                training.get(0).get("epoch"), training.get(0).get("train_loss"), training.get(0).get("val_accuracy")));
        assertEquals(9, RunDirectory.read(dir.resolve(RunDirectory.PER_CLASS)).size(), "one set per mode");
        assertEquals(9, RunDirectory.read(dir.resolve(RunDirectory.PREDICTIONS)).size());

        RunDirectory resumed = open(dir, true, settings("clip7"));
        assertTrue(resumed.done(fineTuned("last:2").row().key()));
        assertTrue(!resumed.done(fineTuned("all").row().key()), "another mode is another row");
    }

    static Map<String, Object> settings(String templates) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("templates", templates);
        m.put("k", List.of("1", "all"));
        m.put("threads", 2);
        return m;
    }

    static RunDirectory open(Path dir, boolean resume, Map<String, Object> settings) throws IOException {
        return RunDirectory.open(dir, resume, settings, Set.of("threads"), null, 20);
    }

    @Test
    void aCrashBetweenCompanionsAndTheResultsRowLeavesNoDuplicateAfterResume(@TempDir Path dir) throws IOException {
        RunDirectory first = open(dir, false, settings("clip7"));
        first.accept(outcome("lite", 0));
        first.beforeCommit = () -> {
            throw new IllegalStateException("killed");
        };
        assertThrows(IllegalStateException.class, () -> first.accept(outcome("lite", 1)));
        assertEquals(6, RunDirectory.read(dir.resolve(RunDirectory.PER_CLASS)).size(), "the crash left 3 extra");

        RunDirectory resumed = open(dir, true, settings("clip7"));
        assertTrue(resumed.done(outcome("lite", 0).row().key()));
        assertTrue(!resumed.done(outcome("lite", 1).row().key()), "no results row, so not done");
        resumed.accept(outcome("lite", 1));
        resumed.finish();

        assertEquals(2, RunDirectory.read(dir.resolve(RunDirectory.RESULTS)).size());
        assertEquals(6, RunDirectory.read(dir.resolve(RunDirectory.PER_CLASS)).size(), "3 classes x 2 results");
        assertEquals(6, RunDirectory.read(dir.resolve(RunDirectory.PREDICTIONS)).size());
        assertEquals(RunDirectory.read(dir.resolve(RunDirectory.CONFUSIONS)).size(),
                Set.copyOf(Files.readAllLines(dir.resolve(RunDirectory.CONFUSIONS))).size() - 1, "no duplicate");
    }

    @Test
    void companionRowsWithoutAResultsRowAreDroppedWhenOpened(@TempDir Path dir) throws IOException {
        RunDirectory first = open(dir, false, settings("clip7"));
        first.beforeCommit = () -> {
            throw new IllegalStateException("killed");
        };
        assertThrows(IllegalStateException.class, () -> first.accept(outcome("pro", 0)));
        open(dir, true, settings("clip7"));
        assertEquals(0, RunDirectory.read(dir.resolve(RunDirectory.PER_CLASS)).size());
        assertEquals(0, RunDirectory.read(dir.resolve(RunDirectory.CONFUSIONS)).size());
    }

    @Test
    void aResumeWithOtherSettingsIsRefusedAndChangesNothing(@TempDir Path dir) throws IOException {
        String runId = open(dir, false, settings("clip7")).runId();
        byte[] runJson = Files.readAllBytes(dir.resolve(RunDirectory.RUN_JSON));
        Map<String, Object> changed = settings("photo");
        changed.put("k", List.of("1"));
        IOException e = assertThrows(IOException.class, () -> open(dir, true, changed));
        assertTrue(e.getMessage().contains("templates: stored \"clip7\", given \"photo\""), e.getMessage());
        assertTrue(e.getMessage().contains("k: stored [\"1\",\"all\"], given [\"1\"]"), e.getMessage());
        assertTrue(!e.getMessage().contains("threads"), e.getMessage());
        Map<String, Object> added = settings("clip7");
        added.put("seeds", 3);
        e = assertThrows(IOException.class, () -> open(dir, true, added));
        assertTrue(e.getMessage().contains("seeds: stored (none), given 3"), e.getMessage());
        assertEquals(new String(runJson), new String(Files.readAllBytes(dir.resolve(RunDirectory.RUN_JSON))));

        Map<String, Object> otherThreads = settings("clip7");
        otherThreads.put("threads", 8);
        assertEquals(runId, open(dir, true, otherThreads).runId(), "threads change no number");
        assertEquals(new String(runJson), new String(Files.readAllBytes(dir.resolve(RunDirectory.RUN_JSON))),
                "run.json keeps the settings of the run");
    }

    static RunProvenance provenance(String fingerprint, int threads) {
        return new RunProvenance(Map.of("dataset", Map.of("name", "fruit", "fingerprint", fingerprint),
                "heads", Map.of("lite", Map.of("max_iterations", 500))), Map.of("threads", threads));
    }

    @Test
    void provenanceOfAResumeMustHaveTheStoredIdentityAndAddsItsSession(@TempDir Path dir) throws IOException {
        open(dir, false, settings("clip7")).provenance(provenance("aaa", 1));
        RunDirectory resumed = open(dir, true, settings("clip7"));
        IOException e = assertThrows(IOException.class, () -> resumed.provenance(provenance("bbb", 1)));
        assertTrue(e.getMessage().contains("dataset.fingerprint: stored \"aaa\", given \"bbb\""), e.getMessage());
        resumed.provenance(provenance("aaa", 4));
        JsonNode stored = new ObjectMapper().readTree(dir.resolve(RunDirectory.PROVENANCE).toFile());
        assertEquals(resumed.runId(), stored.path("run_id").asText());
        assertEquals(500, stored.path("identity").path("heads").path("lite").path("max_iterations").asInt());
        assertEquals(List.of(1, 4), List.of(stored.path("sessions").get(0).path("threads").asInt(),
                stored.path("sessions").get(1).path("threads").asInt()), "one session per start, the refused none");
    }

    @Test
    void classesCsvKeepsSkipCountsASessionDidNotMeasure(@TempDir Path dir) throws IOException {
        RunDirectory run = open(dir, false, settings("clip7"));
        run.classes(List.of(new ClassCount("red_apple", "red apple", 10, 4, -1, 1)));
        run.classes(List.of(new ClassCount("red_apple", "red apple", 10, 4, 2, 1)));
        assertEquals(List.of("class,prompt_name,n_train,n_test,n_skipped_train,n_skipped_test",
                "red_apple,red apple,10,4,2,1"), Files.readAllLines(dir.resolve(RunDirectory.CLASSES)));
        RunDirectory resumed = open(dir, true, settings("clip7"));
        resumed.classes(List.of(new ClassCount("red_apple", "red apple", 10, 4, -1, -1)));
        assertEquals("red_apple,red apple,10,4,2,1", Files.readAllLines(dir.resolve(RunDirectory.CLASSES)).get(1));
        resumed.classes(List.of(new ClassCount("red_apple", "red apple", -1, 4, 0, 0)));
        assertEquals("red_apple,red apple,,4,2,1", Files.readAllLines(dir.resolve(RunDirectory.CLASSES)).get(1));
    }
}
