package clipbench.cli;

import clipbench.reports.RunDirectory;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
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
    String model;
    @Option(names = "--backends", required = true, description = "Backend ids, comma-separated (at least two).")
    String backends;
    @Option(names = "--dataset", required = true, description = "ID:LOCATION, e.g. imagefolder:PATH.")
    String dataset;
    @Option(names = "--out", required = true, description = "Output directory (must be empty).")
    String out;
    @Option(names = "--upsampler", defaultValue = "bicubic", description = "Upsamplers (default ${DEFAULT-VALUE}).")
    String upsampler;
    @Option(names = "--templates", defaultValue = "clip7", description = "Prompt templates (default ${DEFAULT-VALUE}).")
    String templates;
    @Option(names = "--downscale", defaultValue = "0", description = "Downscale images to N x N first (0 = off).")
    String downscale;
    @Option(names = "--cache", defaultValue = "none", description = "Embedding cache folder (default none:"
            + " parity measures the runtimes, so it embeds afresh).")
    String cache;
    @Option(names = "--threads", defaultValue = "0", description = "Intra-op threads (0 = runtime default).")
    String threads;
    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or auto.")
    String device;
    @Option(names = "--batch-size", defaultValue = "32", description = "Images per backbone call.")
    String batchSize;

    @Override
    public Integer call() throws Exception {
        if (!backends.contains(",")) {
            throw new IllegalArgumentException("--backends: name at least two backends to compare");
        }
        Map<String, String> v = new LinkedHashMap<>();
        v.put("backend", backends);
        v.put("model", model);
        v.put("dataset", dataset);
        v.put("protocol", "zero-shot");
        v.put("upsampler", upsampler);
        v.put("templates", templates);
        v.put("downscale", downscale);
        v.put("cache", cache);
        v.put("out", out);
        v.put("threads", threads);
        v.put("device", device);
        v.put("batch-size", batchSize);
        RunDirectory run = RunCommand.execute(RunSettings.from(v));
        java.nio.file.Path parity = run.dir().resolve(RunDirectory.PARITY);
        System.out.print(Files.readString(parity));
        System.out.println("parity: " + parity);
        return 0;
    }
}
