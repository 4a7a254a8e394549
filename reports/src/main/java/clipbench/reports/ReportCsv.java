package clipbench.reports;


import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** Reads run CSVs by header name (whole, or streamed for the large predictions.csv) and writes report CSVs. */
final class ReportCsv {
    private ReportCsv() {
    }

    /** Something that takes rows one at a time. */
    @FunctionalInterface
    interface RowSink {
        void accept(ReportRow row) throws IOException;
    }

    static List<ReportRow> readAll(Path file) throws IOException {
        List<ReportRow> rows = new ArrayList<>();
        forEach(file, rows::add);
        return rows;
    }

    /** Streams {@code file}'s records; the error names the file and line. */
    static void forEach(Path file, RowSink sink) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
                .setIgnoreEmptyLines(true).setAllowMissingColumnNames(true).get();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser parser = format.parse(in)) {
            List<String> names = parser.getHeaderNames();
            for (CSVRecord r : parser) {
                Map<String, String> cells = new LinkedHashMap<>();
                for (int i = 0; i < names.size() && i < r.size(); i++) {
                    String name = names.get(i);
                    if (name != null && !name.isEmpty()) {
                        cells.put(name.strip(), r.get(i));
                    }
                }
                sink.accept(new ReportRow(cells));
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot read CSV: " + e.getMessage(), e);
        }
    }
}
