package clipbench.cli;

import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.PluginKind;
import clipbench.api.spi.Plugins;
import clipbench.reports.RunDirectory;
import clipbench.protocol.RunPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code clipbench parity}: the same images and prompts on several backends; writes {@code parity.csv}
 * (plus the zero-shot results and report of the underlying run) into {@code --out}.
 */
@Command(name = "parity", description = "Embed the same images and prompts on several backends and write"
        + " OUT/parity.csv: cosine, max abs difference and prediction flips per backend pair.")
final class ParityCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model directory.")
    Path model;
    @Option(names = "--backends", split = ",", description = "Backend ids, comma-separated (at least two; default"
            + " every installed backend: one checkpoint folder is enough for all three).")
    List<String> backends;
    @Option(names = "--dataset", required = true, description = "ID:LOCATION, e.g. imagefolder:PATH.")
    String dataset;
    @Option(names = "--out", required = true, description = "Output directory (must be empty).")
    Path out;
    // Unset options keep RunSpec's defaults, but for the cache.
    @Option(names = "--upsampler", split = ",", description = "Upsamplers (default bicubic).")
    List<String> upsampler;
    @Option(names = "--templates", description = "Prompt templates (default clip7).")
    String templates;
    @Option(names = "--downscale", description = "Downscale images to N x N first (0 = off).")
    Integer downscale;
    @Option(names = "--cache", defaultValue = "none", description = "Embedding cache folder (default none:"
            + " parity measures the runtimes, so it embeds afresh).")
    String cache;
    @Option(names = "--threads", description = "Intra-op threads (0 = runtime default).")
    Integer threads;
    @Option(names = "--device", description = "cpu, gpu or auto.")
    String device;
    @Option(names = "--batch-size", description = "Images per backbone call.")
    Integer batchSize;

    @Override
    public Integer call() throws Exception {
        RunDirectory run = RunCommand.execute(spec()).run();
        Path parity = run.dir().resolve(RunDirectory.PARITY);
        System.out.print(Files.readString(parity));
        System.out.println("parity: " + parity);
        return 0;
    }

    /** A zero-shot run of every backend on the same inputs (its rows are what parity.csv compares). */
    RunSpec spec() {
        RunSpec.Builder b = RunSpec.builder().backends(backends != null ? backends : installedBackends()).model(model).dataset(dataset).out(out)
                .protocols(List.of(RunPlan.ZERO_SHOT)).cache(cache);
        Optional.ofNullable(upsampler).ifPresent(b::upsamplers);
        Optional.ofNullable(templates).ifPresent(b::templates);
        Optional.ofNullable(downscale).ifPresent(b::downscale);
        Optional.ofNullable(threads).ifPresent(b::threads);
        Optional.ofNullable(device).ifPresent(b::device);
        Optional.ofNullable(batchSize).ifPresent(b::batchSize);
        RunSpec spec = b.build();
        if (spec.backends().size() < 2) {
            throw new IllegalArgumentException("--backends: name at least two backends to compare");
        }
        return spec;
    }

    /** Every backend provider found, in id order (their natives load only when a backbone opens). */
    private static List<String> installedBackends() {
        return Plugins.discover(PluginKind.BACKEND, BackboneProvider.class).stream()
                .filter(f -> f.plugin() != null).map(Plugins.Found::id).sorted().toList();
    }
}
