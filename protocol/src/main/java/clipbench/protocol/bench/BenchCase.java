package clipbench.protocol.bench;

import clipbench.api.spi.Precision;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One measured combination, validated when built: a child process measures exactly one of these.
 *
 * @param backend       backend id
 * @param model         model directory
 * @param batch         images per backbone call
 * @param threads       intra-op threads asked of the backend (0 = the runtime's default)
 * @param precision     {@code fp32}, {@code bf16} or {@code int8} ({@link Precision}); the backend checks it
 * @param warmupSeconds warm-up time after the first batch, not measured
 * @param seconds       time of each timed repeat
 * @param repeats       timed repeats
 * @param dataset       {@code ID:LOCATION} for the pipeline mode, or null
 * @param upsampler     upsampler of the pipeline mode (ignored without a dataset)
 * @param backendOptions backend-specific settings ({@code --backend-option KEY=VALUE}), sorted by key
 * @param agreementImages real test images (dataset mode) to embed after timing, for the comparison with fp32
 *                       ({@link Agreement}); 0 = none
 */
public record BenchCase(String backend, Path model, int batch, int threads, String precision, double warmupSeconds,
                        double seconds, int repeats, String dataset, String upsampler,
                        Map<String, String> backendOptions, int agreementImages) {
    public static final String FP32 = "fp32";

    public BenchCase {
        if (backend == null || backend.isBlank()) {
            throw new IllegalArgumentException("--backend: must name a backend");
        }
        if (batch <= 0) {
            throw new IllegalArgumentException("--batch: must be positive, got " + batch);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("--threads: must be >= 0 (0 = runtime default), got " + threads);
        }
        Precision.parse(precision);
        if (agreementImages < 0 || agreementImages > 0 && dataset == null) {
            throw new IllegalArgumentException("--agreement-images: must be >= 0 and needs --dataset, got "
                    + agreementImages);
        }
        if (!(seconds > 0) || !Double.isFinite(seconds)) {
            throw new IllegalArgumentException("--seconds: must be positive, got " + seconds);
        }
        if (!(warmupSeconds >= 0) || !Double.isFinite(warmupSeconds)) {
            throw new IllegalArgumentException("--warmup-seconds: must be >= 0, got " + warmupSeconds);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats: must be at least 1, got " + repeats);
        }
        backendOptions = backendOptions == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(backendOptions));
    }

    /** A case with no backend options. */
    public BenchCase(String backend, Path model, int batch, int threads, String precision, double warmupSeconds,
                     double seconds, int repeats, String dataset, String upsampler) {
        this(backend, model, batch, threads, precision, warmupSeconds, seconds, repeats, dataset, upsampler, Map.of(),
                0);
    }

    /** The precision as a value. */
    public Precision precisionValue() {
        return Precision.parse(precision);
    }

    /** The backend options as {@code k=v;k=v} (empty without any), as bench.csv shows them. */
    public String backendOptionsText() {
        StringBuilder s = new StringBuilder();
        backendOptions.forEach((k, v) -> s.append(s.isEmpty() ? "" : ";").append(k).append('=').append(v));
        return s.toString();
    }

    /** How the parent names this combination in messages. */
    public String label() {
        return "backend " + backend + ", batch " + batch + ", threads " + threads + ", precision " + precision
                + (backendOptions.isEmpty() ? "" : ", options " + backendOptionsText());
    }
}
