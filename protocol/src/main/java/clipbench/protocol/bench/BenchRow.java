package clipbench.protocol.bench;

import clipbench.api.CpuInfo;
import clipbench.api.Versions;
import clipbench.api.spi.Precision;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One line of {@code bench.csv}: a {@link BenchCase} with what its child measured and where. Rates are the
 * median over repeats (nearest rank, see {@link Percentiles}) with min, max and spread = (max - min) / median;
 * latency percentiles are over every timed backbone call of every repeat.
 */
public final class BenchRow {
    public static final List<String> COLUMNS = List.of("backend", "precision", "precision_note", "equivalent",
            "speedup_vs_fp32", "min_cosine_vs_fp32", "top1_agreement_vs_fp32", "agreement_images", "batch", "threads", "threads_note",
            "backend_options", "repeats", "seconds_per_repeat", "warmup_seconds", "timed_batches", "model_load_ms",
            "first_batch_ms",
            "images_per_second", "images_per_second_min", "images_per_second_max", "images_per_second_spread_pct",
            "latency_p50_ms", "latency_p90_ms", "latency_p99_ms", "peak_rss_mb", "java_heap_mb", "jvm_options", "dataset",
            "upsampler", "pipeline_images_per_second", "pipeline_images_per_second_min",
            "pipeline_images_per_second_max", "raw_images_per_second", "pipeline_raw_ratio", "pipeline_skipped",
            "model", "model_sha256", "image_size", "clipbench_version", "runtime_version", "java_version", "os",
            "cpu_model", "cpu_flags", "available_processors");

    /** The pipeline columns, empty in a row without {@code --dataset}. */
    public static final List<String> PIPELINE_COLUMNS = List.of("dataset", "upsampler", "pipeline_images_per_second",
            "pipeline_images_per_second_min", "pipeline_images_per_second_max", "raw_images_per_second",
            "pipeline_raw_ratio", "pipeline_skipped");

    private BenchRow() {
    }

    /** The comparison columns, empty in an fp32 row (the reference). */
    public static final List<String> AGREEMENT_COLUMNS = List.of("precision_note", "equivalent", "speedup_vs_fp32",
            "min_cosine_vs_fp32", "top1_agreement_vs_fp32", "agreement_images");

    /** The row's cells by column, in {@link #COLUMNS} order, for an fp32 case. */
    public static Map<String, String> of(BenchCase c, BenchResult r, CpuInfo cpu) {
        return of(c, r, cpu, null);
    }

    /**
     * The row's cells by column, in {@link #COLUMNS} order; {@code vsFp32} is the comparison of a reduced-precision
     * case with the fp32 case of the same backend, batch and threads (required for it, null for an fp32 case).
     */
    public static Map<String, String> of(BenchCase c, BenchResult r, CpuInfo cpu, Agreement vsFp32) {
        if ((c.precisionValue() == Precision.FP32) != (vsFp32 == null)) {
            throw new IllegalArgumentException("bench: " + c.label() + (vsFp32 == null
                    ? ": a reduced-precision row needs its comparison with fp32" : ": an fp32 row is the reference"));
        }
        Map<String, String> m = new LinkedHashMap<>();
        Percentiles rates = Percentiles.of(doubles(r.repeatImagesPerSecond()));
        Percentiles latency = Percentiles.of(doubles(r.batchLatenciesMs()));
        m.put("backend", c.backend());
        m.put("precision", c.precision());
        agreement(m, c.precisionValue(), vsFp32, cpu);
        m.put("batch", Integer.toString(c.batch()));
        m.put("threads", Integer.toString(c.threads()));
        m.put("threads_note", c.threads() == 0 ? "runtime default intra-op threads" : "intra-op threads set");
        m.put("backend_options", c.backendOptionsText());
        m.put("repeats", Integer.toString(c.repeats()));
        m.put("seconds_per_repeat", num(c.seconds()));
        m.put("warmup_seconds", num(c.warmupSeconds()));
        m.put("timed_batches", Integer.toString(latency.count()));
        m.put("model_load_ms", num(r.modelLoadMs()));
        m.put("first_batch_ms", num(r.firstBatchMs()));
        m.put("images_per_second", num(rates.median()));
        m.put("images_per_second_min", num(rates.min()));
        m.put("images_per_second_max", num(rates.max()));
        m.put("images_per_second_spread_pct", num(100 * (rates.max() - rates.min()) / rates.median()));
        m.put("latency_p50_ms", num(latency.get(50)));
        m.put("latency_p90_ms", num(latency.get(90)));
        m.put("latency_p99_ms", num(latency.get(99)));
        m.put("peak_rss_mb", num(r.peakRssMb()));
        m.put("java_heap_mb", num(r.javaHeapMb()));
        m.put("jvm_options", r.jvmOptions());
        pipeline(m, c, r, rates.median());
        m.put("model", c.model().toString());
        m.put("model_sha256", r.modelSha256());
        m.put("image_size", Integer.toString(r.imageSize()));
        m.put("clipbench_version", Versions.clipbench());
        m.put("runtime_version", r.runtimeVersion());
        m.put("java_version", System.getProperty("java.version", "") + " " + System.getProperty("java.vm.name", ""));
        m.put("os", System.getProperty("os.name", "") + " " + System.getProperty("os.version", "") + " "
                + System.getProperty("os.arch", ""));
        m.put("cpu_model", cpu.model());
        m.put("cpu_flags", cpu.flags());
        m.put("available_processors", Integer.toString(Runtime.getRuntime().availableProcessors()));
        return m;
    }

