package clipbench.reports;

import clipbench.protocol.Prediction;
import clipbench.protocol.ResultRow;
import clipbench.protocol.Runner;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.Reader;
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
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * A run's output folder. Never overwrites an earlier run: a non-empty folder is refused unless the run
 * resumes, and then finished rows are kept and skipped. Every file is replaced atomically.
 */
public final class RunDirectory implements Runner.Sink {
    public static final String RESULTS = "results.csv";
    public static final String PREDICTIONS = "predictions.csv";
    public static final String RUN_JSON = "run.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final String runId;
    private final List<List<String>> results = new ArrayList<>();
    private final Set<String> doneKeys = new HashSet<>();

    private RunDirectory(Path dir, String runId) {
        this.dir = dir;
        this.runId = runId;
    }

    /**
     * Opens {@code dir} for a run.
     *
     * @param resume continue a run already in {@code dir}; otherwise {@code dir} must be empty or absent
     */
    public static RunDirectory open(Path dir, boolean resume, Map<String, Object> config) throws IOException {
        boolean hasContent = Files.isDirectory(dir) && !isEmpty(dir);
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException(dir + ": exists and is not a directory");
        }
        if (hasContent && !resume) {
            throw new IOException(dir + ": is not empty; choose a new --out or pass --resume to continue the run"
                    + " stored there (earlier results are never overwritten)");
        }
        Files.createDirectories(dir);
        Path runJson = dir.resolve(RUN_JSON);
        String runId;
        if (resume && Files.isRegularFile(runJson)) {
            runId = JSON.readTree(runJson.toFile()).path("run_id").asText();
        } else {
            runId = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                    + UUID.randomUUID().toString().substring(0, 8);
        }
        RunDirectory run = new RunDirectory(dir, runId);
        run.loadExisting();
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("run_id", runId);
        manifest.putAll(config);
        AtomicFiles.write(runJson, out -> JSON.writeValue(out, manifest));
        return run;
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
    public synchronized void accept(ResultRow row, List<Prediction> predictions) throws IOException {
        // Predictions first: a row in results.csv promises its predictions are stored.
        if (!predictions.isEmpty()) {
            appendPredictions(row, predictions);
        }
        results.add(ResultColumns.cells(row));
        doneKeys.add(row.key());
        AtomicFiles.write(dir.resolve(RESULTS), out -> {
            try (CSVPrinter csv = header(ResultColumns.RESULTS).print(out)) {
                csv.printRecords(results);
            }
        });
    }

    private void appendPredictions(ResultRow row, List<Prediction> predictions) throws IOException {
        Path file = dir.resolve(PREDICTIONS);
        boolean exists = Files.isRegularFile(file);
        AtomicFiles.write(file, out -> {
            if (exists) {
                try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
                    for (String line : (Iterable<String>) lines::iterator) {
                        out.write(line);
                        out.write("\r\n");
                    }
                }
            }
            CSVFormat format = exists ? CSVFormat.DEFAULT : header(ResultColumns.PREDICTIONS);
            CSVPrinter csv = format.print(out);
            for (Prediction p : predictions) {
                csv.printRecord(ResultColumns.cells(row, p));
            }
            csv.flush();
        });
    }

    private void loadExisting() throws IOException {
        Path file = dir.resolve(RESULTS);
        if (!Files.isRegularFile(file)) {
            return;
        }
        for (CSVRecord r : read(file)) {
            List<String> cells = new ArrayList<>();
            for (String column : ResultColumns.RESULTS) {
                cells.add(r.isMapped(column) ? r.get(column) : "");
            }
            results.add(cells);
            doneKeys.add(ResultColumns.key(r::get));
        }
    }

    /** Reads a CSV with a header row; the error names the file. */
    public static List<CSVRecord> read(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
            return parser.getRecords();
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot read CSV: " + e.getMessage(), e);
        }
    }

    private static CSVFormat header(List<String> columns) {
        return CSVFormat.DEFAULT.builder().setHeader(columns.toArray(String[]::new)).get();
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
