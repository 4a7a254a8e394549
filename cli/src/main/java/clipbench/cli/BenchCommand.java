package clipbench.cli;

import clipbench.api.CpuInfo;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.Plugins;
import clipbench.api.spi.Precision;
import clipbench.protocol.bench.Agreement;
import clipbench.protocol.bench.BenchCase;
import clipbench.protocol.bench.BenchResult;
import clipbench.protocol.bench.BenchRow;
import clipbench.reports.BenchCsv;
import clipbench.reports.BenchReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code clipbench bench}: throughput, latency and memory of backbones, each backend x batch x threads x
 * precision in its own child JVM ({@link BenchProcess}), into {@code OUT/bench.csv} and {@code OUT/bench.html}.
 * Every setting is checked before any work; a failed child fails the command and writes no CSV.
 */
@Command(name = "bench", sortOptions = false,
        description = "Time backbones (load, first batch, images/s, latency percentiles, peak RSS) into OUT/bench.csv.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--backend", split = ",", required = true, description = "Backend ids, e.g. onnx,djl,tensorflow.")
    List<String> backends;

    @Option(names = "--model", required = true, description = "Model directory.")
    Path model;

    @Option(names = "--batch", split = ",", defaultValue = "1,8,32", description = "Batch sizes (default ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--threads", split = ",", defaultValue = "0",
            description = "Intra-op thread counts; 0 = the runtime's default (default ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(names = "--precision", split = ",", defaultValue = BenchCase.FP32,
            description = "Precisions: fp32, int8 (onnx), bf16 (none yet); a reduced one needs --dataset and is"
                    + " compared with fp32, which is run too (default ${DEFAULT-VALUE}).")
    List<String> precisions;

    @Option(names = "--agreement-images", defaultValue = "128",
            description = "Real test images of --dataset on which a reduced precision is compared with fp32"
                    + " (default ${DEFAULT-VALUE}).")
    int agreementImages;

    @Option(names = "--seconds", defaultValue = "5", description = "Seconds of each timed repeat (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed repeats (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--warmup-seconds", defaultValue = "1",
            description = "Untimed calls after the first batch (default ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--dataset", description = "ID:LOCATION: also time the whole path (read, decode, upsample,"
            + " transform, embed) on the dataset's test split.")
    String dataset;

    @Option(names = "--upsampler", defaultValue = "bicubic", description = "Upsampler of --dataset (default ${DEFAULT-VALUE}).")
    String upsampler;

    @Mixin
    BackendOptionArgs backendOptions = new BackendOptionArgs();

    @Option(names = "--out", required = true, description = "New or empty folder for bench.csv and bench.html.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Map<String, String> settings = backendOptions.settings();
        List<BenchCase> cases = cases(settings);
        check(settings);
        List<Map<String, String>> rows = new ArrayList<>();
        CpuInfo cpu = CpuInfo.current();
        Map<String, BenchResult> fp32 = new HashMap<>();
        for (BenchCase c : cases) {
            System.err.println("bench: " + c.label() + " ...");
            BenchResult r = BenchProcess.run(c);
            if (c.precisionValue() == Precision.FP32) {
                fp32.put(reference(c), r);
                rows.add(BenchRow.of(c, r, cpu));
            } else {
                // cases() puts each fp32 case before the reduced ones it is compared with
                rows.add(BenchRow.of(c, r, cpu, Agreement.of(fp32.get(reference(c)), r)));
            }
        }
        Files.createDirectories(out);
        BenchCsv.write(out.resolve(BenchCsv.FILE), BenchRow.COLUMNS, rows);
        Path page = BenchReport.write(out);
        System.out.println(table(rows));
        System.out.println(out.resolve(BenchCsv.FILE) + "\n" + page);
        return 0;
    }

    /**
     * Every combination, validated. A reduced precision needs {@code --dataset} (it is compared with fp32 on real
     * images) and brings fp32 in when it was not asked for; fp32 comes first, so each reduced-precision case has
     * its reference measured before it.
     */
    List<BenchCase> cases(Map<String, String> settings) {
        if (dataset != null && !dataset.contains(":")) {
            throw new IllegalArgumentException("--dataset " + dataset + ": expected ID:LOCATION");
        }
        Set<Precision> asked = new TreeSet<>();
        for (String p : precisions) {
            if (!asked.add(Precision.parse(p))) {
                throw new IllegalArgumentException("--precision " + p + ": given twice");
            }
        }
        boolean reduced = asked.size() > 1 || !asked.contains(Precision.FP32);
        if (reduced && dataset == null) {
            throw new IllegalArgumentException("--precision " + String.join(",", precisions) + ": a reduced precision"
                    + " is compared with fp32 on real images; give --dataset ID:LOCATION");
        }
        if (reduced && agreementImages < 1) {
            throw new IllegalArgumentException("--agreement-images: must be at least 1, got " + agreementImages);
        }
        if (reduced && asked.add(Precision.FP32)) {
            System.err.println("bench: fp32 added: every reduced-precision row is compared with it");
        }
        List<BenchCase> cases = new ArrayList<>();
        for (String backend : backends) {
            for (Precision precision : asked) { // enum order: fp32 first
                for (int batch : batches) {
                    for (int t : threads) {
                        cases.add(new BenchCase(backend, model, batch, t, precision.id(), warmupSeconds, seconds,
                                repeats, dataset, upsampler, settings, reduced ? agreementImages : 0));
                    }
                }
            }
        }
        return cases;
    }

    /** The fp32 case a case is compared with: same backend, batch, threads and options. */
    private static String reference(BenchCase c) {
        return c.backend() + "|" + c.batch() + "|" + c.threads() + "|" + c.backendOptionsText();
    }

    /** The model, backends, dataset, upsampler and --out, checked before the first child starts. */
    private void check(Map<String, String> settings) throws IOException {
        if (!Files.isDirectory(model)) {
            throw new IOException("--model " + model + ": no such model folder");
        }
        ModelCard card = ModelCards.load(model);
        BackendOptions.requireBackendPrefixes(settings, backends);
        for (String id : backends) {
            BackboneProvider provider = Plugins.backend(id);
            provider.checkSettings(BackendOptions.settingsOf(settings, id));
            for (String p : precisions) {
                provider.checkPrecision(card, Precision.parse(p));
            }
            for (Path file : provider.artifactFiles(card)) {
                if (!Files.exists(file)) {
                    throw new IOException("--model " + model + ": " + file + " (artifact of backend '" + id
                            + "') not found");
                }
            }
        }
        if (dataset != null) {
            Dataset data = Plugins.openDataset(dataset);
            if (data.items(data.testSplit()).isEmpty()) {
                throw new IOException("--dataset " + dataset + ": split '" + data.testSplit() + "' has no images");
            }
            Plugins.upsampler(Plugins.idOf(upsampler));
        }
        RunFolders.checkOut(out);
        if (Files.isDirectory(out)) {
            try (Stream<Path> entries = Files.list(out)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException("--out " + out + ": is not empty; choose a new folder (earlier results are"
                            + " never overwritten)");
                }
            }
        }
    }

    private static String table(List<Map<String, String>> rows) {
        String format = "%-12s %-5s %6s %7s %12s %10s %10s %10s %10s %8s %8s %8s%s%n";
        StringBuilder s = new StringBuilder(String.format(format, "backend", "prec", "batch", "threads", "images/s",
                "p50 ms", "p99 ms", "rss MiB", "pipe/raw", "vs fp32", "min cos", "top-1", ""));
        for (Map<String, String> r : rows) {
            s.append(String.format(format, r.get("backend"), r.get("precision"), r.get("batch"), r.get("threads"),
                    r.get("images_per_second"), r.get("latency_p50_ms"), r.get("latency_p99_ms"),
                    r.get("peak_rss_mb"), dash(r.get("pipeline_raw_ratio")), dash(r.get("speedup_vs_fp32")),
                    dash(r.get("min_cosine_vs_fp32")), dash(r.get("top1_agreement_vs_fp32")),
                    "false".equals(r.get("equivalent")) ? "  NOT EQUIVALENT to fp32 (top-1 agreement < "
                            + Agreement.EQUIVALENT_TOP1 + ")" : ""));
        }
        return s.toString().stripTrailing();
    }

    private static String dash(String cell) {
        return cell.isEmpty() ? "-" : cell;
    }
}
