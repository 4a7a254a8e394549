package clipbench.reports;

import clipbench.api.image.RgbImage;
import clipbench.api.io.AtomicFiles;

import clipbench.protocol.ClassCount;
import clipbench.protocol.Outcome;
import clipbench.protocol.ResultRow;
import clipbench.protocol.RunProvenance;
import clipbench.protocol.Runner;
import clipbench.protocol.Shots;
import clipbench.protocol.ThumbnailKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * A run's output folder. Never overwrites an earlier run: a non-empty folder is refused unless the run
 * resumes, and then finished rows are kept and skipped. Every file is replaced atomically.
 *
 * <p>Layout: {@code run.json} (settings), {@code provenance.json} (dataset fingerprint, model hashes, runtime
 * versions, every head setting; the JVM, OS and CPU of each session), {@code classes.csv} (prompt names and
 * image counts), {@code results.csv}, {@code per_class.csv}, {@code confusions.csv}, {@code training.csv} (fine-tuning rows' epochs), {@code predictions.csv}
 * (assembled by {@link #finish()} from one part per result row under {@code parts/}),
 * {@code manifests/k<K>-seed<S>.csv} (the k-shot draws) and {@code thumbnails/} (gallery candidates as the
 * upsampler made them, see {@link Thumbnails}).
 *
 * <p>A resume is refused when a setting or the provenance's identity differs from the stored one. A results
 * row commits its result: per_class and confusions rows written before it, without it, are dropped when the
 * run is opened again (and written again with the result).
 */
public final class RunDirectory implements Runner.Sink {
    public static final String RESULTS = "results.csv";
    public static final String PREDICTIONS = "predictions.csv";
    public static final String PER_CLASS = "per_class.csv";
    public static final String CONFUSIONS = "confusions.csv";
    public static final String TRAINING = "training.csv";
    public static final String RUN_JSON = "run.json";
    public static final String PARITY = "parity.csv";
    public static final String MANIFESTS = "manifests";
    public static final String PROVENANCE = "provenance.json";
    public static final String CLASSES = "classes.csv";
    private static final String PARTS = "parts";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final String runId;
    private final int confusedPairs;
    private final CsvTable results;
    private final CsvTable perClass;
    private final CsvTable confusions;
    private final CsvTable training;
    private final Set<String> doneKeys = new HashSet<>();

    /** Runs just before a results row is written; a test sets it to simulate a crash at that point. */
    Runnable beforeCommit = () -> { };

    private RunDirectory(Path dir, String runId, int confusedPairs) throws IOException {
        this.dir = dir;
        this.runId = runId;
        this.confusedPairs = confusedPairs;
        this.results = CsvTable.open(dir.resolve(RESULTS), ResultColumns.RESULTS);
        this.perClass = CsvTable.open(dir.resolve(PER_CLASS), ResultColumns.PER_CLASS);
        this.confusions = CsvTable.open(dir.resolve(CONFUSIONS), ResultColumns.CONFUSIONS);
        this.training = CsvTable.open(dir.resolve(TRAINING), ResultColumns.TRAINING);
        for (List<String> row : results.rows()) {
            doneKeys.add(key(results, row));
        }
        // The results row commits a result: companion rows of a result without one are from a run that
        // stopped in between, and are written again when the result is.
        perClass.retainUnique(row -> doneKeys.contains(key(perClass, row)));
        confusions.retainUnique(row -> doneKeys.contains(key(confusions, row)));
        training.retainUnique(row -> doneKeys.contains(key(training, row)));
    }

    /** The row key of a row of {@code table} (every table has the identity columns). */
    private static String key(CsvTable table, List<String> row) {
        return ResultColumns.key(column -> row.get(table.columns().indexOf(column)));
    }

    /**
     * Opens {@code dir} for a run.
     *
     * @param resume        continue a run already in {@code dir}; otherwise it must be empty or absent
     * @param config        the run's settings, stored in run.json
     * @param mayDiffer     settings that change no number (threads, batch size, ...): a resume may give
     *                      other values; any other difference from the stored run.json refuses the resume
     * @param shotsFrom     another run directory whose k-shot manifests this run must reuse, or null
     * @param confusedPairs how many most-confused pairs to keep per result row
     */
    public static RunDirectory open(Path dir, boolean resume, Map<String, Object> config, Set<String> mayDiffer,
                                    Path shotsFrom, int confusedPairs) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException(dir + ": exists and is not a directory");
        }
        if (Files.isDirectory(dir) && !isEmpty(dir) && !resume) {
            throw new IOException(dir + ": is not empty; choose a new --out or pass --resume to continue the run"
                    + " stored there (earlier results are never overwritten)");
        }
        Path runJson = dir.resolve(RUN_JSON);
        if (resume && Files.isRegularFile(runJson)) {
            // Checked before anything in dir changes: rows made under other settings must never mix.
            JsonNode stored = JSON.readTree(runJson.toFile());
            refuseChanges(runJson, stored, config, mayDiffer);
            return new RunDirectory(dir, stored.path("run_id").asText(), confusedPairs);
        }
        Files.createDirectories(dir);
        String runId = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        if (shotsFrom != null) {
            copyManifests(shotsFrom, dir.resolve(MANIFESTS));
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("run_id", runId);
        manifest.putAll(config);
        AtomicFiles.write(runJson, out -> JSON.writeValue(out, manifest));
        return new RunDirectory(dir, runId, confusedPairs);
    }

    /** Refuses when a stored value and a given one differ in a key outside {@code mayDiffer}, listing each. */
    static void refuseChanges(Path file, JsonNode stored, Map<String, ?> given, Set<String> mayDiffer)
            throws IOException {
        List<String> differences = new ArrayList<>();
        differences(stored, JSON.valueToTree(given), "", mayDiffer, differences);
        if (!differences.isEmpty()) {
            throw new IOException(file + ": cannot resume with settings that change results; start a new --out or"
                    + " give the stored values:\n" + String.join("\n", differences));
        }
    }

    /** Differing values under {@code prefix}, each with its dotted path; objects are compared key by key. */
    private static void differences(JsonNode stored, JsonNode given, String prefix, Set<String> mayDiffer,
                                    List<String> out) {
        Set<String> keys = new java.util.LinkedHashSet<>();
        stored.fieldNames().forEachRemaining(keys::add);
        given.fieldNames().forEachRemaining(keys::add);
        keys.remove("run_id");
        keys.removeAll(mayDiffer);
        for (String key : keys) {
            JsonNode a = stored.get(key);
            JsonNode b = given.get(key);
            if (a != null && b != null && a.isObject() && b.isObject()) {
                differences(a, b, prefix + key + ".", Set.of(), out);
            } else if (!java.util.Objects.equals(a, b)) {
                out.add("  " + prefix + key + ": stored " + shown(a) + ", given " + shown(b));
            }
        }
    }

    private static String shown(JsonNode value) {
        return value == null ? "(none)" : value.toString();
    }

    public String runId() {
        return runId;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public boolean done(String key) {
        return doneKeys.contains(key);
    }

    @Override
    public synchronized void accept(Outcome o) throws IOException {
        ResultRow row = o.row();
        // Details first: a row in results.csv promises its predictions and per-class rows are stored, and
        // is the commit marker: details without it are dropped when the run is opened again.
        if (!o.predictions().isEmpty()) {
            CsvTable.write(part(row), ResultColumns.PREDICTIONS, ResultColumns.predictions(row, o.predictions()));
        }
        if (o.confusion() != null) {
            perClass.addAll(ResultColumns.perClass(o));
            confusions.addAll(ResultColumns.confusions(o, confusedPairs));
        }
        if (!o.training().isEmpty()) {
            training.addAll(ResultColumns.training(o));
        }
        beforeCommit.run();
        results.addAll(List.of(ResultColumns.cells(row)));
        doneKeys.add(row.key());
    }

    /**
     * Writes provenance.json: the run's identity and, appended, this session. A resumed run refuses an
     * identity other than the stored one (another dataset content, model file, runtime, head constant).
     */
    @Override
    public void provenance(RunProvenance provenance) throws IOException {
        Path file = dir.resolve(PROVENANCE);
        List<JsonNode> sessions = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            JsonNode stored = JSON.readTree(file.toFile());
            refuseChanges(file, stored.path("identity"), provenance.identity(), Set.of());
            stored.path("sessions").forEach(sessions::add);
        }
        sessions.add(JSON.valueToTree(provenance.session()));
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("run_id", runId);
        content.put("identity", provenance.identity());
        content.put("sessions", sessions);
        AtomicFiles.write(file, out -> JSON.writeValue(out, content));
    }

    /**
     * Writes classes.csv. Skip counts not known in this session (a split it did not read) keep the stored
     * ones; known ones keep the larger, as a resumed session may read fewer images than the whole run.
     */
    @Override
    public synchronized void classes(List<ClassCount> counts) throws IOException {
        Path file = dir.resolve(CLASSES);
        Map<String, CSVRecord> stored = new java.util.HashMap<>();
        if (Files.isRegularFile(file)) {
            CsvTable.read(file).forEach(r -> stored.put(r.get("class"), r));
        }
        List<List<String>> rows = new ArrayList<>();
        for (ClassCount c : counts) {
            CSVRecord before = stored.get(c.className());
            rows.add(ResultColumns.cells(c, before == null ? null : column -> before.get(column)));
        }
        CsvTable.write(file, ResultColumns.CLASSES, rows);
    }

    @Override
    public void parity(List<clipbench.protocol.Parity.Row> rows) throws IOException {
        CsvTable.write(dir.resolve(PARITY), ResultColumns.PARITY, rows.stream().map(ResultColumns::cells).toList());
    }

    @Override
    public boolean hasThumbnail(ThumbnailKey key) {
        return Files.isRegularFile(Thumbnails.file(dir, key));
    }

    @Override
    public synchronized void thumbnail(ThumbnailKey key, RgbImage upsampled) throws IOException {
        Thumbnails.write(dir, key, upsampled);
    }

    @Override
    public Shots shots(int k, long seed, Supplier<Shots> sample) throws IOException {
        Path file = dir.resolve(MANIFESTS).resolve("k" + Shots.label(k) + "-seed" + seed + ".csv");
        if (Files.isRegularFile(file)) {
            List<String> train = new ArrayList<>();
            List<String> validation = new ArrayList<>();
            for (CSVRecord r : CsvTable.read(file)) {
                (r.get("role").equals("train") ? train : validation).add(r.get("image"));
            }
            return new Shots(k, seed, train, validation);
        }
        Shots shots = sample.get();
        List<List<String>> rows = new ArrayList<>();
        shots.train().forEach(id -> rows.add(List.of("train", id)));
        shots.validation().forEach(id -> rows.add(List.of("validation", id)));
        CsvTable.write(file, List.of("role", "image"), rows);
        return shots;
    }

    /**
     * Assembles predictions.csv from the per-row parts, in results.csv order. Called at the end of a run
     * (and of a resumed one); the parts stay, so nothing is lost if this is interrupted.
     */
    public void finish() throws IOException {
        List<Path> parts = new ArrayList<>();
        for (List<String> row : results.rows()) {
            Path part = dir.resolve(PARTS).resolve(partName(key(results, row)));
            if (Files.isRegularFile(part)) {
                parts.add(part);
            }
        }
        AtomicFiles.write(dir.resolve(PREDICTIONS), out -> {
            CSVPrinter header = CsvTable.header(ResultColumns.PREDICTIONS).print(out);
            header.flush();
            for (Path part : parts) {
                try (Stream<String> lines = Files.lines(part, StandardCharsets.UTF_8)) {
                    for (String line : (Iterable<String>) lines.skip(1)::iterator) {
                        out.write(line);
                        out.write("\r\n");
                    }
                }
            }
        });
    }

    private Path part(ResultRow row) {
        return dir.resolve(PARTS).resolve(partName(row.key()));
    }

    private static String partName(String key) {
        return "predictions-" + UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)) + ".csv";
    }

    private static void copyManifests(Path fromRun, Path to) throws IOException {
        Path from = fromRun.resolve(MANIFESTS);
        if (!Files.isDirectory(from)) {
            throw new IOException(from + ": no k-shot manifests to reuse");
        }
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(f.getFileName());
                if (!Files.exists(target)) {
                    Files.copy(f, target);
                }
            }
        }
    }

    /** Reads a CSV with a header row; the error names the file. */
    public static List<CSVRecord> read(Path file) throws IOException {
        return CsvTable.read(file);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
