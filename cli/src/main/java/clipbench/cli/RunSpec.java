package clipbench.cli;

import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Device;
import clipbench.api.spi.Plugins;
import clipbench.protocol.RunPlan;
import clipbench.protocol.Shots;
import clipbench.protocol.finetune.FineTuneMode;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one {@code clipbench run} does, typed and validated once (like DJL's {@code Criteria}): every
 * command that runs the protocol builds one with {@link #builder()}, and a config file binds to the
 * builder's keys (see {@link RunConfig}). Plugins are named, not resolved; {@link RunWiring} resolves them.
 *
 * @param backends           backend ids
 * @param model              model directory
 * @param dataset            {@code ID[:LOCATION]}
 * @param protocols          {@code zero-shot} and/or {@code k-shot}
 * @param upsamplers         upsampler specs {@code ID[:ARGS]}
 * @param templates          prompt templates: clip7, photo, a file, or prompts.md#Section
 * @param ks                 shots per class for k-shot ({@link Shots#ALL} = every training image)
 * @param seeds              sampling seeds per k
 * @param heads              trainable heads for k-shot
 * @param validationPerClass validation images per class drawn beside the shots
 * @param confusedPairs      most-confused class pairs kept per result
 * @param downscale          downscale every image to N x N first (0 = off)
 * @param testPerClass       at most N test images per class (0 = all)
 * @param cache              embedding cache folder, or null for none
 * @param shotsFrom          an earlier run directory whose k-shot manifests are reused, or null
 * @param out                the run directory
 * @param resume             continue the run in {@code out}
 * @param threads            intra-op threads per backend (0 = runtime default)
 * @param device             where backends run
 * @param batchSize          images per backbone call
 * @param prepThreads        threads reading, upsampling and preprocessing images ahead of the backbone (0 = on
 *                           the embedding thread; default: one fewer than the processors, at least one)
 * @param backendOptions     backend-specific settings ({@code --backend-option KEY=VALUE}), each key starting with
 *                           a backend id of the run and a dot; sorted by key
 * @param finetune           what k-shot rows train ({@code --finetune}, a list like {@code --k}): {@code head}
 *                           (default: the frozen-feature heads), {@code last:N}, {@code all}, {@code after:LAYER}
 */
record RunSpec(List<String> backends, Path model, String dataset, List<String> protocols, List<String> upsamplers,
               String templates, List<Integer> ks, int seeds, List<String> heads, int validationPerClass,
               int confusedPairs, int downscale, int testPerClass, Path cache, Path shotsFrom, Path out,
               boolean resume, int threads, Device device, int batchSize, int prepThreads,
               Map<String, String> backendOptions, List<FineTuneMode> finetune) {

    /** The folder {@code cache} names when none is given. */
    static final Path DEFAULT_CACHE = Path.of(System.getProperty("user.home"), ".cache", "clipbench", "embeddings");
    /** The largest {@code batch-size}: far above what any accelerator wants, far below an int overflow. */
    static final int MAX_BATCH_SIZE = 16384;

    RunSpec {
        backends = List.copyOf(backends);
        protocols = List.copyOf(protocols);
        upsamplers = List.copyOf(upsamplers);
        ks = List.copyOf(ks);
        heads = List.copyOf(heads);
        finetune = List.copyOf(finetune);
        backendOptions = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(backendOptions));
    }

    static Builder builder() {
        return new Builder();
    }

    /** A builder holding this spec's settings, to derive a changed copy. */
    Builder toBuilder() {
        return new Builder().backends(backends).model(model).dataset(dataset).protocols(protocols)
                .upsamplers(upsamplers).templates(templates).ks(ks).seeds(seeds).heads(heads)
                .validationPerClass(validationPerClass).confusedPairs(confusedPairs).downscale(downscale)
                .testPerClass(testPerClass).cache(cache).shotsFrom(shotsFrom).out(out).resume(resume)
                .threads(threads).device(device).batchSize(batchSize).prepThreads(prepThreads)
                .finetune(finetune.stream().map(FineTuneMode::label).toList())
                .backendOptions(backendOptions.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    /** The dataset plugin's location: the part of {@code dataset} after the first colon, or "". */
    String datasetLocation() {
        return Plugins.argumentOf(dataset);
    }

    /**
     * The run.json settings a resume may change: they change no number (batch size and threads were checked
     * to give byte-identical predictions; a cache holds what would be computed). Every other setting,
     * device included (a GPU's kernels round differently), must match the stored run.
     */
    static final Set<String> MAY_DIFFER_ON_RESUME = Set.of("cache", "threads", "batch-size", "prep-threads");

    /** The settings as written to run.json (keys as in a config file; out and resume are not). */
    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backend", backends);
        m.put("model", model.toAbsolutePath().toString());
        m.put("dataset", dataset);
        datasetRoot().ifPresent(root -> m.put("dataset_root", root));
        m.put("protocol", protocols);
        m.put("upsampler", upsamplers);
        m.put("templates", templates);
        m.put("k", ks.stream().map(Shots::label).toList());
        m.put("seeds", seeds);
        m.put("heads", heads);
        m.put("val-per-class", validationPerClass);
        m.put("confusions", confusedPairs);
        m.put("downscale", downscale);
        m.put("test-per-class", testPerClass);
        m.put("shots-from", shotsFrom == null ? "none" : shotsFrom.toAbsolutePath().normalize().toString());
        m.put("cache", cache == null ? "none" : cache.toAbsolutePath().toString());
        m.put("threads", threads);
        m.put("device", device.name().toLowerCase(Locale.ROOT));
        m.put("batch-size", batchSize);
        m.put("prep-threads", prepThreads);
        if (!finetune.equals(List.of(FineTuneMode.HEAD))) {
            m.put("finetune", finetune.stream().map(FineTuneMode::label).toList()); // only then: older runs resume
        }
        if (!backendOptions.isEmpty()) {
            // Only when given, so runs made before the setting existed still resume.
            m.put("backend-option", backendOptions.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .toList());
        }
        return m;
    }

    /** The dataset's location as an absolute path, when it is one (the report's gallery reads images there). */
    Optional<String> datasetRoot() {
        if (!dataset.contains(":")) {
            return Optional.empty();
        }
        String location = datasetLocation();
        int query = location.indexOf('?');
        Path p = Path.of(query >= 0 && !Files.exists(Path.of(location)) ? location.substring(0, query) : location);
        return Files.exists(p) ? Optional.of(p.toAbsolutePath().normalize().toString()) : Optional.empty();
    }

    /**
     * Collects settings; every default lives here. A config file binds to the {@code @JsonProperty} keys
     * (lists may be YAML lists or comma-separated text); {@link #build()} parses and validates once, and
     * its errors name the key.
     */
    static final class Builder {
        private List<String> backends = List.of();
        private List<String> backendOptions = List.of();
        private Path model;
        private String dataset;
        private List<String> protocols = List.of(RunPlan.ZERO_SHOT);
        private List<String> upsamplers = List.of("bicubic");
        private String templates = "clip7";
        private List<String> k = List.of("1", "2", "4", "8", "16", "all");
        private int seeds = 3;
        private List<String> heads = List.of("lite", "pro");
        private List<String> finetune = List.of(FineTuneMode.HEAD.label());
        private int validationPerClass = 8;
        private int confusedPairs = 20;
        private int downscale;
        private int testPerClass;
        private Path cache = DEFAULT_CACHE;
        private Path shotsFrom;
        private Path out;
        private boolean resume;
        private int threads;
        private String device = "cpu";
        private int batchSize = 32;
        private int prepThreads = clipbench.protocol.EmbeddingPipeline.defaultPrepThreads();

        private Builder() {
        }

        @JsonProperty("backend")
        @JsonDeserialize(using = CommaList.class)
        Builder backends(List<String> ids) {
            backends = ids;
            return this;
        }

        @JsonProperty("model")
        Builder model(Path dir) {
            model = dir;
            return this;
        }

        @JsonProperty("dataset")
        Builder dataset(String idAndLocation) {
            dataset = idAndLocation;
            return this;
        }

        @JsonProperty("protocol")
        @JsonDeserialize(using = CommaList.class)
        Builder protocols(List<String> names) {
            protocols = names;
            return this;
        }

        @JsonProperty("upsampler")
        @JsonDeserialize(using = CommaList.class)
        Builder upsamplers(List<String> specs) {
            upsamplers = specs;
            return this;
        }

        @JsonProperty("templates")
        Builder templates(String name) {
            templates = name;
            return this;
        }

        /** Shots per class as written in a config: positive numbers or "all". */
        @JsonProperty("k")
        @JsonDeserialize(using = CommaList.class)
        Builder k(List<String> labels) {
            k = labels;
            return this;
        }

        Builder ks(List<Integer> shots) {
            return k(shots.stream().map(Shots::label).toList());
        }

        @JsonProperty("seeds")
        Builder seeds(int n) {
            seeds = n;
            return this;
        }

        @JsonProperty("heads")
        @JsonDeserialize(using = CommaList.class)
        Builder heads(List<String> ids) {
            heads = ids;
            return this;
        }

        /** Fine-tuning modes as written in a config: head, last:N, all, after:LAYER. */
        @JsonProperty("finetune")
        @JsonDeserialize(using = CommaList.class)
        Builder finetune(List<String> modes) {
            finetune = modes;
            return this;
        }

        @JsonProperty("val-per-class")
        Builder validationPerClass(int n) {
            validationPerClass = n;
            return this;
        }

        @JsonProperty("confusions")
        Builder confusedPairs(int n) {
            confusedPairs = n;
            return this;
        }

        @JsonProperty("downscale")
        Builder downscale(int size) {
            downscale = size;
            return this;
        }

        @JsonProperty("test-per-class")
        Builder testPerClass(int n) {
            testPerClass = n;
            return this;
        }

        /** The embedding cache folder; null for none. */
        Builder cache(Path folder) {
            cache = folder;
            return this;
        }

        /** The cache as written in a config: a folder, or "none". */
        @JsonProperty("cache")
        Builder cache(String folderOrNone) {
            return cache(folderOrNone == null || folderOrNone.equals("none") ? null : Path.of(folderOrNone));
        }

        @JsonProperty("shots-from")
        Builder shotsFrom(Path runDir) {
            shotsFrom = runDir;
            return this;
        }

        @JsonProperty("out")
        Builder out(Path dir) {
            out = dir;
            return this;
        }

        @JsonProperty("resume")
        Builder resume(boolean on) {
            resume = on;
            return this;
        }

        @JsonProperty("threads")
        Builder threads(int n) {
            threads = n;
            return this;
        }

        Builder device(Device where) {
            return device(where.name().toLowerCase(Locale.ROOT));
        }

        /** The device as written in a config: cpu, gpu or auto. */
        @JsonProperty("device")
        Builder device(String name) {
            device = name;
            return this;
        }

        @JsonProperty("batch-size")
        Builder batchSize(int n) {
            batchSize = n;
            return this;
        }

        @JsonProperty("prep-threads")
        Builder prepThreads(int n) {
            prepThreads = n;
            return this;
        }

        /** {@code KEY=VALUE} entries; a later call replaces the list (as every list setting does). */
        @JsonProperty("backend-option")
        @JsonDeserialize(using = CommaList.class)
        Builder backendOptions(List<String> entries) {
            backendOptions = entries;
            return this;
        }

        /** The spec, or an error naming the first setting that is missing or wrong. */
        RunSpec build() {
            List<String> backendIds = distinct("backend", clean(backends));
            require(!backendIds.isEmpty(), "backend", "at least one backend id");
            require(model != null, "model", "a model directory");
            require(dataset != null && !dataset.isBlank(), "dataset", "ID[:LOCATION], e.g. imagefolder:PATH");
            List<String> protocolNames = distinct("protocol", clean(protocols));
            require(!protocolNames.isEmpty(), "protocol", "at least one protocol");
            for (String p : protocolNames) {
                require(RunPlan.PROTOCOLS.contains(p), "protocol", "zero-shot and/or k-shot, got '" + p + "'");
            }
            List<String> upsamplerSpecs = distinct("upsampler", clean(upsamplers));
            require(!upsamplerSpecs.isEmpty(), "upsampler", "at least one upsampler");
            require(templates != null && !templates.isBlank(), "templates", "clip7, photo, a file or FILE#Section");
            require(out != null, "out", "an output directory");
            require(seeds > 0, "seeds", "a positive number");
            require(validationPerClass >= 0, "val-per-class", "a number >= 0");
            require(confusedPairs >= 0, "confusions", "a number >= 0");
            require(downscale >= 0, "downscale", "a size in pixels (0 = off)");
            require(testPerClass >= 0, "test-per-class", "a number of test images per class (0 = all)");
            require(threads >= 0, "threads", "a number >= 0");
            require(device != null && List.of("cpu", "gpu", "auto").contains(device.strip().toLowerCase(Locale.ROOT)),
                    "device", "cpu, gpu or auto, got '" + device + "'");
            require(batchSize > 0 && batchSize <= MAX_BATCH_SIZE, "batch-size",
                    "a number of images from 1 to " + MAX_BATCH_SIZE + ", got " + batchSize);
            require(prepThreads >= 0, "prep-threads", "a number >= 0 (0 = prepare images on the embedding thread)");
            Map<String, String> settings = BackendOptions.parseSettings(clean(backendOptions));
            BackendOptions.requireBackendPrefixes(settings, backendIds);
            return new RunSpec(backendIds, model, dataset, protocolNames, upsamplerSpecs, templates,
                    shots(k), seeds, distinct("heads", clean(heads)), validationPerClass, confusedPairs, downscale,
                    testPerClass, cache, shotsFrom, out, resume, threads, Device.parse(device), batchSize,
                    prepThreads, settings, modes(finetune, protocolNames));
        }

        private static List<FineTuneMode> modes(List<String> labels, List<String> protocols) {
            List<String> clean = clean(labels);
            require(!clean.isEmpty(), "finetune", "at least one mode (head, last:N, all, after:LAYER)");
            require(clean.equals(List.of("head")) || protocols.contains(RunPlan.K_SHOT), "finetune",
                    "the k-shot protocol beside " + clean + " (fine-tuning trains on the k-shot draws)");
            try {
                return FineTuneMode.parseList(String.join(",", clean));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("run setting 'finetune': "
                        + e.getMessage().replaceFirst("^" + FineTuneMode.FIELD + ": ", ""));
            }
        }

        private static List<Integer> shots(List<String> labels) {
            List<Integer> out = new ArrayList<>();
            for (String p : clean(labels)) {
                int n;
                try {
                    n = p.equalsIgnoreCase("all") ? Shots.ALL : Integer.parseInt(p);
                } catch (NumberFormatException e) {
                    n = 0;
                }
                require(n > 0 || p.equalsIgnoreCase("all"), "k", "positive shot counts or 'all', got '" + p + "'");
                require(!out.contains(n), "k", "each value once, got '" + p + "' twice in " + clean(labels));
                out.add(n);
            }
            return out;
        }

        /** {@code values}, unless one is named twice (a duplicate would run, or count, twice). */
        private static List<String> distinct(String key, List<String> values) {
            for (int i = 0; i < values.size(); i++) {
                require(values.indexOf(values.get(i)) == i, key, "each value once, got '" + values.get(i)
                        + "' twice in " + values);
            }
            return values;
        }

        /** Stripped, without empty entries (so "a, b," means [a, b]). */
        private static List<String> clean(List<String> values) {
            return values == null ? List.of()
                    : values.stream().filter(v -> v != null).map(String::strip).filter(v -> !v.isEmpty()).toList();
        }

        private static void require(boolean ok, String key, String what) {
            if (!ok) {
                throw new IllegalArgumentException("run setting '" + key + "': expected " + what);
            }
        }
    }
}
