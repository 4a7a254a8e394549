package clipbench.reports;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVRecord;

/** {@code bench.csv}: written whole and atomically; read back by column name (the report and tests). */
public final class BenchCsv {
    public static final String FILE = "bench.csv";

    private BenchCsv() {
    }

    /** Writes every row under {@code columns}; a row lacking a column is an error, not an empty cell. */
    public static void write(Path file, List<String> columns, List<Map<String, String>> rows) throws IOException {
        List<List<String>> cells = new ArrayList<>();
        for (Map<String, String> row : rows) {
            if (!row.keySet().equals(new java.util.HashSet<>(columns))) {
                throw new IllegalArgumentException(file + ": a row's columns " + row.keySet() + " are not " + columns);
            }
            cells.add(columns.stream().map(row::get).toList());
        }
        CsvTable.write(file, columns, cells);
    }

    /** The rows of {@code file}, each a column -> value map in the file's column order. */
    public static List<Map<String, String>> read(Path file) throws IOException {
        List<Map<String, String>> rows = new ArrayList<>();
        for (CSVRecord r : CsvTable.read(file)) {
            rows.add(new LinkedHashMap<>(r.toMap()));
        }
        return rows;
    }
}
