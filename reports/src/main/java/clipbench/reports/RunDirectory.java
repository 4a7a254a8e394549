package clipbench.reports;

import clipbench.api.image.RgbImage;
import clipbench.api.io.AtomicFiles;

import clipbench.protocol.Outcome;
import clipbench.protocol.ResultRow;
import clipbench.protocol.Runner;
import clipbench.protocol.Shots;
import clipbench.protocol.ThumbnailKey;
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
 * <p>Layout: {@code run.json} (settings), {@code results.csv}, {@code per_class.csv},
 * {@code confusions.csv}, {@code predictions.csv} (assembled by {@link #finish()} from one part per
 * result row under {@code parts/}), {@code manifests/k<K>-seed<S>.csv} (the k-shot draws) and
 * {@code thumbnails/} (gallery candidates as the upsampler made them, see {@link Thumbnails}).
 */
public final class RunDirectory implements Runner.Sink {
    public static final String RESULTS = "results.csv";
    public static final String PREDICTIONS = "predictions.csv";
    public static final String PER_CLASS = "per_class.csv";
    public static final String CONFUSIONS = "confusions.csv";
    public static final String RUN_JSON = "run.json";
    public static final String PARITY = "parity.csv";
    public static final String MANIFESTS = "manifests";
    private static final String PARTS = "parts";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final String runId;
    private final int confusedPairs;
    private final CsvTable results;
    private final CsvTable perClass;
    private final CsvTable confusions;
    private final Set<String> doneKeys = new HashSet<>();

    private RunDirectory(Path dir, String runId, int confusedPairs) throws IOException {
        this.dir = dir;
        this.runId = runId;
        this.confusedPairs = confusedPairs;
        this.results = CsvTable.open(dir.resolve(RESULTS), ResultColumns.RESULTS);
        this.perClass = CsvTable.open(dir.resolve(PER_CLASS), ResultColumns.PER_CLASS);
        this.confusions = CsvTable.open(dir.resolve(CONFUSIONS), ResultColumns.CONFUSIONS);
        for (List<String> row : results.rows()) {
            doneKeys.add(ResultColumns.key(column -> row.get(ResultColumns.RESULTS.indexOf(column))));
        }
    }

    /**
     * Opens {@code dir} for a run.
     *
     * @param resume        continue a run already in {@code dir}; otherwise it must be empty or absent
     * @param config        the run's settings, stored in run.json
     * @param shotsFrom     another run directory whose k-shot manifests this run must reuse, or null
     * @param confusedPairs how many most-confused pairs to keep per result row
     */
    public static RunDirectory open(Path dir, boolean resume, Map<String, Object> config, Path shotsFrom,
                                    int confusedPairs) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException(dir + ": exists and is not a directory");
        }
        if (Files.isDirectory(dir) && !isEmpty(dir) && !resume) {
            throw new IOException(dir + ": is not empty; choose a new --out or pass --resume to continue the run"
                    + " stored there (earlier results are never overwritten)");
        }
        Files.createDirectories(dir);
        Path runJson = dir.resolve(RUN_JSON);
        String runId = resume && Files.isRegularFile(runJson)
                ? JSON.readTree(runJson.toFile()).path("run_id").asText()
                : LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
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
        // Details first: a row in results.csv promises its predictions and per-class rows are stored.
        if (!o.predictions().isEmpty()) {
            CsvTable.write(part(row), ResultColumns.PREDICTIONS, ResultColumns.predictions(row, o.predictions()));
        }
        if (o.confusion() != null) {
            perClass.addAll(ResultColumns.perClass(o));
            confusions.addAll(ResultColumns.confusions(o, confusedPairs));
        }
        results.addAll(List.of(ResultColumns.cells(row)));
        doneKeys.add(row.key());
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
            Path part = dir.resolve(PARTS).resolve(partName(ResultColumns.key(
                    column -> row.get(ResultColumns.RESULTS.indexOf(column)))));
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
