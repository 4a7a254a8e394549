package clipbench.reports;

import clipbench.api.io.AtomicFiles;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/** A CSV file kept in memory and rewritten atomically after each change (for the run's small tables). */
final class CsvTable {
    private final Path file;
    private final List<String> columns;
    private final List<List<String>> rows = new ArrayList<>();

    private CsvTable(Path file, List<String> columns) {
        this.file = file;
        this.columns = List.copyOf(columns);
    }

    /** Opens {@code file}, keeping rows already there (columns matched by name; missing ones empty). */
    static CsvTable open(Path file, List<String> columns) throws IOException {
        CsvTable table = new CsvTable(file, columns);
        if (Files.isRegularFile(file)) {
            for (CSVRecord r : read(file)) {
                List<String> cells = new ArrayList<>(columns.size());
                for (String column : columns) {
                    cells.add(r.isMapped(column) ? r.get(column) : "");
                }
                table.rows.add(cells);
            }
        }
        return table;
    }

    List<List<String>> rows() {
        return rows;
    }

    List<String> columns() {
        return columns;
    }

    /**
     * Keeps the rows {@code keep} accepts, each once (the first of equal rows), and rewrites the file if
     * that dropped any.
     */
    void retainUnique(java.util.function.Predicate<List<String>> keep) throws IOException {
        java.util.Set<List<String>> seen = new java.util.HashSet<>();
        if (rows.removeIf(row -> !keep.test(row) || !seen.add(row))) {
            write(file, columns, rows);
        }
    }

    void addAll(List<List<String>> newRows) throws IOException {
        rows.addAll(newRows);
        write(file, columns, rows);
    }

    /** Writes a whole CSV atomically. */
    static void write(Path file, List<String> columns, List<? extends List<String>> rows) throws IOException {
        AtomicFiles.write(file, out -> {
            try (CSVPrinter csv = header(columns).print(out)) {
                csv.printRecords(rows);
            }
        });
    }

    static CSVFormat header(List<String> columns) {
        return CSVFormat.DEFAULT.builder().setHeader(columns.toArray(String[]::new)).get();
    }

    /** Reads a CSV with a header row; the error names the file. */
    static List<CSVRecord> read(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
            return parser.getRecords();
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot read CSV: " + e.getMessage(), e);
        }
    }
}
