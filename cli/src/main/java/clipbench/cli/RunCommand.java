package clipbench.cli;

import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.Device;
import clipbench.api.spi.HeadProvider;
import clipbench.api.spi.PluginKind;
import clipbench.api.spi.Plugins;
import clipbench.protocol.PromptTemplates;
import clipbench.protocol.RunPlan;
import clipbench.protocol.Runner;
import clipbench.reports.RunDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clipbench run}: the protocol over backends x upsamplers, written to a run directory. */
@Command(name = "run", description = "Run the evaluation protocol and write results.csv and predictions.csv.")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", description = "YAML or JSON file with the same keys as the options.")
    Path config;

    @Option(names = "--backend", description = "Backend ids, comma-separated (e.g. onnx).")
    String backend;

    @Option(names = "--model", description = "Model directory.")
    String model;

    @Option(names = "--dataset", description = "ID:LOCATION, e.g. imagefolder:PATH.")
    String dataset;

    @Option(names = "--protocol", description = "Protocols, comma-separated (default zero-shot).")
    String protocol;

    @Option(names = "--upsampler", description = "Upsamplers, comma-separated (default bicubic).")
    String upsampler;

    @Option(names = "--templates", description = "clip7 (default), photo, a file, or prompts.md#Section.")
    String templates;

    @Option(names = "--out", description = "Run directory (must be empty unless --resume).")
    String out;

    @Option(names = "--resume", description = "Continue the run in --out, skipping finished rows.")
    Boolean resume;

    @Option(names = "--threads", description = "Intra-op threads per backend (0 = runtime default).")
    Integer threads;

    @Option(names = "--device", description = "cpu, gpu or auto.")
    String device;

    @Option(names = "--batch-size", description = "Images per backbone call (default 32).")
    Integer batchSize;

    @Override
    public Integer call() throws Exception {
        RunSettings s = RunSettings.from(mergedValues());
        ModelCard card = ModelCards.load(s.model());
        String[] datasetSpec = s.dataset().split(":", 2);
        Dataset data = Plugins.dataset(datasetSpec[0]).open(datasetSpec[1]);
        data.warnings().forEach(w -> System.err.println("warning: " + w));
        BackendOptions options = new BackendOptions(s.threads(), Device.parse(s.device()));
        List<RunPlan.BackendChoice> backends = s.backends().stream()
                .map(id -> new RunPlan.BackendChoice(Plugins.backend(id), options)).toList();
        List<RunPlan.UpsamplerChoice> ups = new ArrayList<>();
        for (String u : s.upsamplers()) {
            String[] parts = u.split(":", 2);
            ups.add(new RunPlan.UpsamplerChoice(u, Plugins.upsampler(parts[0]).create(parts.length > 1 ? parts[1] : "")));
        }
        PromptTemplates prompts = PromptTemplates.resolve(s.templates());
        List<HeadProvider> heads = Plugins.all(PluginKind.HEAD, HeadProvider.class).stream()
                .filter(h -> !h.trainable()).toList();
        RunDirectory run = RunDirectory.open(s.out(), s.resume(), s.asMap());
        RunPlan plan = new RunPlan(run.runId(), backends, card, data, ups, s.protocols(), prompts, s.batchSize());
        new Runner(plan, heads, run, new ConsoleProgress("")).run();
        System.out.println("results: " + run.dir().resolve(RunDirectory.RESULTS));
        return 0;
    }

    /** Config file values overridden by every option given on the command line. */
    private Map<String, Object> mergedValues() throws Exception {
        Map<String, Object> values = config == null ? new LinkedHashMap<>() : RunSettings.readConfig(config);
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("backend", backend);
        given.put("model", model);
        given.put("dataset", dataset);
        given.put("protocol", protocol);
        given.put("upsampler", upsampler);
        given.put("templates", templates);
        given.put("out", out);
        given.put("resume", resume);
        given.put("threads", threads);
        given.put("device", device);
        given.put("batch-size", batchSize);
        given.forEach((k, v) -> {
            if (v != null) {
                values.put(k, v.toString());
            }
        });
        return values;
    }
}