    private static void agreement(Map<String, String> m, Precision p, Agreement a, CpuInfo cpu) {
        if (a == null) {
            AGREEMENT_COLUMNS.forEach(col -> m.put(col, ""));
            return;
        }
        m.put("precision_note", note(p, cpu));
        m.put("equivalent", Boolean.toString(a.equivalent()));
        m.put("speedup_vs_fp32", String.format(Locale.ROOT, "%.4f", a.speedupVsFp32()));
        m.put("min_cosine_vs_fp32", String.format(Locale.ROOT, "%.6f", a.minCosineVsFp32()));
        m.put("top1_agreement_vs_fp32", String.format(Locale.ROOT, "%.4f", a.top1AgreementVsFp32()));
        m.put("agreement_images", Integer.toString(a.images()));
    }

    /** What the number format means on this CPU: the hardware it lacks is named, so a slow row is explained. */
    static String note(Precision p, CpuInfo cpu) {
        List<String> flags = List.of(cpu.flags().split(" "));
        return switch (p) {
            case INT8 -> "dynamic int8 (weights per channel, activations uint8 per call)"
                    + (flags.contains("avx512_vnni") || flags.contains("avx_vnni") || flags.contains("amx_int8")
                    ? "" : "; CPU lacks avx512_vnni/avx_vnni/amx_int8 (no int8 dot-product instructions)");
            case BF16 -> "bfloat16" + (flags.contains("avx512_bf16") || flags.contains("amx_bf16")
                    ? "" : "; CPU lacks avx512_bf16/amx_bf16 (emulated)");
            case FP32 -> "";
        };
    }

    private static void pipeline(Map<String, String> m, BenchCase c, BenchResult r, double raw) {
        if (c.dataset() == null) {
            PIPELINE_COLUMNS.forEach(col -> m.put(col, ""));
            return;
        }
        Percentiles piped = Percentiles.of(doubles(r.pipelineImagesPerSecond()));
        m.put("dataset", c.dataset());
        m.put("upsampler", c.upsampler());
        m.put("pipeline_images_per_second", num(piped.median()));
        m.put("pipeline_images_per_second_min", num(piped.min()));
        m.put("pipeline_images_per_second_max", num(piped.max()));
        m.put("raw_images_per_second", num(raw));
        m.put("pipeline_raw_ratio", String.format(Locale.ROOT, "%.4f", piped.median() / raw));
        m.put("pipeline_skipped", Integer.toString(r.skippedImages()));
    }

    private static double[] doubles(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Three decimals, locale-independent. */
    static String num(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalStateException("bench: not a finite number: " + v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
