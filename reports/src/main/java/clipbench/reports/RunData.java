package clipbench.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a report reads from one run directory: run.json, results.csv, and the optional confusions.csv,
 * per_class.csv, parity.csv and training.csv (predictions.csv is streamed later, it can be large; thumbnails
 * are read by the gallery). Needs no model, no embedding and no dataset.
 */
public final class RunData {
    public static final String RESULTS = "results.csv";
    public static final String PREDICTIONS = "predictions.csv";
    public static final String CONFUSIONS = "confusions.csv";
    public static final String PER_CLASS = "per_class.csv";
    public static final String PARITY = "parity.csv";
    /** Fine-tuning rows' epochs, see {@link RunDirectory#TRAINING}. */
    public static final String TRAINING = RunDirectory.TRAINING;
    public static final String RUN_JSON = "run.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final ObjectNode runJson;
    private final List<ReportRow> results;
    private final List<ReportRow> confusions;
    private final List<ReportRow> perClass;
    private final List<ReportRow> parity;
    private final List<ReportRow> training;
    private final List<String> notes;

    private RunData(Path dir, ObjectNode runJson, List<ReportRow> results, List<ReportRow> confusions,
                    List<ReportRow> perClass, List<ReportRow> parity, List<ReportRow> training, List<String> notes) {
        this.dir = dir;
        this.runJson = runJson;
        this.results = results;
        this.confusions = confusions;
        this.perClass = perClass;
        this.parity = parity;
        this.training = training;
        this.notes = notes;
    }

    /**
     * Reads {@code dir}.
     *
     * @throws IOException when {@code dir} has no results.csv (it is then no run directory) or a file is
     *                     unreadable
     */
    public static RunData load(Path dir) throws IOException {
        Path d = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(d)) {
            throw new IOException(dir + ": no such run directory");
        }
        if (!Files.isRegularFile(d.resolve(RESULTS))) {
            throw new IOException(dir + ": has no " + RESULTS + "; not a clipbench run directory");
        }
        List<String> notes = new ArrayList<>();
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        Path runJson = d.resolve(RUN_JSON);
        if (Files.isRegularFile(runJson)) {
            try {
                JsonNode node = JSON.readTree(runJson.toFile());
                if (node instanceof ObjectNode o) {
                    json = o;
                } else {
                    notes.add(runJson + ": not a JSON object; run settings omitted");
                }
            } catch (IOException e) {
                notes.add(runJson + ": unreadable (" + e.getMessage() + "); run settings omitted");
            }
        } else {
            notes.add(dir + ": no " + RUN_JSON + "; run settings omitted");
        }
        List<ReportRow> results = ReportCsv.readAll(d.resolve(RESULTS));
        List<ReportRow> confusions = optional(d.resolve(CONFUSIONS));
        List<ReportRow> perClass = optional(d.resolve(PER_CLASS));
        return new RunData(d, json, results, confusions, perClass, optional(d.resolve(PARITY)),
                optional(d.resolve(TRAINING)), notes);
    }

    private static List<ReportRow> optional(Path file) throws IOException {
        return Files.isRegularFile(file) ? ReportCsv.readAll(file) : null;
    }

    public Path dir() {
        return dir;
    }

    public ObjectNode runJson() {
        return runJson;
    }

    /** run_id from run.json, else from the first results row, else the folder name. */
    public String runId() {
        String id = runJson.path("run_id").asText("");
        if (id.isEmpty() && !results.isEmpty()) {
            id = results.get(0).get("run_id");
        }
        return id.isEmpty() ? String.valueOf(dir.getFileName()) : id;
    }

    public List<ReportRow> results() {
        return results;
    }

    /** confusions.csv, or empty when the run has none. */
    public Optional<List<ReportRow>> confusions() {
        return Optional.ofNullable(confusions);
    }

    /** parity.csv (runs with several backends), or empty. */
    public Optional<List<ReportRow>> parity() {
        return Optional.ofNullable(parity);
    }

    /** per_class.csv, or empty when the run has none. */
    public Optional<List<ReportRow>> perClass() {
        return Optional.ofNullable(perClass);
    }

    /** training.csv (runs with fine-tuning rows), or empty. */
    public Optional<List<ReportRow>> training() {
        return Optional.ofNullable(training);
    }

    public Path predictionsFile() {
        return dir.resolve(PREDICTIONS);
    }

    public boolean hasPredictions() {
        return Files.isRegularFile(predictionsFile());
    }

    /** Problems met while reading (missing or broken run.json). */
    public List<String> notes() {
        return notes;
    }
}
