package clipbench.cli;

import clipbench.api.model.ModelCards;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.Device;
import clipbench.api.spi.Plugins;
import clipbench.api.spi.Upsampler;
import clipbench.protocol.bench.BackboneBench;
import clipbench.protocol.bench.BenchCase;
import clipbench.protocol.bench.BenchResult;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;

/**
 * The child JVM of {@code clipbench bench}: measures one {@link BenchCase} (given as JSON) and prints the
 * {@link BenchResult} as one JSON line after {@link #MARKER} on stdout, so that peak RSS and model load time
 * belong to this case alone. Exit code 0 only with a result line.
 */
public final class BenchChild {
    static final String MARKER = "clipbench-bench-result ";
    static final ObjectMapper JSON = new ObjectMapper();

    private BenchChild() {
    }

    public static void main(String[] args) {
        // Libraries may print to stdout; the result line is the one after the marker.
        PrintStream out = System.out;
        try {
            BenchCase c = JSON.readValue(args[0], BenchCase.class);
            BackboneBench.PipelineInput pipeline = null;
            Upsampler upsampler = null;
            if (c.dataset() != null) {
                Dataset data = Plugins.openDataset(c.dataset());
                upsampler = Plugins.createUpsampler(c.upsampler(), new BackendOptions(c.threads(), Device.CPU));
                pipeline = new BackboneBench.PipelineInput(data.items(data.testSplit()), upsampler);
            }
            try {
                BenchResult r = BackboneBench.measure(c, Plugins.backend(c.backend()), ModelCards.load(c.model()),
                        pipeline);
                out.println(MARKER + JSON.writeValueAsString(r));
                out.flush();
            } finally {
                if (upsampler instanceof AutoCloseable closeable) {
                    closeable.close();
                }
            }
            System.exit(0);
        } catch (Throwable e) {
            System.err.println("clipbench bench (child): " + e);
            if (Boolean.getBoolean("clipbench.debug")) {
                e.printStackTrace();
            }
            System.exit(3);
        }
    }
}
