package clipbench.cli;

import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Device;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options every command that runs a backbone shares. */
final class BackendArgs {
    @Option(names = "--threads", defaultValue = "0",
            description = "Intra-op threads per backend (0 = runtime default).")
    int threads;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or auto (default ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--batch-size", defaultValue = "32", description = "Images per backbone call (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    BackendOptionArgs backendOptions = new BackendOptionArgs();

    /** The options for {@code provider}, its --backend-option settings checked by it. */
    BackendOptions options(BackboneProvider provider) {
        Map<String, String> settings = backendOptions.settings();
        BackendOptions.requireBackendPrefixes(settings, List.of(provider.id()));
        provider.checkSettings(settings);
        return new BackendOptions(threads, Device.parse(device), settings);
    }
}
