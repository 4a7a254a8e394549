package clipbench.cli;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.Device;
import clipbench.api.spi.HeadProvider;
import clipbench.api.spi.Plugins;
import clipbench.protocol.DownscaledDataset;
import clipbench.protocol.EmbeddingCache;
import clipbench.protocol.PromptTemplates;
import clipbench.protocol.RunPlan;
import clipbench.protocol.SubsampledDataset;
import clipbench.protocol.Runner;
import clipbench.protocol.ZeroShotHeadProvider;
import clipbench.reports.ReportBuilder;
import clipbench.reports.RunDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clipbench run}: the protocol over backends x upsamplers, written to a run directory. */
@Command(name = "run", sortOptions = false,
        description = "Run the evaluation protocol and write CSVs, charts and report.html into --out.")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", description = "YAML or JSON file with the same keys as the options below.")
    Path config;

    // Every option below is a String named like its config key; RunSettings parses and validates them.
    @Option(names = "--backend", description = "Backend ids, comma-separated (e.g. onnx,djl,tensorflow).")
    String backend;
    @Option(names = "--model", description = "Model directory.")
    String model;
    @Option(names = "--dataset", description = "ID[:LOCATION], e.g. imagefolder:PATH or fashion-mnist.")
    String dataset;
    @Option(names = "--protocol", description = "zero-shot and/or k-shot, comma-separated (default zero-shot).")
    String protocol;
    @Option(names = "--upsampler", description = "Upsamplers, comma-separated (default bicubic).")
    String upsampler;
    @Option(names = "--templates", description = "clip7 (default), photo, a file, or prompts.md#Section.")
    String templates;
    @Option(names = "--k", description = "Shots per class for k-shot, comma-separated; 'all' = every training image"
            + " (default 1,2,4,8,16,all).")
    String k;
    @Option(names = "--seeds", description = "Sampling seeds per k (default 3).")
    String seeds;
    @Option(names = "--heads", description = "Trainable heads for k-shot (default lite,pro).")
    String heads;
    @Option(names = "--val-per-class", description = "Validation images per class drawn from the training split"
            + " beside the shots, for model selection (default 8; 10 % with k=all).")
    String valPerClass;
    @Option(names = "--confusions", description = "Most-confused class pairs kept per result (default 20).")
    String confusions;
    @Option(names = "--downscale", description = "Downscale every image to N x N first (simulates low-resolution"
            + " data, e.g. 100 as Fruits-360; 0 = off).")
    String downscale;
    @Option(names = "--test-per-class", description = "Evaluate on at most N test images per class (a stable"
            + " choice; the dataset name says so in every row; 0 = all).")
    String testPerClass;
    @Option(names = "--cache", description = "Embedding cache folder, or 'none' (default ~/.cache/clipbench/embeddings).")
    String cache;
    @Option(names = "--shots-from", description = "Reuse the k-shot manifests of this earlier run directory.")
    String shotsFrom;
    @Option(names = "--out", description = "Run directory (must be empty unless --resume).")
    String out;
    @Option(names = "--resume", arity = "0..1", fallbackValue = "true",
            description = "Continue the run in --out, skipping finished rows.")
    String resume;
    @Option(names = "--threads", description = "Intra-op threads per backend (0 = runtime default).")
    String threads;
    @Option(names = "--device", description = "cpu, gpu or auto (default cpu).")
    String device;
    @Option(names = "--batch-size", description = "Images per backbone call (default 32).")
    String batchSize;

    @Override
    public Integer call() throws Exception {
        RunDirectory run = execute(RunSettings.from(mergedValues()));
        System.out.println("results: " + run.dir().resolve(RunDirectory.RESULTS));
        System.out.println("report:  " + run.dir().resolve("report.html"));
        return 0;
    }

    /** Runs validated settings end to end: plugins, protocol, CSVs, then the report. */
    static RunDirectory execute(RunSettings s) throws Exception {
        ModelCard card = ModelCards.load(s.model());
        String[] datasetSpec = s.dataset().split(":", 2);
        Dataset opened = Plugins.dataset(datasetSpec[0]).open(datasetSpec.length > 1 ? datasetSpec[1] : "");
        Dataset small = s.testPerClass() > 0 ? SubsampledDataset.testPerClass(opened, s.testPerClass()) : opened;
        Dataset data = s.downscale() > 0 ? DownscaledDataset.downscale(small, s.downscale()) : small;
        data.warnings().forEach(w -> System.err.println("warning: " + w));
        BackendOptions options = new BackendOptions(s.threads(), Device.parse(s.device()));
        List<RunPlan.BackendChoice> backends = s.backends().stream()
                .map(id -> new RunPlan.BackendChoice(Plugins.backend(id), options)).toList();
        List<HeadProvider> heads = new ArrayList<>();
        heads.add(Plugins.head(ZeroShotHeadProvider.ID));
        if (s.protocols().contains(RunPlan.K_SHOT)) {
            s.heads().forEach(h -> heads.add(Plugins.head(h)));
        }
        PromptTemplates prompts = PromptTemplates.resolve(s.templates());
        List<RunPlan.UpsamplerChoice> ups = new ArrayList<>();
        try {
            for (String u : s.upsamplers()) {
                String[] parts = u.split(":", 2);
                ups.add(new RunPlan.UpsamplerChoice(u, Plugins.upsampler(parts[0])
                        .create(parts.length > 1 ? parts[1] : "", options)));
            }
            RunDirectory run = RunDirectory.open(s.out(), s.resume(), s.asMap(), s.shotsFrom(), s.confusedPairs());
            RunPlan plan = new RunPlan(run.runId(), backends, card, data, ups, s.protocols(), heads, s.ks(),
                    s.seeds(), s.validationPerClass(), prompts, s.batchSize(),
                    s.cache() == null ? null : new EmbeddingCache(s.cache()));
            try {
                new Runner(plan, run, new ConsoleProgress("")).run();
            } finally {
                run.finish();
            }
            ReportBuilder.build(List.of(run.dir()), run.dir());
            return run;
        } finally {
            for (RunPlan.UpsamplerChoice u : ups) {
                if (u.upsampler() instanceof AutoCloseable c) {
                    c.close();
                }
            }
        }
    }

    /** Config file values overridden by every option given on the command line. */
    private Map<String, String> mergedValues() throws Exception {
        Map<String, String> values = config == null ? new LinkedHashMap<>() : RunSettings.readConfig(config);
        for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            String key = o.longestName().substring(2);
            if (RunSettings.DEFAULTS.containsKey(key)) {
                values.put(key, String.valueOf((Object) o.getValue()));
            }
        }
        return values;
    }
}
